"""The anonymised evaluation export: one row per referral and one per assessment answer, with
a stable pseudonymous person ID (a keyed hash; the key never leaves the server), age instead
of date of birth, and dates as days from the referral. No names, addresses, contact details,
dates of birth, free text or partner and children's identifiers."""

import hashlib
import hmac

from django.conf import settings

from assessments.models import AssessmentAnswer
from eip.spreadsheets import csv_writer
from referrals.models import Referral

from .report import age_in_months

REFERRAL_COLUMNS = [
    "person_id",
    "referral_id",
    "borough",
    "team",
    "age_at_referral",
    "gender",
    "ethnicity_group",
    "status",
    "pathway",
    "closure_reason",
    "referral_year",
    "referral_month",
    "days_to_acknowledgement",
    "days_to_consultation",
    "days_to_intervention_start",
    "days_to_closure",
    "dash_score_at_referral",
    "children_count",
    "accommodation_placed",
]
ASSESSMENT_COLUMNS = [
    "person_id",
    "referral_id",
    "instrument",
    "stage",
    "version",
    "days_from_referral",
    "item",
    "rating",
    "service_user_score",
    "practitioner_score",
]


class Echo:
    def write(self, value):
        return value


def pseudonym(kind: str, value) -> str:
    key = settings.EIP_PSEUDONYM_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:16]


def _person(row):
    return pseudonym("person", row["person_id"]) if row["person_id"] else pseudonym("referral-only", row["pk"])


def _days(later, earlier):
    if later is None or earlier is None:
        return ""
    later = later.date() if hasattr(later, "date") else later
    earlier = earlier.date() if hasattr(earlier, "date") else earlier
    return (later - earlier).days


def referral_rows(keyed: bool = False):
    """One row per referral, in referral order; with `keyed`, (referral id, row) for the
    outbound guard, which checks each row against its own referral."""
    from django.db.models import Count, Exists, Min, OuterRef

    from accommodation.models import Placement
    from referrals.models import Ethnicity

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
            "received_at",
            "acknowledged_at",
            "dash_score",
            "case__intervention_started_on",
            "case__closed_at",
            "case__closure_reason",
            "case__stage",
            "children_count",
            "consultation_at",
            "placed",
        )
    )
    for r in referrals.iterator(chunk_size=2000):
        received = r["received_at"]
        if r["case__intervention_started_on"]:
            pathway = "intensive_and_accommodation" if r["placed"] else "intensive"
        elif r["consultation_at"]:
            pathway = "consulted_only"
        else:
            pathway = "referral_only"
        row = [
            _person(r),
            pseudonym("referral", r["pk"]),
            r["borough__name"],
            r["team"],
            age_in_months(r["client_date_of_birth"], received.date()) // 12 if r["client_date_of_birth"] else "",
            r["client_gender"],
            Ethnicity.group_of(r["client_ethnicity"]) if r["client_ethnicity"] else "Not known",
            r["status"],
            pathway,
            r["case__closure_reason"] or "",
            received.year,
            received.month,
            _days(r["acknowledged_at"], received),
            _days(r["consultation_at"], received),
            _days(r["case__intervention_started_on"], received),
            _days(r["case__closed_at"], received),
            "" if r["dash_score"] is None else r["dash_score"],
            r["children_count"],
            "yes" if r["placed"] else "no",
        ]
        yield (r["pk"], row) if keyed else row


def assessment_rows(keyed: bool = False):
    """One row per answer, grouped by referral (its case) in referral order; with `keyed`,
    (referral id, row) for the outbound guard."""
    answers = (
        AssessmentAnswer.objects.filter(assessment__is_current=True)
        .order_by("assessment__case__referral__id", "pk")
        .values(
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
        person = a["assessment__case__person_id"]
        row = [
            pseudonym("person", person) if person else pseudonym("referral-only", a["assessment__case__referral__pk"]),
            pseudonym("referral", a["assessment__case__referral__pk"]),
            a["assessment__instrument"],
            a["assessment__stage"],
            a["assessment__version"],
            _days(a["assessment__assessed_on"], a["assessment__case__referral__received_at"]),
            a["item"],
            a["rating"],
            "" if a["user_score"] is None else a["user_score"],
            "" if a["practitioner_score"] is None else a["practitioner_score"],
        ]
        yield (a["assessment__case__referral__pk"], row) if keyed else row


def csv_lines(columns, rows):
    """Stream CSV lines: memory stays flat however many rows there are."""
    writer = csv_writer(Echo())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow(row)
