"""Reading cases: the access gate for one case, the caseload with what is due, the timeline."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from eip import access
from eip.people.models import Role
from eip.workdays import add_working_days

from .models import Case, Consent, Consultation, ProfessionalsMeeting, RiskAction

St = Case.Stage


def case_list_for_user(*, user) -> QuerySet[Case]:
    cases = Case.objects.select_related("referral", "borough", "practitioner", "person")
    if user.role in (Role.PRACTITIONER, Role.SUPERVISOR):
        return cases
    # Cases opened to this person by emergency access ("break the glass"), while it lasts.
    from .models import EmergencyAccess

    emergency = Q(pk__in=EmergencyAccess.objects.filter(user=user, expires_at__gt=timezone.now()).values("case"))
    if user.role == Role.BOROUGH_SPOC:
        return cases.filter(Q(borough_id=user.borough_id) | emergency)
    if user.role == Role.SOCIAL_WORKER:
        return cases.filter(
            Q(pk__in=access.granted(user, "cases.view_case", Case.objects.all()).values("pk")) | emergency
        )
    return cases.none()


def case_get_for_user(*, user, pk, action="case.view") -> Case:
    """The one gate for a case record: 404 unless the policy lets this user see it."""
    return access.get_for_user(user, action, case_list_for_user(user=user), pk=pk)


def _assessments_done(stage):
    from assessments.models import Assessment

    return Subquery(
        Assessment.objects.filter(case=OuterRef("pk"), stage=stage, is_current=True)
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


def _placements():
    from accommodation.models import Placement

    return Placement.objects.all()


def _with_due_facts(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate what the caseload needs to know about each case in the one query."""
    meetings = ProfessionalsMeeting.objects.filter(case=OuterRef("pk")).order_by("-held_on")
    consultations = Consultation.objects.filter(case=OuterRef("pk")).order_by("-scheduled_at")
    return cases.annotate(
        last_meeting_on=Subquery(meetings.values("held_on")[:1]),
        consultation_at=Subquery(consultations.values("scheduled_at")[:1]),
        open_risk_actions=Subquery(
            RiskAction.objects.filter(case=OuterRef("pk"), done_on__isnull=True)
            .values("case")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        intake_done=_assessments_done("intake"),
        mid_done=_assessments_done("mid"),
        exit_done=_assessments_done("exit"),
        placement_ends_on=Subquery(
            _placements().filter(request__case=OuterRef("pk"), status="approved").values("planned_end_on")[:1]
        ),
        client_consent=Exists(Consent.objects.filter(case=OuterRef("pk"), party="client", withdrawn_on__isnull=True)),
        partner_consent=Exists(Consent.objects.filter(case=OuterRef("pk"), party="partner", withdrawn_on__isnull=True)),
    )


@dataclass(frozen=True)
class DueItem:
    what: str
    due: date | None
    overdue: bool


def due_items(case: Case, today: date | None = None) -> list[DueItem]:
    """What is due on a case, soonest first, from an annotated case (no extra queries)."""
    today = today or timezone.localdate()
    if case.stage in Case.CLOSED_STAGES:
        return []
    items = []
    if getattr(case, "open_risk_actions", 0):
        items.append(DueItem("IDVA and MARAC referrals", None, True))
    if case.stage == St.AWAITING_CONSULTATION:
        due = add_working_days(timezone.localtime(case.opened_at).date(), settings.EIP_CONSULTATION_WORKING_DAYS)
        what = "Hold the case consultation" if case.consultation_at else "Arrange the case consultation"
        items.append(DueItem(what, due, today > due))
    elif case.stage == St.AWAITING_CONSENT:
        missing = [p for p, given in (("client", case.client_consent), ("partner", case.partner_consent)) if not given]
        items.append(
            DueItem("Consent from " + " and ".join(missing) if missing else "Start the intervention", None, False)
        )
    ends_on = getattr(case, "placement_ends_on", None)
    if ends_on is not None:
        left = (ends_on - today).days
        what = (
            f"Accommodation ends ({left} day{'s' if left != 1 else ''} left)" if left >= 0 else "Accommodation move-on"
        )
        items.append(DueItem(what, ends_on, left < 0))
    if case.stage in Case.MEETING_STAGES:
        from assessments.instruments import Instrument
        from assessments.services import due_date

        total = len(Instrument.values)
        for stage, label in (
            ("intake", "Intake assessments"),
            ("mid", "Four-week assessments"),
            ("exit", "Exit assessments"),
        ):
            done = getattr(case, f"{stage}_done") or 0
            due = due_date(case, stage)
            if due is not None and done < total:
                items.append(DueItem(f"{label} ({done} of {total} done)", due, today > due))
                break  # the earliest stage still open is the one to act on
        since = max(filter(None, [case.last_meeting_on, case.intervention_started_on]))
        due = since + timedelta(days=settings.EIP_MEETING_INTERVAL_DAYS)
        items.append(DueItem("Professionals meeting", due, today > due))
    return sorted(items, key=lambda i: (not i.overdue, i.due or date.max))


def caseload_for_user(*, user, practitioner=None, stage="", search="", include_closed=False):
    """Open cases with what is due: a practitioner's own, or (supervisors) the team's."""
    cases = case_list_for_user(user=user)
    if user.role == Role.PRACTITIONER and practitioner is None:
        practitioner = user
    if practitioner is not None:
        cases = cases.filter(practitioner=practitioner)
    if not include_closed:
        cases = cases.filter(stage__in=Case.ACTIVE_STAGES)
    if stage:
        cases = cases.filter(stage=stage)
    if search:
        term = search.strip()
        cases = cases.filter(
            Q(referral__reference__icontains=term)
            | Q(referral__client_first_name__icontains=term)
            | Q(referral__client_last_name__icontains=term)
        )
    return _with_due_facts(cases).order_by("opened_at")


def weeks_open(case: Case, today: date | None = None) -> int:
    today = today or timezone.localdate()
    end = timezone.localtime(case.closed_at).date() if case.closed_at else today
    return (end - timezone.localtime(case.opened_at).date()).days // 7


def case_with_due_facts(*, case: Case) -> Case:
    return _with_due_facts(Case.objects.filter(pk=case.pk)).select_related("referral").get()
