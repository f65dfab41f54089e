"""The MOPAC monitoring report for a period, computed from the case records the way the
published evaluations computed theirs.

How every figure is computed. A period is a range of dates, both ends included; "in the period"
means the record's own date (never the date it was typed or imported) falls within it. Every
percentage is computed once from the two counts it relates and rounded once, half up (12.5 -> 13);
no figure is derived from another rounded figure. Averages are rounded once, half up, to one place.
The table of definitions is DEFINITIONS below (and in the README): for each figure, what is counted,
over which population, at which date, and the evaluation's own wording beside it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from accommodation.models import (
    MOVE_ON_PAYMENT_KINDS,
    AccommodationFoundElsewhere,
    AccommodationRequest,
    Fund,
    Placement,
)
from assessments.instruments import (
    HIGH_NEED_AT_MOST,
    NEED_AT_MOST,
    NEEDS_AREAS,
    PERPETRATING,
    SOAG_CATEGORIES,
    Instrument,
    Severity,
)
from assessments.models import Assessment, AssessmentAnswer
from cases.models import Case, Consultation, OnwardReferral, ProfessionalsMeeting
from eip.db.expressions import ExistsEachRow
from partner_outcomes.services import partner_outcomes_summary
from referrals.models import Ethnicity, Gender, Referral, Team

from .models import AccommodationNeed, AwaitingStart

SCHEMA_VERSION = 2  # 2: counts beside percentages, not-started, accommodation needs, reasons, data quality


@dataclass(frozen=True)
class Definition:
    figure: str
    counted: str
    population: str
    date: str
    evaluation_wording: str


DEFINITIONS = (
    Definition(
        figure="referrals_received",
        counted="referrals",
        population="every referral except drafts",
        date="received",
        evaluation_wording='"Number of referrals received"',
    ),
    Definition(
        figure="assessed_suitable_for_consultation",
        counted="referrals accepted",
        population="referrals",
        date="decided",
        evaluation_wording='"Number assessed as suitable for consultation"',
    ),
    Definition(
        figure="assessed_unsuitable",
        counted="referrals declined + consultations finding the case not suitable",
        population="referrals, consultations held",
        date="decided / consultation",
        evaluation_wording='"Number assessed as unsuitable"',
    ),
    Definition(
        figure="unsuitable_reasons",
        counted="the same, by reason code",
        population="as above",
        date="as above",
        evaluation_wording='"not known to children\'s services ... impossible to contact them"',
    ),
    Definition(
        figure="case_consultations_held",
        counted="consultations held",
        population="consultations",
        date="consultation",
        evaluation_wording='"Number of case consultations with Social Care Practitioner"',
    ),
    Definition(
        figure="receiving_intensive_intervention",
        counted="cases",
        population="intervention started by the period's end, not closed before its start",
        date="start, closure",
        evaluation_wording='"Number of service users receiving intensive 1:1 intervention"',
    ),
    Definition(
        figure="suitable_not_started",
        counted=(
            "the cases accepted in the period, by where they stood at its end: started, due to start, being "
            "contacted, further assessment, refused, found not suitable at consultation, closed before "
            "starting, not recorded"
        ),
        population="referrals accepted in the period",
        date="the period's end",
        evaluation_wording=(
            '"Of the 24 cases deemed suitable, 13 ... were receiving, or had received the intensive '
            "intervention ... 1 client was due to start ..., 5 ... being pro-actively contacted ..., 2 ... "
            'required further assessment ..., and 3 ... had refused"'
        ),
    ),
    Definition(
        figure="assessed_as_requiring_accommodation",
        counted="service users (cases), once each",
        population="cases with an accommodation need assessed, or an accommodation request made, in the period",
        date="assessment / request",
        evaluation_wording='"Number of service users assessed as requiring accommodation"',
    ),
    Definition(
        figure="accommodation_needs",
        counted=(
            "the same cases by outcome at the period's end: placed through the programme, found other "
            "accommodation, not needed, in process"
        ),
        population="as above",
        date="the period's end",
        evaluation_wording=(
            '"8 were assessed as having an accommodation need. 4 have received accommodation through the '
            "intervention, 2 were supported to find and pay for their own private accommodation, and a "
            'further 2 were in the process of being placed"'
        ),
    ),
    Definition(
        figure="received_accommodation",
        counted="people with an approved or ended stay or move-on payment (a stay then a deposit counts once)",
        population="people",
        date="placement start or payment due",
        evaluation_wording=(
            '"Number of service users receiving alternative accommodation delivered through the intervention"'
        ),
    ),
    Definition(
        figure="found_accommodation_another_way",
        counted="clients recorded as finding accommodation without the programme (own private rental, "
        "family or friends, other)",
        population="records of accommodation found another way",
        date="moved in",
        evaluation_wording='"found accommodation another way"',
    ),
    Definition(
        figure="stopped_engaging_before_planned_end",
        counted="cases closed as engaged then dropped out",
        population="cases",
        date="closure",
        evaluation_wording='"Number of service users who have stopped engaging ... before planned end"',
    ),
    Definition(
        figure="average_intervention_weeks, shortest_intervention_weeks, longest_intervention_weeks",
        counted="days from the intervention's start to closure / 7 (mean, minimum, maximum; one place)",
        population="cases closed in the period after an intervention",
        date="closure",
        evaluation_wording=(
            '"Average length of intervention ... Between 4 and 12 weeks, with an average of 8 weeks per case"'
        ),
    ),
    Definition(
        figure="engagement_rate",
        counted="cases not closed as dropped out or did not engage / cases receiving intensive intervention",
        population="as receiving_intensive_intervention",
        date="the period's end",
        evaluation_wording=(
            '"Engagement rate (number of service users currently engaging with 1:1 intervention / number active cases)"'
        ),
    ),
    Definition(
        figure="onward_referrals_following_consultation",
        counted="onward referrals marked as following the consultation",
        population="onward referrals",
        date="made",
        evaluation_wording='"Onward referrals to other services following consultation with Social Care Practitioner"',
    ),
    Definition(
        figure="demographics",
        counted=(
            "individuals (a person's latest referral in the period); age in whole months at referral, median"
            " of months (a half month rounded up)"
        ),
        population="referrals received",
        date="received",
        evaluation_wording=(
            '"an average median age of 35 years and 8 months (min = 22 years and 5 months ...)"; "White '
            'British (34%)"; "Black, Asian and racially minoritised people (47%)"'
        ),
    ),
    Definition(
        figure="referrals",
        counted="referrals by borough and by referring team",
        population="every referral except drafts",
        date="received",
        evaluation_wording='"Barking and Dagenham (8 referrals), Camden (11) ..."; "Early Help or Child in Need teams"',
    ),
    Definition(
        figure="pathways",
        counted="cases consulted only, in intensive intervention, in intensive intervention with accommodation",
        population="cases open at the period's start whose consultation was held by its end",
        date="consultation, intervention start",
        evaluation_wording="(the programme's three pathways)",
    ),
    Definition(
        figure="outcomes",
        counted="cases closed as completed, dropped out, did not engage",
        population="cases",
        date="closure",
        evaluation_wording='"8 clients had completed the intensive intervention"',
    ),
    Definition(
        figure="soag.intake_profile",
        counted="clients at each severity / clients with an intake SOAG",
        population="current intake SOAGs",
        date="assessed",
        evaluation_wording='"Figure 1: SOAG at intake"',
    ),
    Definition(
        figure="soag.intake_vs_exit",
        counted=(
            "clients perpetrating (standard, moderate or high) at intake and at exit; reduction = (intake "
            "count - exit count) / intake count"
        ),
        population="clients whose exit SOAG falls in the period and who have an intake SOAG",
        date="exit assessed",
        evaluation_wording=(
            '"16 SOAGs were completed at both intake and exit ... the percentage reduction in abuse, from '
            'intake to exit"'
        ),
    ),
    Definition(
        figure="needs",
        counted=(
            "clients with a need (practitioner score 8 or below) and a high need (4 or below) per area, as "
            "numbers, and the mean score"
        ),
        population="clients whose exit needs assessment falls in the period and who have an intake one",
        date="exit assessed",
        evaluation_wording=(
            '"a score of eight or below to indicate a need ..., and a score of four or below to indicate a '
            'high need"; "Service users with a need / with a high need"'
        ),
    ),
    Definition(
        figure="timeliness",
        counted=(
            "referrals acknowledged by their due date / referrals; case-weeks with a professionals meeting / case-weeks"
        ),
        population="referrals received; weeks of intervention ending in the period",
        date="received; week's end",
        evaluation_wording="(programme standard: acknowledgement within 3 working days, weekly meetings)",
    ),
    Definition(
        figure="data_quality",
        counted=(
            'per instrument, stage and item: answers "don\'t know" and answers missing, beside the number '
            "of assessments; referral fields not known"
        ),
        population="current assessments; referrals received",
        date="assessed; received",
        evaluation_wording='"Sexual abuse was not collected in 21 of 22 (95%) of the SOAG assessments"',
    ),
    Definition(
        figure="accommodation",
        counted="approved or ended placements, their nights (to the actual or planned end) and the sum committed",
        population="placements",
        date="placement start",
        evaluation_wording='"4 have received accommodation through the intervention"',
    ),
    Definition(
        figure="partner_outcomes",
        counted=(
            "partners whose exit (or 3-month follow-up) measure is dated in the period and who were asked at intake:"
            " each form of abuse stopped, reduced, the same, increased, started; feeling safer or less safe;"
            " feeling listened to; and those not asked. Counts from 1 to 4 are always shown as <5"
        ),
        population="partner-reported safety measures (SafeLives Insights shape)",
        date="asked",
        evaluation_wording=(
            '"whether the intervention reduces risk / increases safety for the partner/victim and family";'
            ' "capture the victim-survivor\'s voice"'
        ),
    ),
    Definition(
        figure="onward_referrals",
        counted="onward referrals by service and status",
        population="onward referrals",
        date="made",
        evaluation_wording='"7 have been successfully referred into Domestic Violence Perpetrator Programmes"',
    ),
)


def percent(part, whole) -> int | None:
    """A whole-number percentage, rounded half up; None when there is nothing to divide by."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def mean(total, count, places=1) -> float | None:
    """total / count rounded once, half up, to `places` decimal places; None for no count."""
    if not count:
        return None
    return float((Decimal(total) / Decimal(count)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    end = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    return Period(start, end)


def previous_month(today: date) -> Period:
    first = today.replace(day=1)
    last = first - timedelta(days=1)
    return month_period(last.year, last.month)


def _in(field, period):
    return {f"{field}__gte": period.start_at, f"{field}__lt": period.end_at}


def _intervention_cases(period):
    return Case.objects.filter(intervention_started_on__lte=period.end).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=period.start_at)
    )


def monitoring(period: Period) -> dict:
    received = Referral.objects.exclude(status="draft").filter(**_in("received_at", period))
    decided = Referral.objects.filter(**_in("decided_at", period))
    consultations = Consultation.objects.filter(held=True, **_in("scheduled_at", period))
    intervention = _intervention_cases(period)
    closed = Case.objects.filter(**_in("closed_at", period))
    engaged = intervention.aggregate(
        total=Count("pk"), disengaged=Count("pk", filter=Q(closure_reason__in=["dropped_out", "did_not_engage"]))
    )
    durations = [
        (timezone.localtime(c["closed_at"]).date() - c["intervention_started_on"]).days
        for c in closed.filter(intervention_started_on__isnull=False).values("closed_at", "intervention_started_on")
    ]
    needing = _cases_needing_accommodation(period)
    # One query each for the decisions and the consultations, their counts side by side.
    decisions = decided.aggregate(
        accepted=Count("pk", filter=Q(status="accepted")), declined=Count("pk", filter=Q(status="declined"))
    )
    held = consultations.aggregate(held=Count("pk"), not_suitable=Count("pk", filter=Q(outcome="not_suitable")))
    return {
        "referrals_received": received.count(),
        "assessed_suitable_for_consultation": decisions["accepted"],
        "assessed_unsuitable": decisions["declined"] + held["not_suitable"],
        "case_consultations_held": held["held"],
        "receiving_intensive_intervention": engaged["total"],
        "assessed_as_requiring_accommodation": len(needing),
        # People, not stays: a hotel week then a deposit for the same client is one person housed.
        "received_accommodation": Placement.objects.filter(
            status__in=["approved", "ended"], start_on__gte=period.start, start_on__lte=period.end
        )
        .values("request__case")
        .distinct()
        .count(),
        "found_accommodation_another_way": AccommodationFoundElsewhere.objects.filter(
            found_on__gte=period.start, found_on__lte=period.end
        ).count(),
        "stopped_engaging_before_planned_end": closed.filter(closure_reason="dropped_out").count(),
        "average_intervention_weeks": mean(sum(durations), 7 * len(durations)),
        "shortest_intervention_weeks": mean(min(durations), 7) if durations else None,
        "longest_intervention_weeks": mean(max(durations), 7) if durations else None,
        "engagement_rate": percent(engaged["total"] - engaged["disengaged"], engaged["total"]),
        "onward_referrals_following_consultation": OnwardReferral.objects.filter(
            following_consultation=True, made_on__gte=period.start, made_on__lte=period.end
        ).count(),
    }


def _cases_needing_accommodation(period: Period) -> set[int]:
    """Cases assessed as needing accommodation in the period: an assessed need recorded, or
    (where none was recorded) an accommodation request made. Each service user counts once."""
    assessed, requested = _needing_accommodation(period)
    return set(assessed.values_list("case_id", flat=True)) | set(requested.values_list("case_id", flat=True))


def _needing_accommodation(period: Period):
    """The two sources of `_cases_needing_accommodation`, as querysets of case ids: used as
    subqueries so the figures below cost the same queries whether or not any case qualifies."""
    return (
        AccommodationNeed.objects.filter(assessed_on__gte=period.start, assessed_on__lte=period.end).values("case_id"),
        AccommodationRequest.objects.filter(**_in("requested_at", period)).values("case_id"),
    )


def accommodation_needs(period: Period) -> dict:
    """Where the service users assessed as needing accommodation in the period stood at its end."""
    cases = _cases_needing_accommodation(period)
    assessed, requested = _needing_accommodation(period)
    needing = Q(case_id__in=assessed) | Q(case_id__in=requested)
    placed = set(
        Placement.objects.filter(
            Q(request__case_id__in=assessed) | Q(request__case_id__in=requested),
            status__in=["approved", "ended"],
            start_on__lte=period.end,
        ).values_list("request__case_id", flat=True)
    )
    latest = {}  # case -> the outcome of its latest need recorded by the period's end
    for row in (
        AccommodationNeed.objects.filter(needing, assessed_on__lte=period.end)
        .order_by("case_id", "assessed_on", "pk")
        .values("case_id", "outcome", "outcome_on")
    ):
        decided = row["outcome_on"] is None or row["outcome_on"] <= period.end
        latest[row["case_id"]] = row["outcome"] if decided else AccommodationNeed.Outcome.IN_PROCESS
    # Found another way, as recorded on the case's accommodation page (accommodation app).
    for case_id in AccommodationFoundElsewhere.objects.filter(needing, found_on__lte=period.end).values_list(
        "case_id", flat=True
    ):
        latest[case_id] = AccommodationNeed.Outcome.FOUND_OTHER
    outcomes = Counter(
        AccommodationNeed.Outcome.PLACED if case in placed else latest.get(case, AccommodationNeed.Outcome.IN_PROCESS)
        for case in cases
    )
    return {
        "assessed_as_needing": len(cases),
        "placed_through_programme": outcomes[AccommodationNeed.Outcome.PLACED],
        "found_other_accommodation": outcomes[AccommodationNeed.Outcome.FOUND_OTHER],
        "not_needed_after_all": outcomes[AccommodationNeed.Outcome.NOT_NEEDED],
        "in_process": outcomes[AccommodationNeed.Outcome.IN_PROCESS],
    }


def suitable_not_started(period: Period) -> dict:
    """The cases accepted in the period (assessed as suitable for consultation), by where each
    stood at the period's end. The parts add up to the whole."""
    accepted = Case.objects.filter(**_in("referral__decided_at", period), referral__status="accepted")
    cases = list(
        accepted.annotate(
            not_suitable=ExistsEachRow(
                Consultation.objects.filter(
                    case=OuterRef("pk"), held=True, outcome="not_suitable", scheduled_at__lt=period.end_at
                )
            )
        )
        .order_by()  # counted, never listed: no sort
        .values_list("pk", "intervention_started_on", "closed_at", "not_suitable")
    )
    states = {}
    for row in (
        AwaitingStart.objects.filter(case_id__in=accepted.values("pk"), recorded_on__lte=period.end)
        .order_by("case_id", "recorded_on", "pk")
        .values("case_id", "state")
    ):
        states[row["case_id"]] = row["state"]
    counts = Counter()
    for pk, started, closed_at, not_suitable in cases:
        if started and started <= period.end:
            counts["started"] += 1
        elif not_suitable:
            counts["not_suitable_at_consultation"] += 1
        elif pk in states:
            counts[states[pk]] += 1
        elif closed_at and closed_at < period.end_at:
            counts["closed_before_starting"] += 1
        else:
            counts["not_recorded"] += 1
    return {
        "suitable": len(cases),
        "started": counts["started"],
        **{state: counts[state] for state in AwaitingStart.State.values},
        "not_suitable_at_consultation": counts["not_suitable_at_consultation"],
        "closed_before_starting": counts["closed_before_starting"],
        "not_recorded": counts["not_recorded"],
    }


def unsuitable_reasons(period: Period) -> dict:
    """The reasons behind 'assessed as unsuitable', as codes."""
    declined = Referral.objects.filter(status="declined", **_in("decided_at", period))
    not_suitable = Consultation.objects.filter(held=True, outcome="not_suitable", **_in("scheduled_at", period))
    return {
        "at_referral": {
            r["decline_reason"] or "not_recorded": r["n"]
            for r in declined.order_by("decline_reason").values("decline_reason").annotate(n=Count("pk"))
        },
        "at_consultation": {
            r["not_suitable_reason"] or "not_recorded": r["n"]
            for r in not_suitable.order_by("not_suitable_reason").values("not_suitable_reason").annotate(n=Count("pk"))
        },
    }


def data_quality(period: Period) -> dict:
    """Gaps per item: for each instrument and stage, the current assessments dated in the period,
    and per item the answers "don't know" and the answers missing (no answer, or a blank one)."""
    in_period = {"is_current": True, "assessed_on__gte": period.start, "assessed_on__lte": period.end}
    totals = {
        (r["instrument"], r["stage"]): r["n"]
        for r in Assessment.objects.filter(**in_period).order_by().values("instrument", "stage").annotate(n=Count("pk"))
    }
    # One join, the period's assessments first (by their date index), then their answers: a
    # subquery of ids joined again for the instrument read every assessment ever made.
    answers = (
        AssessmentAnswer.objects.filter(**{f"assessment__{k}": v for k, v in in_period.items()})
        .order_by()
        .values("assessment__instrument", "assessment__stage", "item")
        .annotate(
            answered=Count("pk", filter=~Q(rating="") | Q(practitioner_score__isnull=False)),
            dont_know=Count("pk", filter=Q(rating="dont_know")),
        )
    )
    seen = defaultdict(dict)
    for row in answers:
        seen[(row["assessment__instrument"], row["assessment__stage"])][row["item"]] = row
    result = {}
    for (instrument, stage), total in sorted(totals.items()):
        items = {}
        for item, row in sorted(seen[(instrument, stage)].items()):
            missing = total - row["answered"]
            if row["dont_know"] or missing:
                items[item] = {"dont_know": row["dont_know"], "missing": missing}
        result.setdefault(instrument, {})[stage] = {"assessments": total, "items_with_gaps": items}
    received = Referral.objects.exclude(status="draft").filter(**_in("received_at", period))
    referral_gaps = received.aggregate(
        referrals=Count("pk"),
        date_of_birth_missing=Count("pk", filter=Q(client_date_of_birth__isnull=True)),
        gender_not_known=Count("pk", filter=Q(client_gender__in=["", "not_known"])),
        ethnicity_not_known=Count("pk", filter=Q(client_ethnicity__in=["", "not_known"])),
        dash_score_missing=Count("pk", filter=Q(dash_score__isnull=True)),
    )
    return {"assessments": result, "referrals": referral_gaps}


def referrals_by(period: Period) -> dict:
    received = Referral.objects.exclude(status="draft").filter(**_in("received_at", period))
    teams = dict(Team.choices)
    return {
        "by_borough": {
            r["borough__name"]: r["n"]
            for r in received.values("borough__name").annotate(n=Count("pk")).order_by("borough__name")
        },
        "by_team": {
            teams.get(r["team"], r["team"]): r["n"]
            for r in received.values("team").annotate(n=Count("pk")).order_by("team")
        },
    }


def pathways_and_outcomes(period: Period) -> dict:
    # Cases still open at the start of the period whose consultation was held by its end: a few
    # thousand cases, each looked up in its consultations (not every consultation hashed first).
    consulted = (
        Case.objects.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=period.start_at))
        .filter(
            ExistsEachRow(Consultation.objects.filter(case=OuterRef("pk"), held=True, scheduled_at__lt=period.end_at))
        )
        .annotate(
            placed=Exists(Placement.objects.filter(request__case=OuterRef("pk"), status__in=["approved", "ended"]))
        )
    )
    started = Q(intervention_started_on__isnull=False)
    # Whether a case was placed is asked once per case: intensive is started minus placed.
    counts = consulted.aggregate(
        consulted_only=Count("pk", filter=~started),
        started=Count("pk", filter=started),
        intensive_and_accommodation=Count("pk", filter=started & Q(placed=True)),
    )
    pathways = {
        "consulted_only": counts["consulted_only"],
        "intensive": counts["started"] - counts["intensive_and_accommodation"],
        "intensive_and_accommodation": counts["intensive_and_accommodation"],
    }
    closed = Case.objects.filter(**_in("closed_at", period))
    outcomes = closed.aggregate(
        **{
            label: Count("pk", filter=Q(closure_reason=value))
            for value, label in (
                ("completed", "completed"),
                ("dropped_out", "dropped_out"),
                ("did_not_engage", "did_not_engage"),
            )
        }
    )
    return {"pathways": pathways, "outcomes": outcomes}


def _individuals(period: Period):
    """One row per individual referred in the period: the latest referral of each person; a
    referral not yet linked to a person counts as its own individual."""
    rows = (
        Referral.objects.exclude(status="draft")
        .filter(**_in("received_at", period))
        .order_by("person_id", "-received_at")
        .values("pk", "person_id", "client_gender", "client_ethnicity", "client_date_of_birth", "received_at")
    )
    seen, individuals = set(), []
    for row in rows:
        key = ("person", row["person_id"]) if row["person_id"] else ("referral", row["pk"])
        if key not in seen:
            seen.add(key)
            individuals.append(row)
    return individuals


def age_in_months(born: date, on: date) -> int:
    """Completed months of age on a date (35 years 8 months -> 428)."""
    return (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)


def years_months(months) -> dict:
    """Months of age as years and months. The median of an even number of ages may fall on a half
    month: rounded once, half up."""
    whole = int(Decimal(str(months)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return {"years": whole // 12, "months": whole % 12}


def demographics(period: Period) -> dict:
    people = _individuals(period)
    zone = timezone.get_current_timezone()  # looked up once: thousands of rows at 100,000 cases
    total = len(people)
    labels = dict(Gender.choices)
    genders = Counter(labels.get(p["client_gender"] or "not_known") for p in people)
    ages = [
        age_in_months(p["client_date_of_birth"], p["received_at"].astimezone(zone).date())
        for p in people
        if p["client_date_of_birth"]
    ]
    groups = Counter(
        Ethnicity.group_of(p["client_ethnicity"]) if p["client_ethnicity"] else "Not known" for p in people
    )
    white_british = sum(1 for p in people if p["client_ethnicity"] == "white_british")
    return demographics_table(total=total, genders=genders, ages=ages, groups=groups, white_british=white_british)


def demographics_table(*, total: int, genders: Counter, ages: list[int], groups: Counter, white_british: int) -> dict:
    """The demographics table from its counts: one shape for the report and for the tables an
    evaluator rebuilds from the export (`evaluation.tables`)."""
    minoritised = sum(n for group, n in groups.items() if group not in ("White", "Not known"))
    return {
        "individuals": total,
        "gender": {label: {"count": n, "percent": percent(n, total)} for label, n in sorted(genders.items())},
        "age_at_referral": {
            "median": years_months(median(ages)) if ages else None,
            "minimum": years_months(min(ages)) if ages else None,
            "maximum": years_months(max(ages)) if ages else None,
            "not_known": total - len(ages),
        },
        "ethnicity_groups": {group: {"count": n, "percent": percent(n, total)} for group, n in sorted(groups.items())},
        "white_british_percent": percent(white_british, total),
        "black_asian_minoritised": {"count": minoritised, "percent": percent(minoritised, total)},
        "not_known": {"count": groups.get("Not known", 0), "percent": percent(groups.get("Not known", 0), total)},
    }


def _current(instrument, stage):
    return Assessment.objects.filter(instrument=instrument, stage=stage, is_current=True)


def _answers(instrument, stage, cases=None, period=None):
    """Answers of the current assessments of one instrument and stage, in the period and/or
    for the given cases. Filtering assessments first lets the database use the period index
    and then each assessment's answers, instead of scanning every answer ever given."""
    assessments = _current(instrument, stage)
    if period is not None:
        assessments = assessments.filter(assessed_on__gte=period.start, assessed_on__lte=period.end)
    if cases is not None:
        assessments = assessments.filter(case_id__in=cases)
    return AssessmentAnswer.objects.filter(assessment__in=assessments.values("pk"))


def _with_intake_and_exit(instrument, period) -> list[int]:
    """Cases whose exit assessment falls in the period and that have an intake one."""
    exits = _current(instrument, "exit").filter(assessed_on__gte=period.start, assessed_on__lte=period.end)
    intakes = _current(instrument, "intake").filter(case_id__in=exits.values("case_id"))
    return list(intakes.order_by().values_list("case_id", flat=True))


def soag_distribution(counts: dict[str, Counter]) -> dict:
    """Per SOAG category: clients, how many perpetrate (standard, moderate or high) and the share at
    each severity, from the counts of answers per item and rating. Shared with evaluation_tables."""
    result = {}
    for code, label in SOAG_CATEGORIES:
        total = sum(counts.get(code, Counter()).values())
        rated = counts.get(code, Counter())
        perpetrating = sum(rated[s] for s in PERPETRATING)
        result[code] = {
            "label": label,
            "clients": total,
            "perpetrating": perpetrating,
            "perpetrating_percent": percent(perpetrating, total),
            "severity_percent": {s: percent(rated[s], total) for s in Severity.values},
            "severity_count": {s: rated[s] for s in Severity.values},
        }
    return result


def soag_comparison(intake_both: dict, exit_both: dict) -> dict:
    """Intake against exit for the same clients. The reduction is worked from the counts (4 -> 2
    of 16 is a 50% reduction), never from the rounded percentages (25% -> 13% would give 48%)."""
    comparison = {}
    for code, label in SOAG_CATEGORIES:
        before, after = intake_both[code]["perpetrating"], exit_both[code]["perpetrating"]
        comparison[code] = {
            "label": label,
            "clients": intake_both[code]["clients"],
            "intake_perpetrating": before,
            "exit_perpetrating": after,
            "intake_perpetrating_percent": intake_both[code]["perpetrating_percent"],
            "exit_perpetrating_percent": exit_both[code]["perpetrating_percent"],
            "reduction_percent": percent(before - after, before),
            "intake_severity_percent": intake_both[code]["severity_percent"],
            "exit_severity_percent": exit_both[code]["severity_percent"],
        }
    return comparison


def soag(period: Period) -> dict:
    def distribution(answers):
        counts = defaultdict(Counter)
        for row in answers.order_by().values("item", "rating").annotate(n=Count("pk")):
            counts[row["item"]][row["rating"]] += row["n"]
        return soag_distribution(counts)

    # Intake vs exit: clients whose exit SOAG falls in the period and who have an intake SOAG.
    both = _with_intake_and_exit(Instrument.SOAG, period)
    intake_both, exit_both = (
        distribution(_answers(Instrument.SOAG, stage, cases=both))
        if both
        else distribution(AssessmentAnswer.objects.none())
        for stage in ("intake", "exit")
    )
    return {
        "intake_profile": distribution(_answers(Instrument.SOAG, "intake", period=period)),
        "intake_vs_exit": soag_comparison(intake_both, exit_both),
    }


def needs(period: Period) -> dict:
    both = _with_intake_and_exit(Instrument.NEEDS, period)
    result = {}
    for stage in ("intake", "exit"):
        if not both:
            result[stage] = {
                code: {
                    "label": label,
                    "clients": 0,
                    "with_need": 0,
                    "with_high_need": 0,
                    "average_practitioner_score": None,
                }
                for code, label, _ in NEEDS_AREAS
            }
            continue
        stats = {
            r["item"]: r
            for r in _answers(Instrument.NEEDS, stage, cases=both)
            .order_by()
            .values("item")
            .annotate(
                clients=Count("pk"),
                need=Count("pk", filter=Q(practitioner_score__lte=NEED_AT_MOST)),
                high_need=Count("pk", filter=Q(practitioner_score__lte=HIGH_NEED_AT_MOST)),
                scored=Count("practitioner_score"),
                score_total=Sum("practitioner_score"),
            )
        }
        result[stage] = {
            code: {
                "label": label,
                "clients": stats.get(code, {}).get("clients", 0),
                "with_need": stats.get(code, {}).get("need", 0),
                "with_high_need": stats.get(code, {}).get("high_need", 0),
                "average_practitioner_score": (
                    mean(stats[code]["score_total"], stats[code]["scored"]) if code in stats else None
                ),
            }
            for code, label, _ in NEEDS_AREAS
        }
    return {"clients_with_intake_and_exit": len(set(both)), **result}


def timeliness(period: Period) -> dict:
    # The period's referrals are read once: their number comes from the same rows.
    received = list(
        Referral.objects.exclude(status="draft")
        .filter(**_in("received_at", period))
        .values_list("acknowledged_at", "acknowledgement_due")
    )
    zone = timezone.get_current_timezone()  # looked up once, not per row (as localtime() would)
    on_time = sum(1 for at, due in received if at and at.astimezone(zone).date() <= due)
    # Case-weeks: each case in intervention is split into 7-day weeks from its start; a week that
    # ends within the period counts, and has a meeting if one was held within it. Only meetings
    # that can fall in such a week are read.
    weeks = with_meeting = 0
    cases = list(_intervention_cases(period).order_by().values_list("pk", "intervention_started_on", "closed_at"))
    meetings = ProfessionalsMeeting.objects.filter(
        case__in=_intervention_cases(period).values("pk"),
        held_on__gte=period.start - timedelta(days=6),
        held_on__lte=period.end,
    )
    met = defaultdict(set)  # case -> the numbers of the weeks with a meeting
    starts = {pk: started for pk, started, _ in cases}
    for case_id, held_on in meetings.order_by().values_list("case_id", "held_on"):
        met[case_id].add((held_on - starts[case_id]).days // 7)
    for pk, started, closed_at in cases:
        stop = min(period.end, closed_at.astimezone(zone).date() if closed_at else period.end)
        # Week k runs from started + 7k to started + 7k + 6; count those ending in [period.start, stop].
        first = max(0, -(-((period.start - started).days - 6) // 7))
        last = ((stop - started).days - 6) // 7
        if last >= first:
            weeks += last - first + 1
            with_meeting += sum(1 for k in met[pk] if first <= k <= last)
    return {
        "referrals": len(received),
        "acknowledged_within_3_working_days_percent": percent(on_time, len(received)),
        "case_weeks": weeks,
        "case_weeks_with_meeting_percent": percent(with_meeting, weeks),
    }


def accommodation(period: Period) -> dict:
    funded = Placement.objects.filter(
        status__in=["approved", "ended"], start_on__gte=period.start, start_on__lte=period.end
    )
    started = funded.exclude(kind__in=MOVE_ON_PAYMENT_KINDS)
    payments = funded.filter(kind__in=MOVE_ON_PAYMENT_KINDS)
    kinds = dict(Placement.Kind.choices)
    routes = dict(AccommodationFoundElsewhere.Route.choices)
    nights = sum(
        (p["ended_on"] or p["planned_end_on"]).toordinal() - p["start_on"].toordinal()
        for p in started.values("start_on", "planned_end_on", "ended_on")
    )
    fund = Fund.objects.covering(period.end).first()  # the phase in force at the period's end
    from accommodation.services import fund_position

    position = fund_position(fund) if fund else None
    return {
        "placements": started.count(),
        "nights": nights,
        "committed_in_period": str(funded.aggregate(s=Sum("committed"))["s"] or Decimal("0")),
        "move_on_payments": [
            {"kind": kinds[row["kind"]], "payments": row["n"], "amount": str(row["amount"])}
            for row in payments.values("kind").annotate(n=Count("pk"), amount=Sum("committed")).order_by("kind")
        ],
        "found_another_way": {
            routes[row["route"]]: row["n"]
            for row in AccommodationFoundElsewhere.objects.filter(found_on__gte=period.start, found_on__lte=period.end)
            .values("route")
            .annotate(n=Count("pk"))
            .order_by("route")
        },
        "fund": {k: str(v) for k, v in position.items()} if position else None,
    }


def onward(period: Period) -> dict:
    made = OnwardReferral.objects.filter(made_on__gte=period.start, made_on__lte=period.end)
    services_, statuses = dict(OnwardReferral.Service.choices), dict(OnwardReferral.Status.choices)
    table = defaultdict(dict)
    for row in made.values("service", "status").annotate(n=Count("pk")).order_by("service", "status"):
        table[services_[row["service"]]][statuses[row["status"]]] = row["n"]
    return {"total": made.count(), "by_service": dict(table)}


def monitoring_report(*, period: Period) -> dict:
    """The whole report as plain data (JSON-ready). Its schema is documented in the README."""
    return {
        "schema_version": SCHEMA_VERSION,
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "monitoring": monitoring(period),
        "suitable_not_started": suitable_not_started(period),
        "unsuitable_reasons": unsuitable_reasons(period),
        "accommodation_needs": accommodation_needs(period),
        "referrals": referrals_by(period),
        **pathways_and_outcomes(period),
        "demographics": demographics(period),
        "soag": soag(period),
        "needs": needs(period),
        "timeliness": timeliness(period),
        "accommodation": accommodation(period),
        "onward_referrals": onward(period),
        "data_quality": data_quality(period),
        "partner_outcomes": partner_outcomes_summary(period_start=period.start, period_end=period.end),
    }
