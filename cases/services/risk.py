"""Risk: disclosures, and the IDVA and MARAC referral actions raised when risk escalates."""

from django.db import transaction

from eip.notifications.services import notification_send_now

from ..kernel import CaseError, CaseIncomplete, case_event_record, case_lock
from ..models import Disclosure, RiskAction
from ._common import case_link, clean_and_save


def risk_actions_raise(*, case, user, reason) -> list[RiskAction]:
    """Open IDVA and MARAC referral actions on the case, unless they are already open."""
    raised = []
    open_kinds = set(case.risk_actions.filter(done_on__isnull=True).values_list("kind", flat=True))
    for kind in RiskAction.Kind.values:
        if kind not in open_kinds:
            raised.append(RiskAction.objects.create(case=case, kind=kind, reason=reason[:300], raised_by=user))
    if raised:
        case_event_record(
            case,
            user,
            "risk_escalated",
            f"Risk escalated: {reason[:200]}. IDVA and MARAC referrals needed.",
            partner_related=True,
        )
        notification_send_now(
            recipients=[case.practitioner],
            kind="case.risk_escalated",
            key=f"case:{case.pk}:escalated:{raised[0].pk}",
            subject=case,
            link=case_link(case),
            message=f"Risk has escalated on case {case.reference}: refer to the high-risk IDVA service and to MARAC.",
        )
    return raised


@transaction.atomic
def disclosure_record(*, case, user, disclosed_on, description, escalate) -> Disclosure:
    case = case_lock(case)
    disclosure = clean_and_save(
        Disclosure(case=case, disclosed_on=disclosed_on, description=description, escalate=escalate, recorded_by=user)
    )
    case_event_record(
        case, user, "disclosure", f"New disclosure recorded ({disclosed_on:%-d %B})", partner_related=True
    )
    if escalate:
        risk_actions_raise(case=case, user=user, reason=f"New disclosure on {disclosed_on:%-d %B %Y}")
    return disclosure


@transaction.atomic
def risk_action_complete(*, action, user, done_on, notes) -> RiskAction:
    case = case_lock(action.case)
    action = RiskAction.objects.select_for_update().get(pk=action.pk)
    if action.done_on:
        raise CaseError("This action is already done.")
    if not notes.strip():
        raise CaseIncomplete({"notes": "Say what was done, for example the date of the MARAC"})
    action.done_on, action.done_notes = done_on, notes.strip()
    action.save()
    case_event_record(case, user, "risk_action_done", f"{action.get_kind_display()}: done", partner_related=True)
    return action
