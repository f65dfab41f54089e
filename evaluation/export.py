"""The anonymised evaluation export: four CSV files from which the monitoring report's tables can be
rebuilt (`manage.py evaluation_tables`), and nothing more.

- referrals.csv: one row per referral (and its case);
- assessments.csv: one row per answer of a current assessment;
- events.csv: one row per dated event of a case (consultation held, awaiting-start state, accommodation
  need, accommodation request, placement, onward referral);
- case_weeks.csv: one row per week of intervention, with or without a professionals meeting.

People and referrals are identified by keyed hashes (the key never leaves the server). There are no
names, addresses, contact details, dates of birth, free text or partner and children's identifiers;
dates are days from the referral, with the calendar month (YYYY-MM) of each event, the smallest unit
the monthly report needs. Every column is justified in the README."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef
from django.utils import timezone

from eip.spreadsheets import Echo, csv_writer

from .report import age_in_months

REFERRAL_COLUMNS = [
    "person_id",
    "referral_id",
    "person_referral_number",
    "borough",
    "team",
    "age_at_referral_months",
    "gender",
    "ethnicity",
    "ethnicity_group",
    "status",
    "decline_reason",
    "decision_month",
    "pathway",
    "accommodation_placed",
    "closure_reason",
    "referral_year",
    "referral_month",
    "intervention_start_month",
    "closure_month",
    "days_to_acknowledgement",
    "acknowledged_within_3_working_days",
    "days_to_consultation",
    "days_to_intervention_start",
    "days_to_closure",
    "intervention_days",
    "dash_score_at_referral",
    "children_count",
]
ASSESSMENT_COLUMNS = [
    "person_id",
    "referral_id",
    "assessment_id",
    "instrument",
    "stage",
    "version",
    "assessment_month",
    "days_from_referral",
    "item",
    "rating",
    "service_user_score",
    "practitioner_score",
]
EVENT_COLUMNS = [
    "person_id",
    "referral_id",
    "event",
    "month",
    "days_from_referral",
    "code",
    "reason",
    "status",
    "following_consultation",
    "outcome_month",
    "nights",
    "committed",
]
CASE_WEEK_COLUMNS = ["person_id", "referral_id", "week", "week_end_month", "meeting"]
PARTNER_OUTCOME_COLUMNS = [
    "person_id",
    "referral_id",
    "stage",
    "month",
    "days_from_referral",
    "not_asked",
    "physical",
    "sexual",
    "harassment",
    "jcc",
    "feels_safe",
    "listened_to",
]


def pseudonym(kind: str, value) -> str:
    key = settings.EIP_PSEUDONYM_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:16]


def _person(person_id, referral_id):
    return pseudonym("person", person_id) if person_id else pseudonym("referral-only", referral_id)


def _day(value):
    """A local calendar date from a date or an aware datetime."""
    if value is None:
        return None
    return timezone.localtime(value).date() if hasattr(value, "hour") else value


def _days(later, earlier):
    later, earlier = _day(later), _day(earlier)
    return "" if later is None or earlier is None else (later - earlier).days


def _month(value):
    value = _day(value)
    return "" if value is None else f"{value:%Y-%m}"


def referral_rows(keyed: bool = False):
    """One row per referral, in referral order; with `keyed`, (referral id, row) for the
    outbound guard, which checks each row against its own referral."""
    from accommodation.models import Placement
    from referrals.models import Ethnicity, Referral

    placed = Placement.objects.filter(request__case__referral=OuterRef("pk"), status__in=["approved", "ended"])
    referrals = (
        Referral.objects.exclude(status="draft")
        .order_by("pk")
        .annotate(
            children_count=Count("children", distinct=True),
            consultation_at=Min("case__consultations__scheduled_at"),
            placed=Exists(placed),
        )
        .values(
            "pk",
            "person_id",
            "borough__name",
            "team",
            "client_date_of_birth",
            "client_gender",
            "client_ethnicity",
            "status",
            "decline_reason",
            "decided_at",
            "received_at",
            "acknowledged_at",
            "acknowledgement_due",
            "dash_score",
            "case__intervention_started_on",
            "case__closed_at",
            "case__closure_reason",
            "children_count",
            "consultation_at",
            "placed",
        )
    )
    numbers = {}  # a person's referrals numbered in the order received (the report's "latest")
    for pk, person, _ in (
        Referral.objects.exclude(status="draft")
        .filter(person__isnull=False)
        .order_by("person_id", "received_at", "pk")
        .values_list("pk", "person_id", "received_at")
    ):
        numbers[pk] = numbers.get(("person", person), 0) + 1
        numbers[("person", person)] = numbers[pk]
    for r in referrals.iterator(chunk_size=2000):
        received = _day(r["received_at"])
        started, closed = r["case__intervention_started_on"], _day(r["case__closed_at"])
        if started:
            pathway = "intensive_and_accommodation" if r["placed"] else "intensive"
        elif r["consultation_at"]:
            pathway = "consulted_only"
        else:
            pathway = "referral_only"
        acknowledged = _day(r["acknowledged_at"])
        row = [
            _person(r["person_id"], r["pk"]),
            pseudonym("referral", r["pk"]),
            numbers.get(r["pk"], 1),
            r["borough__name"],
            r["team"],
            age_in_months(r["client_date_of_birth"], received) if r["client_date_of_birth"] else "",
            r["client_gender"],
            r["client_ethnicity"],
            Ethnicity.group_of(r["client_ethnicity"]) if r["client_ethnicity"] else "Not known",
            r["status"],
            r["decline_reason"],
            _month(r["decided_at"]),
            pathway,
            "yes" if r["placed"] else "no",
            r["case__closure_reason"] or "",
            received.year,
            received.month,
            _month(started),
            _month(closed),
            _days(acknowledged, received),
            ""
            if r["acknowledgement_due"] is None
            else ("yes" if acknowledged and acknowledged <= r["acknowledgement_due"] else "no"),
            _days(r["consultation_at"], received),
            _days(started, received),
            _days(closed, received),
            _days(closed, started),
            "" if r["dash_score"] is None else r["dash_score"],
            r["children_count"],
        ]
        yield (r["pk"], row) if keyed else row


def assessment_rows(keyed: bool = False, *, date_from=None, date_to=None):
    """One row per answer of a current assessment (made from `date_from` to `date_to`, when
    given), grouped by referral (its case) in referral order; with `keyed`, (referral id, row)
    for the outbound guard. On PostgreSQL, export_copy writes the same file faster."""
    from assessments.models import AssessmentAnswer

    period = {}
    if date_from:
        period["assessment__assessed_on__gte"] = date_from
    if date_to:
        period["assessment__assessed_on__lte"] = date_to
    answers = (
        AssessmentAnswer.objects.filter(assessment__is_current=True, **period)
        .order_by("assessment__case__referral__id", "assessment_id", "pk")
        .values(
            "assessment_id",
            "assessment__case__referral__pk",
            "assessment__case__person_id",
            "assessment__instrument",
            "assessment__stage",
            "assessment__version",
            "assessment__assessed_on",
            "assessment__case__referral__received_at",
            "item",
            "rating",
            "user_score",
            "practitioner_score",
        )
    )
    for a in answers.iterator(chunk_size=5000):
        referral = a["assessment__case__referral__pk"]
        row = [
            _person(a["assessment__case__person_id"], referral),
            pseudonym("referral", referral),
            pseudonym("assessment", a["assessment_id"]),
            a["assessment__instrument"],
            a["assessment__stage"],
            a["assessment__version"],
            _month(a["assessment__assessed_on"]),
            _days(a["assessment__assessed_on"], a["assessment__case__referral__received_at"]),
            a["item"],
            a["rating"],
            "" if a["user_score"] is None else a["user_score"],
            "" if a["practitioner_score"] is None else a["practitioner_score"],
        ]
        yield (referral, row) if keyed else row


def _event(ids, event, when, *, code="", reason="", status="", following="", outcome_month="", nights="", committed=""):
    referral, person, received = ids
    return referral, [
        _person(person, referral),
        pseudonym("referral", referral),
        event,
        _month(when),
        _days(when, received),
        code,
        reason,
        status,
        following,
        outcome_month,
        nights,
        committed,
    ]


def event_rows(keyed: bool = False):
    """One row per dated event of every case, grouped by referral, each kind in date order."""
    from accommodation.models import AccommodationFoundElsewhere, AccommodationRequest, Placement
    from cases.models import Case, Consultation, OnwardReferral

    from .models import AccommodationNeed, AwaitingStart

    cases = {
        case_id: (referral, person, received)
        for case_id, referral, person, received in Case.objects.order_by("referral_id").values_list(
            "pk", "referral_id", "person_id", "referral__received_at"
        )
    }
    sources = [
        (
            Consultation.objects.filter(held=True).order_by("scheduled_at", "pk"),
            lambda c: ("consultation", c.scheduled_at, {"code": c.outcome, "reason": c.not_suitable_reason}),
        ),
        (
            AwaitingStart.objects.order_by("recorded_on", "pk"),
            lambda a: ("awaiting_start", a.recorded_on, {"code": a.state}),
        ),
        (
            AccommodationNeed.objects.order_by("assessed_on", "pk"),
            lambda n: (
                "accommodation_need",
                n.assessed_on,
                {"code": n.outcome, "outcome_month": _month(n.outcome_on)},
            ),
        ),
        (
            AccommodationRequest.objects.order_by("requested_at", "pk"),
            lambda r: ("accommodation_request", r.requested_at, {"status": r.status}),
        ),
        (
            Placement.objects.filter(status__in=["approved", "ended"])
            .select_related("request")
            .order_by("start_on", "pk"),
            lambda p: (
                "placement",
                p.start_on,
                {
                    "code": p.kind,
                    "status": p.status,
                    "nights": ((p.ended_on or p.planned_end_on) - p.start_on).days,
                    "committed": p.committed,
                },
            ),
        ),
        (
            AccommodationFoundElsewhere.objects.order_by("found_on", "pk"),
            lambda f: ("found_elsewhere", f.found_on, {"code": f.route}),
        ),
        (
            OnwardReferral.objects.order_by("made_on", "pk"),
            lambda o: (
                "onward_referral",
                o.made_on,
                {"code": o.service, "status": o.status, "following": "yes" if o.following_consultation else "no"},
            ),
        ),
    ]
    rows = []
    for query, describe in sources:
        for record in query.iterator(chunk_size=2000):
            case_id = record.request.case_id if hasattr(record, "request") else record.case_id
            event, when, fields = describe(record)
            rows.append(_event(cases[case_id], event, when, **fields))
    rows.sort(key=lambda pair: pair[0])  # grouped by referral; stable, so each kind stays in date order
    for referral, row in rows:
        yield (referral, row) if keyed else row


def case_week_rows(keyed: bool = False, today=None):
    """One row per 7-day week of intervention from its start, for weeks ending by the case's
    closure (or today), with whether a professionals meeting was held in it."""
    from cases.models import Case, ProfessionalsMeeting

    today = today or timezone.localdate()
    met = {}
    for case_id, held_on, started in ProfessionalsMeeting.objects.filter(
        case__intervention_started_on__isnull=False
    ).values_list("case_id", "held_on", "case__intervention_started_on"):
        met.setdefault(case_id, set()).add((held_on - started).days // 7)
    for pk, referral, person, started, closed_at in (
        Case.objects.filter(intervention_started_on__isnull=False)
        .order_by("referral_id")
        .values_list("pk", "referral_id", "person_id", "intervention_started_on", "closed_at")
    ):
        stop = _day(closed_at) or today
        week = 0
        while started + timedelta(days=7 * week + 6) <= stop:
            row = [
                _person(person, referral),
                pseudonym("referral", referral),
                week,
                _month(started + timedelta(days=7 * week + 6)),
                "yes" if week in met.get(pk, ()) else "no",
            ]
            yield (referral, row) if keyed else row
            week += 1


def partner_outcome_rows(keyed: bool = False):
    """The partner's safety measures, pseudonymised under the client's IDs: stage, month, and the
    coded answers only (no free text is kept, and nothing that identifies the partner)."""
    from partner_outcomes.models import PartnerOutcome

    for o in (
        PartnerOutcome.objects.order_by("case__referral_id", "pk")
        .values(
            "case__referral_id",
            "case__person_id",
            "case__referral__received_at",
            "stage",
            "asked_on",
            "not_asked",
            "physical",
            "sexual",
            "harassment",
            "jcc",
            "feels_safe",
            "listened_to",
        )
        .iterator(chunk_size=2000)
    ):
        referral = o["case__referral_id"]
        row = [
            _person(o["case__person_id"], referral),
            pseudonym("referral", referral),
            o["stage"],
            _month(o["asked_on"]),
            _days(o["asked_on"], o["case__referral__received_at"]),
            o["not_asked"],
            o["physical"],
            o["sexual"],
            o["harassment"],
            o["jcc"],
            "" if o["feels_safe"] is None else o["feels_safe"],
            o["listened_to"],
        ]
        yield (referral, row) if keyed else row


FILES = {
    "referrals": (REFERRAL_COLUMNS, referral_rows),
    "assessments": (ASSESSMENT_COLUMNS, assessment_rows),
    "events": (EVENT_COLUMNS, event_rows),
    "case_weeks": (CASE_WEEK_COLUMNS, case_week_rows),
    "partner_outcomes": (PARTNER_OUTCOME_COLUMNS, partner_outcome_rows),
}


def csv_lines(columns, rows):
    """Stream CSV lines: memory stays flat however many rows there are."""
    writer = csv_writer(Echo())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow(row)
