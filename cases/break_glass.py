"""Break the glass: a social worker's emergency access to a case in their own borough that
they cannot normally see. Granted at once within a limit, approved by a supervisor beyond it,
always reviewed afterwards; the audit trail records every step."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from eip import access
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.notifications.services import notification_cancel, notification_schedule, notification_send_now
from eip.people.models import Role, User
from eip.workdays import OVERDUE, reminder_delivery_at, working_days_after_receipt

from .kernel import CaseError, CaseIncomplete
from .models import EmergencyAccess
from .selectors import emergency_access_case


def _link(case):
    return reverse("case-detail", args=[case.pk])


EMERGENCY_ACCESS_HOURS = 24
# The limit on grants a person may take without approval counts this far back.
EMERGENCY_ACCESS_LIMIT_WINDOW = timedelta(days=30)


class EmergencyAccessUnavailable(CaseError):
    """Emergency access cannot open this case number. The same answer, on purpose, for a case
    that does not exist, a case in another borough and a borough without an agreement in force."""


def emergency_access_unavailable_message(case_number) -> str:
    return f"Emergency access is not available for case {case_number}."


def _supervisors(*, but=None):
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
    return supervisors.exclude(pk=but.pk) if but is not None else supervisors


def _emergency_link(row) -> str:
    return reverse("emergency-access-detail", args=[row.pk])


def _locked_emergency_access(row) -> EmergencyAccess:
    return (
        EmergencyAccess.objects.select_for_update(of=("self",))
        .select_related("case__referral", "case__borough", "user__borough", "reviewed_by", "decided_by")
        .get(pk=row.pk)
    )


def emergency_access_uses(*, user, now: datetime | None = None) -> int:
    """How many grants of emergency access `user` has had in the last 30 days."""
    now = now or timezone.now()
    return EmergencyAccess.objects.filter(user=user, granted_at__gt=now - EMERGENCY_ACCESS_LIMIT_WINDOW).count()


def emergency_access_request(*, case_number: int, user, reason: str) -> EmergencyAccess:
    """Break the glass: a social worker asks for 24 hours on a case in their own borough that
    they cannot normally open, with a reason. Granted at once up to the limit of uses in 30 days
    (EIP_BREAK_GLASS_LIMIT_PER_30_DAYS); beyond it the request waits for a supervisor's approval.
    Every grant alerts the supervisors and waits for their review.

    Returns the grant, or the request waiting for approval (an open grant or waiting request
    for the same case is returned as it is). Raises EmergencyAccessUnavailable, after auditing
    the attempt, when the number is not a case this person may open this way: it does not exist,
    is in another borough, or their borough's information sharing agreement is not in force.
    Those answers are identical and cost the same queries, so they say nothing about which."""
    reason = reason.strip()
    if len(reason) < 10:
        raise CaseIncomplete({"reason": "Explain why you need this case now, in a sentence"})
    if not access.allowed(user, "case.break_glass"):
        raise CaseError("Only a social worker can ask for emergency access to a case.")
    now = timezone.now()
    with transaction.atomic():
        # Lock the person, so two requests at once cannot both come in under the limit.
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
        case = emergency_access_case(user=user, case_number=case_number)
        if case is not None:
            return _emergency_access_open(case=case, user=user, reason=reason, now=now)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATED,
            label=f"Emergency access request for case number {case_number}",
            detail={"break_glass": "not available", "case_number": str(case_number), "reason": reason[:300]},
        )
    raise EmergencyAccessUnavailable(emergency_access_unavailable_message(case_number))


def _emergency_access_open(*, case, user, reason, now) -> EmergencyAccess:
    current = (
        EmergencyAccess.objects.open_to(user, now=now).filter(case=case).first()
        or EmergencyAccess.objects.filter(user=user, case=case, status=EmergencyAccess.Status.WAITING).first()
    )
    if current is not None:
        return current
    if access.allowed(user, "case.view", case):
        raise CaseError("You can already open this case: you do not need emergency access.")
    uses = emergency_access_uses(user=user, now=now)
    needs_approval = uses >= settings.EIP_BREAK_GLASS_LIMIT_PER_30_DAYS
    row = EmergencyAccess.objects.create(
        case=case,
        user=user,
        reason=reason,
        requested_at=now,
        status=EmergencyAccess.Status.WAITING if needs_approval else EmergencyAccess.Status.GRANTED,
        **({} if needs_approval else _grant_fields(now)),
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATED,
        record=row,
        detail={
            "break_glass": "requested",
            "reason": reason[:300],
            "uses_in_30_days": uses,
            "waits_for_approval": needs_approval,
        },
    )
    if needs_approval:
        notification_send_now(
            recipients=_supervisors(),
            kind="case.break_glass_approval",
            key=f"emergency-access:{row.pk}:approval",
            subject=row,
            link=_emergency_link(row),
            message=f"{user.full_name} ({user.role_label}) asks for emergency access to case {case.reference}. "
            f"They have had emergency access {uses} times in the last 30 days, so it waits for a supervisor "
            f"to approve or refuse it.",
        )
    else:
        _emergency_access_granted(row, by=user)
    return row


def _grant_fields(now) -> dict:
    return {
        "granted_at": now,
        "expires_at": now + timedelta(hours=EMERGENCY_ACCESS_HOURS),
        "review_due_on": working_days_after_receipt(now, settings.EIP_BREAK_GLASS_REVIEW_WORKING_DAYS),
    }


def _emergency_access_granted(row, *, by) -> None:
    """Audit a grant, alert the supervisors and schedule the reminder of its review."""
    case, user = row.case, row.user
    approved = by.pk != user.pk
    audit_record(
        actor=by,
        action=AuditEvent.Action.PERMISSION_CHANGED,
        record=case,
        detail={
            "break_glass": "granted",
            "emergency_access": row.pk,
            "to": user.full_name,
            "to_user": user.pk,
            "reason": row.reason[:300],
            "hours": EMERGENCY_ACCESS_HOURS,
            "approved_by": by.full_name if approved else "",
        },
    )
    due = row.review_due_on
    notification_send_now(
        recipients=_supervisors(but=by if approved else None),
        kind="case.break_glass",
        key=f"case:{case.pk}:break-glass:{row.pk}",
        subject=case,
        link=_emergency_link(row),
        message=f"{user.full_name} ({user.role_label}) used emergency access to case {case.reference}"
        f"{f', approved by {by.full_name}' if approved else ''}. Their reason is in the audit log. "
        f"Mark it justified or not justified by {due:%A %-d %B %Y}.",
    )
    # Once, to every supervisor, on the first working day after the review was due.
    notification_schedule(
        recipients=_supervisors(),
        kind="case.break_glass_review_overdue",
        key=f"emergency-access:{row.pk}:review-overdue",
        subject=row,
        link=_emergency_link(row),
        due_at=reminder_delivery_at(day=due, timing=OVERDUE),
        message=f"The review of {user.full_name}'s emergency access to case {case.reference} was due by "
        f"{due:%A %-d %B %Y} and is overdue. Mark it justified or not justified.",
    )


@transaction.atomic
def emergency_access_approve(*, emergency_access, user, note: str = "") -> EmergencyAccess:
    """A supervisor approves a request over the limit: the 24 hours start now."""
    if not access.allowed(user, "emergency_access.approve", emergency_access):
        raise CaseError("Only a supervisor can approve emergency access.")
    row = _locked_emergency_access(emergency_access)
    if row.status != EmergencyAccess.Status.WAITING:
        raise CaseError(f"This request has already been decided: {row.get_status_display().lower()}.")
    # The borough's agreement may have ended, or the person moved borough, since they asked.
    if emergency_access_case(user=row.user, case_number=row.case_id) is None:
        raise CaseError(
            f"Emergency access is no longer possible: case {row.case.reference} is not in "
            f"{row.user.full_name}'s borough, or that borough's information sharing agreement is not in force. "
            f"Refuse the request."
        )
    now = timezone.now()
    row.status = EmergencyAccess.Status.GRANTED
    row.decided_by, row.decided_at, row.decision_note = user, now, note.strip()
    for name, value in _grant_fields(now).items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    _emergency_access_granted(row, by=user)
    notification_send_now(
        recipients=[row.user],
        kind="case.break_glass_decided",
        key=f"emergency-access:{row.pk}:decided",
        subject=row,
        link=_link(row.case),
        message=f"{user.full_name} approved your emergency access to case {row.case.reference}. "
        f"It lasts until {timezone.localtime(row.expires_at):%H:%M on %A %-d %B %Y}.",
    )
    return row


@transaction.atomic
def emergency_access_refuse(*, emergency_access, user, note: str) -> EmergencyAccess:
    """A supervisor refuses a request over the limit, saying why."""
    note = note.strip()
    if not note:
        raise CaseIncomplete({"note": "Say why you are refusing the request"})
    if not access.allowed(user, "emergency_access.approve", emergency_access):
        raise CaseError("Only a supervisor can refuse emergency access.")
    row = _locked_emergency_access(emergency_access)
    if row.status != EmergencyAccess.Status.WAITING:
        raise CaseError(f"This request has already been decided: {row.get_status_display().lower()}.")
    row.status = EmergencyAccess.Status.REFUSED
    row.decided_by, row.decided_at, row.decision_note = user, timezone.now(), note
    row.full_clean()
    row.save()
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=row,
        detail={"break_glass": "refused", "note": note[:300]},
    )
    notification_send_now(
        recipients=[row.user],
        kind="case.break_glass_decided",
        key=f"emergency-access:{row.pk}:decided",
        subject=row,
        message=f"{user.full_name} refused your request for emergency access to case {row.case.reference}. "
        f"Speak to them if you need to know why.",
    )
    return row


@transaction.atomic
def emergency_access_review(*, emergency_access, user, justified: bool, note: str) -> EmergencyAccess:
    """A supervisor marks a grant justified or not justified, with a note. Not justified ends
    any time left at once and tells the person."""
    note = note.strip()
    if not note:
        raise CaseIncomplete({"note": "Write a note: what you checked and what you found"})
    if not access.allowed(user, "emergency_access.review", emergency_access):
        raise CaseError("Only a supervisor can review emergency access.")
    row = _locked_emergency_access(emergency_access)
    if row.status != EmergencyAccess.Status.GRANTED:
        raise CaseError("Only emergency access that was granted is reviewed.")
    if row.reviewed_at:
        raise CaseError(f"{row.reviewed_by.full_name} has already reviewed this emergency access.")
    now = timezone.now()
    row.reviewed_by, row.reviewed_at, row.review_note = user, now, note
    row.outcome = EmergencyAccess.Outcome.JUSTIFIED if justified else EmergencyAccess.Outcome.NOT_JUSTIFIED
    ended = not justified and row.expires_at > now
    if ended:
        row.expires_at = now
    row.full_clean()
    row.save()
    notification_cancel(subject=row, kind="case.break_glass_review_overdue")
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=row,
        detail={"break_glass": "reviewed", "outcome": row.outcome, "access_ended": ended, "note": note[:300]},
    )
    if not justified:
        notification_send_now(
            recipients=[row.user],
            kind="case.break_glass_not_justified",
            key=f"emergency-access:{row.pk}:not-justified",
            subject=row,
            message=f"{user.full_name} reviewed your emergency access to case {row.case.reference} and found it "
            f"not justified.{' Your access has ended.' if ended else ''} Speak to them about it.",
        )
    return row
