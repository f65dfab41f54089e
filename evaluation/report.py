"""The MOPAC monitoring report for a period, computed from the case records.

Definitions (each figure counts what happened within the period, dates inclusive):
- referrals_received: referrals received (submitted) in the period.
- assessed_suitable_for_consultation: referrals accepted in the period (a case opened for consultation).
- assessed_unsuitable: referrals declined in the period, plus consultations held in the period that
  found the case not suitable.
- case_consultations_held: consultations held, by their date.
- receiving_intensive_intervention: cases whose intervention had started by the end of the period and
  that were not closed before it began.
- assessed_as_requiring_accommodation: accommodation requests made in the period.
- received_accommodation: people whose programme-funded stay or move-on payment (deposit, rent)
  starts in the period (a stay then a deposit for the same person counts once).
- found_accommodation_another_way: clients recorded as finding accommodation without the programme
  (own private rental, family or friends, other), by the date they moved in.
- stopped_engaging_before_planned_end: cases closed in the period as "engaged then dropped out".
- average_intervention_weeks: for cases closed in the period after an intervention, the mean time from
  the intervention's start to closure, in weeks (one decimal place).
- engagement_rate: of the cases receiving intensive intervention, the share not closed as dropped out
  or did not engage (a whole percentage).
- onward_referrals_following_consultation: onward referrals made in the period on cases whose
  consultation had been held.
Percentages are whole numbers rounded half up (12.5 -> 13), as in the published evaluations.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.db.models import Avg, Count, Exists, OuterRef, Q, Sum
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
from referrals.models import Ethnicity, Gender, Referral, Team

SCHEMA_VERSION = 1


def percent(part, whole) -> int | None:
    """A whole-number percentage, rounded half up; None when there is nothing to divide by."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


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
    return {
        "referrals_received": received.count(),
        "assessed_suitable_for_consultation": decided.filter(status="accepted").count(),
        "assessed_unsuitable": decided.filter(status="declined").count()
        + consultations.filter(outcome="not_suitable").count(),
        "case_consultations_held": consultations.count(),
        "receiving_intensive_intervention": engaged["total"],
        "assessed_as_requiring_accommodation": AccommodationRequest.objects.filter(
            **_in("requested_at", period)
        ).count(),
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
        "average_intervention_weeks": round(sum(durations) / len(durations) / 7, 1) if durations else None,
        "engagement_rate": percent(engaged["total"] - engaged["disengaged"], engaged["total"]),
        "onward_referrals_following_consultation": OnwardReferral.objects.filter(
            following_consultation=True, made_on__gte=period.start, made_on__lte=period.end
        ).count(),
    }


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
    # Cases still open at the start of the period whose consultation was held by its end.
    consulted = (
        Case.objects.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=period.start_at))
        .filter(Exists(Consultation.objects.filter(case=OuterRef("pk"), held=True, scheduled_at__lt=period.end_at)))
        .annotate(
            placed=Exists(Placement.objects.filter(request__case=OuterRef("pk"), status__in=["approved", "ended"]))
        )
    )
    started = Q(intervention_started_on__isnull=False)
    pathways = consulted.aggregate(
        consulted_only=Count("pk", filter=~started),
        intensive=Count("pk", filter=started & Q(placed=False)),
        intensive_and_accommodation=Count("pk", filter=started & Q(placed=True)),
    )
    closed = Case.objects.filter(**_in("closed_at", period))
    outcomes = {
        label: closed.filter(closure_reason=value).count()
        for value, label in (
            ("completed", "completed"),
            ("dropped_out", "dropped_out"),
            ("did_not_engage", "did_not_engage"),
        )
    }
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


def _age(born: date, on: date) -> float:
    months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    return months / 12


def demographics(period: Period) -> dict:
    people = _individuals(period)
    total = len(people)
    labels = dict(Gender.choices)
    genders = Counter(labels.get(p["client_gender"] or "not_known") for p in people)
    ages = [
        _age(p["client_date_of_birth"], timezone.localtime(p["received_at"]).date())
        for p in people
        if p["client_date_of_birth"]
    ]
    groups = Counter(
        Ethnicity.group_of(p["client_ethnicity"]) if p["client_ethnicity"] else "Not known" for p in people
    )
    minoritised = sum(n for group, n in groups.items() if group not in ("White", "Not known"))
    white_british = sum(1 for p in people if p["client_ethnicity"] == "white_british")

    def years_months(value):
        if value is None:
            return None
        whole = int(value * 12 + 1e-9)
        return {"years": whole // 12, "months": whole % 12}

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


def soag(period: Period) -> dict:
    severities = [s for s in Severity.values]

    def distribution(answers):
        counts = defaultdict(Counter)
        totals = Counter()
        for row in answers.order_by().values("item", "rating").annotate(n=Count("pk")):
            counts[row["item"]][row["rating"]] += row["n"]
            totals[row["item"]] += row["n"]
        result = {}
        for code, label in SOAG_CATEGORIES:
            total = totals[code]
            perpetrating = sum(counts[code][s] for s in PERPETRATING)
            result[code] = {
                "label": label,
                "clients": total,
                "perpetrating_percent": percent(perpetrating, total),
                "severity_percent": {s: percent(counts[code][s], total) for s in severities},
                "severity_count": {s: counts[code][s] for s in severities},
            }
        return result

    # Intake vs exit: clients whose exit SOAG falls in the period and who have an intake SOAG.
    both = _with_intake_and_exit(Instrument.SOAG, period)
    intake_both, exit_both = (
        distribution(_answers(Instrument.SOAG, stage, cases=both))
        if both
        else distribution(AssessmentAnswer.objects.none())
        for stage in ("intake", "exit")
    )
    comparison = {}
    for code, label in SOAG_CATEGORIES:
        before, after = intake_both[code]["perpetrating_percent"], exit_both[code]["perpetrating_percent"]
        comparison[code] = {
            "label": label,
            "clients": intake_both[code]["clients"],
            "intake_perpetrating_percent": before,
            "exit_perpetrating_percent": after,
            "reduction_percent": percent(before - after, before) if before else None,
            "intake_severity_percent": intake_both[code]["severity_percent"],
            "exit_severity_percent": exit_both[code]["severity_percent"],
        }
    return {
        "intake_profile": distribution(_answers(Instrument.SOAG, "intake", period=period)),
        "intake_vs_exit": comparison,
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
                average=Avg("practitioner_score"),
            )
        }
        result[stage] = {
            code: {
                "label": label,
                "clients": stats.get(code, {}).get("clients", 0),
                "with_need": stats.get(code, {}).get("need", 0),
                "with_high_need": stats.get(code, {}).get("high_need", 0),
                "average_practitioner_score": (
                    round(stats[code]["average"], 1) if code in stats and stats[code]["average"] is not None else None
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
    on_time = sum(1 for at, due in received if at and timezone.localtime(at).date() <= due)
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
        stop = min(period.end, timezone.localtime(closed_at).date() if closed_at else period.end)
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
        "referrals": referrals_by(period),
        **pathways_and_outcomes(period),
        "demographics": demographics(period),
        "soag": soag(period),
        "needs": needs(period),
        "timeliness": timeliness(period),
        "accommodation": accommodation(period),
        "onward_referrals": onward(period),
    }
