"""The exit stage and closing the case."""

from django.db import transaction
from django.utils import timezone

from eip.notifications.services import notification_cancel, notification_send_now

from .. import kernel
from ..kernel import CaseError, CaseIncomplete, case_event_record, case_lock, stage_require, stale_page_check
from ..models import Case, CaseDraft
from ._common import case_link
from ._drafts import draft_keep, drafts_remove

St = Case.Stage


@transaction.atomic
def exit_start(*, case, user) -> Case:
    case = case_lock(case)
    stage_require(case, [St.INTERVENTION], "start the exit stage")
    case.stage = St.EXIT
    case.exit_started_on = timezone.localdate()
    case.version += 1
    case.save()
    kernel.exit_started(case)  # assessments schedules the exit reminders
    case_event_record(case, user, "exit_started", "Exit stage started: exit assessments and onward plan due")
    return case


CLOSURE_STAGE = {
    "completed": St.CLOSED,
    "higher_risk_service": St.CLOSED,
    "dropped_out": St.DISENGAGED,
    "did_not_engage": St.DISENGAGED,
    "unsuitable": St.NOT_SUITABLE,
}


@transaction.atomic
def case_close(
    *,
    case,
    user,
    reason,
    exit_summary,
    onward_plan,
    no_exit_assessment_reason="",
    expected_version: int | None = None,
) -> Case:
    """Close the case with its exit summary and onward plan. Forms pass the `expected_version`
    their page showed, so a closure typed against an out-of-date case is refused."""
    case = case_lock(case)
    if not case.is_open:
        raise CaseError("The case is already closed.")
    stale_page_check(current_version=case.version, expected_version=expected_version)
    errors = {}
    if reason not in Case.ClosureReason.values:
        errors["reason"] = "Select why the case is closing"
    elif reason == "completed" and case.stage != St.EXIT:
        errors["reason"] = "A case can close as completed only from the exit stage"
    if not exit_summary.strip():
        errors["exit_summary"] = "Write the exit summary"
    if not onward_plan.strip():
        errors["onward_plan"] = "Write the onward plan, or say there is none"
    open_actions = [a.get_kind_display() for a in case.risk_actions.filter(done_on__isnull=True)]
    if open_actions:
        errors["risk_actions"] = (
            "Finish the open risk actions before closing: "
            + "; ".join(open_actions)
            + ". Record them as done on the Risk page."
        )
    if not kernel.exit_assessments_done(case) and not no_exit_assessment_reason.strip():
        errors["no_exit_assessment_reason"] = "Complete the exit assessments, or say why they could not be done"
    if errors:
        raise CaseIncomplete(errors)
    # A closed case's plan can no longer change either: no draft outlives the case's work.
    drafts_remove(case=case, forms=CaseDraft.Form.values)
    case.stage = CLOSURE_STAGE[reason]
    case.closure_reason, case.exit_summary, case.onward_plan = (
        reason,
        exit_summary.strip(),
        onward_plan.strip(),
    )
    case.no_exit_assessment_reason = no_exit_assessment_reason.strip()
    case.closed_at = timezone.now()
    case.version += 1
    case.save()
    notification_cancel(subject=case)
    kernel.case_closed(case, user)  # the diary cancels the sessions and meetings still planned
    case_event_record(case, user, "closed", f"Case closed: {case.get_closure_reason_display().lower()}")
    notification_send_now(
        recipients=[case.referrer],
        kind="case.closed",
        key=f"case:{case.pk}:closed",
        subject=case,
        link=case_link(case),
        message=f"Case {case.reference} has been closed ({case.get_closure_reason_display().lower()}).",
    )
    return case


@transaction.atomic
def closure_draft_save(
    *, case, user, reason="", exit_summary="", onward_plan="", no_exit_assessment_reason=""
) -> CaseDraft:
    """Keep a half-written closure for its author to resume. What closing requires (a
    summary, no open risk actions, the exit assessments) waits until the case is closed,
    but a reason that is not one of the closure reasons is refused beside its field."""
    case = case_lock(case)
    if not case.is_open:
        raise CaseError("The case is already closed.")
    if reason and reason not in Case.ClosureReason.values:
        raise CaseIncomplete({"reason": "Select one of the reasons a case closes"})
    content = {
        "reason": reason,
        "exit_summary": exit_summary,
        "onward_plan": onward_plan,
        "no_exit_assessment_reason": no_exit_assessment_reason,
    }
    return draft_keep(case=case, user=user, form=CaseDraft.Form.CLOSURE, content=content)
