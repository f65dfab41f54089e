"""What the referrer's weekly summary of a case says: the week's sessions held or missed, the
next session, assessments done, risk actions opened or closed, accommodation changes and the
progress updates shared, read from the case timeline (whose lines never name the partner or the
children) and the diary. The same three queries however busy the week was."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from cases.models import Case, CaseEvent, InterventionSession
from diary.models import Appointment

# The timeline's kinds of line each part of the summary lists.
SECTIONS = (
    ("Sessions", ("session",)),
    ("Professionals meetings and progress updates", ("meeting", "progress_update")),
    ("Assessments", ("assessment",)),
    ("Risk", ("risk_escalated", "risk_action_done", "disclosure")),
    (
        "Accommodation",
        (
            "accommodation_need",
            "accommodation_requested",
            "placement_proposed",
            "placement_approved",
            "placement_rejected",
            "extension_requested",
            "extension_decided",
            "return_home_review",
            "placement_ended",
            "move_on_payment_proposed",
            "accommodation_found_elsewhere",
        ),
    ),
    (
        "The case",
        (
            "consent_given",
            "consent_withdrawn",
            "intervention_started",
            "onward_referral",
            "exit_started",
            "closed",
            "reopened",
            "reassigned",
        ),
    ),
)
_KINDS = {kind for _, kinds in SECTIONS for kind in kinds}

A = InterventionSession.Attendance


def week_start(day: date) -> date:
    """The Monday of the week `day` is in: a summary covers Monday to Sunday."""
    return day - timedelta(days=day.weekday())


def week_bounds(week: date) -> tuple[datetime, datetime]:
    """From Monday 00:00 to the next Monday 00:00, London time."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(week, time(0), tzinfo=zone)
    return start, datetime.combine(week + timedelta(days=7), time(0), tzinfo=zone)


@dataclass
class WeeklySummary:
    case: Case
    week: date  # its Monday
    held: int = 0
    missed: int = 0
    next_session: datetime | None = None
    sections: list[tuple[str, list[CaseEvent]]] = field(default_factory=list)

    @property
    def week_end(self) -> date:
        return self.week + timedelta(days=6)

    @property
    def quiet(self) -> bool:
        return not self.sections and not self.held and not self.missed


def weekly_summary(*, case: Case, week: date, partner_matters: bool, now: datetime | None = None) -> WeeklySummary:
    """The summary of `case` for the week starting Monday `week`. `partner_matters`: whether the
    reader may see the partner section (case.view_partner); lines about partner matters are left
    out otherwise."""
    now = now or timezone.now()
    summary = WeeklySummary(case=case, week=week)
    events = CaseEvent.objects.filter(
        case=case,
        kind__in=_KINDS,
        at__gte=week_bounds(week)[0],
        at__lt=week_bounds(week)[1],
    ).order_by("at", "pk")
    if not partner_matters:
        events = events.filter(partner_related=False)
    by_kind: dict[str, list[CaseEvent]] = {}
    for event in events:
        by_kind.setdefault(event.kind, []).append(event)
    for title, kinds in SECTIONS:
        lines = sorted((e for kind in kinds for e in by_kind.get(kind, [])), key=lambda e: (e.at, e.pk))
        if lines:
            summary.sections.append((title, lines))
    counts = InterventionSession.objects.filter(case=case, held_on__gte=week, held_on__lte=summary.week_end).aggregate(
        held=Count("pk", filter=Q(attendance=A.ATTENDED)),
        missed=Count("pk", filter=Q(attendance__in=[A.DID_NOT_ATTEND, A.CANCELLED])),
    )
    summary.held, summary.missed = counts["held"], counts["missed"]
    summary.next_session = (
        Appointment.objects.filter(
            case=case, kind=Appointment.Kind.SESSION, status=Appointment.Status.PLANNED, starts_at__gte=now
        )
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return summary
