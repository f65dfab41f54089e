"""Reopening a closed case: the person needs the service again, or the case was closed in error.

The case keeps its history and its reference. Its closure fields are cleared and kept on the
reopening record instead, so the monthly report (evaluation.report) counts what is true now:
the reopened case is not a new referral (no referral row is made), its earlier closure is no
longer counted as an exit (nor its outcome or intervention length) and it counts again as
receiving the intervention while it is open; it is counted as an exit once, when it closes again.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from eip import access
from eip.notifications.services import notification_cancel, notification_send_now
from eip.people.models import Role, User

from ..kernel import CaseError, CaseIncomplete, case_event_record, case_lock, stale_page_check
from ..models import Case, CaseReopening
from ._common import case_link

St = Case.Stage

# A new referral of someone whose case closed this recently offers to reopen that case.
REOPEN_OFFER_WINDOW = timedelta(days=183)


def _stage_on_reopening(case: Case) -> str:
    """Where the work picks up: the intervention if it had started, consent if the consultation
    found the case suitable, otherwise a new case consultation."""
    if case.intervention_started_on:
        return St.INTERVENTION
    if case.consultations.filter(held=True, outcome="suitable").exists():
        return St.AWAITING_CONSENT
    return St.AWAITING_CONSULTATION


def reopen_blocker(case: Case) -> str:
    """Why this case cannot be reopened, or ""."""
    if case.is_open:
        return "The case is open."
    if case.referral.anonymised_at:
        return "This case has been anonymised under the retention policy and cannot be reopened."
    if Case.objects.filter(person_id=case.person_id, stage__in=Case.ACTIVE_STAGES).exclude(pk=case.pk).exists():
        return "This person has another open case: work on that case instead."
    return ""


@transaction.atomic
def case_reopen(*, case, user, reason: str, new_referral=None, expected_version: int | None = None) -> Case:
    """Reopen a closed case with the reason, on the timeline and audited; the supervisors and
    the referring social worker are told (after commit, by the notification outbox)."""
    case = case_lock(case)
    stale_page_check(current_version=case.version, expected_version=expected_version)
    blocker = reopen_blocker(case)
    if blocker:
        raise CaseError(blocker)
    if not reason.strip():
        raise CaseIncomplete({"reason": "Say why the case is being reopened"})
    now = timezone.now()
    stage = _stage_on_reopening(case)
    CaseReopening.objects.create(
        case=case,
        reopened_at=now,
        reopened_by=user,
        reason=reason.strip(),
        new_referral=new_referral,
        closed_stage=case.stage,
        closed_at=case.closed_at,
        closure_reason=case.closure_reason,
        exit_summary=case.exit_summary,
        onward_plan=case.onward_plan,
        reopened_stage=stage,
    )
    was = case.get_closure_reason_display().lower()
    case.stage = stage
    case.closed_at, case.closure_reason = None, ""
    case.exit_summary = case.onward_plan = case.no_exit_assessment_reason = ""
    case.exit_started_on = None
    if new_referral is not None:
        # Reopened on a new referral: the practitioner accepting it takes the case on, with
        # the social worker and borough of the new referral (the earlier referrer keeps their
        # view of the case they referred).
        case.practitioner = user
        if new_referral.referrer_id != case.referrer_id:
            access.grant(new_referral.referrer, "cases.view_case", case)
            case.referrer = new_referral.referrer
        case.borough_id = new_referral.borough_id
    case.version += 1
    case.save()
    notification_cancel(subject=case)  # reminders owed after closure (the partner's follow-up)
    case_event_record(
        case,
        user,
        "reopened",
        f"Case reopened (it had closed: {was})"
        + (f" on referral {new_referral.reference}" if new_referral is not None else ""),
        audit_detail={"reason": reason.strip(), "stage": stage},
    )
    supervisors = list(User.objects.filter(role=Role.SUPERVISOR, is_active=True))
    notification_send_now(
        recipients=[*supervisors, case.referrer],
        kind="case.reopened",
        key=f"case:{case.pk}:reopened:{now.isoformat()}",
        subject=case,
        link=case_link(case),
        message=f"Case {case.reference} has been reopened by {user.full_name}.",
    )
    return case


def reopenable_case_for(*, referral) -> Case | None:
    """The person's case closed in the last six months, which accepting this new referral may
    reopen instead of opening a new case; None if there is none."""
    if referral.person_id is None:
        return None
    since = timezone.now() - REOPEN_OFFER_WINDOW
    case = (
        Case.objects.select_related("referral")
        .filter(person_id=referral.person_id, stage__in=Case.CLOSED_STAGES, closed_at__gte=since)
        .exclude(referral=referral)
        .order_by("-closed_at")
        .first()
    )
    return case if case is not None and not reopen_blocker(case) else None
