"""Reassigning cases: a supervisor moves one case, or part or all of a practitioner's caseload,
to another practitioner, with a reason.

Access follows the case (cases.rules.holds_case: a practitioner works the cases they hold), so
the practitioner who gave a case up can no longer open it. What was still to be reminded about
the case moves to the new practitioner; a reminder they already had is not sent twice. The
diary's planned sessions and meetings and the weekly meeting's future reminders read the
case's practitioner, so they follow by themselves.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from eip.access import require
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.notifications.models import Notification
from eip.notifications.services import notification_send_now
from eip.people.models import Role

from ..kernel import CaseError, CaseIncomplete
from ..models import Case, CaseEvent, CaseReassignment
from ._common import case_link


def _reminders_move(*, cases: list[Case], from_ids: set[int], to_practitioner, now) -> int:
    """Hand the still-unsent reminders about `cases` (their subject is the case, or their link
    leads to one of its pages) from the practitioners who held them to the new one."""
    about = Q(subject_type=ContentType.objects.get_for_model(Case), subject_id__in=[c.pk for c in cases])
    for case in cases:
        about |= Q(link__startswith=reverse("case-detail", args=[case.pk]))
    pending = Notification.objects.filter(
        about, recipient_id__in=from_ids, sent_at__isnull=True, cancelled_at__isnull=True
    )
    keys = list(pending.values_list("key", flat=True))
    if not keys:
        return 0
    already = set(Notification.objects.filter(recipient=to_practitioner, key__in=keys).values_list("key", flat=True))
    if already:
        pending.filter(key__in=already).update(cancelled_at=now)  # they have it: nothing twice
    return pending.exclude(key__in=already).update(recipient=to_practitioner, dispatched_at=None)


@transaction.atomic
def cases_reassign(*, cases, to_practitioner, user, reason: str) -> list[Case]:
    """Move `cases` to `to_practitioner`. Refuses as a whole (nothing moved) if a reason is
    missing or the receiver cannot hold cases."""
    require(user, "case.reassign")
    errors = {}
    ids = [case.pk for case in cases]
    # One case reassigned from its own page is "the case"; a caseload's, "the cases".
    the_cases, are = ("the case", "is") if len(ids) == 1 else ("the cases", "are")
    if not reason.strip():
        errors["reason"] = f"Say why {the_cases} {are} being reassigned"
    if to_practitioner is None or to_practitioner.role != Role.PRACTITIONER or not to_practitioner.is_active:
        errors["to_practitioner"] = f"Choose the practitioner who will hold {the_cases}"
    if not ids:
        errors["cases"] = "Choose at least one case to reassign"
    if errors:
        raise CaseIncomplete(errors)
    locked = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("referral", "referrer", "practitioner")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    moving = [case for case in locked if case.practitioner_id != to_practitioner.pk]
    if not moving:
        raise CaseError(f"{to_practitioner.full_name} already holds {'this case' if len(ids) == 1 else 'these cases'}.")
    now = timezone.now()
    reason = reason.strip()
    from_ids = {case.practitioner_id for case in moving}
    CaseReassignment.objects.bulk_create(
        [
            CaseReassignment(
                case=case,
                from_practitioner_id=case.practitioner_id,
                to_practitioner=to_practitioner,
                reason=reason,
                by=user,
                at=now,
            )
            for case in moving
        ]
    )
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                actor=user,
                kind="reassigned",
                summary=f"Case reassigned from {case.practitioner.full_name} to {to_practitioner.full_name}",
            )
            for case in moving
        ]
    )
    Case.objects.filter(pk__in=[c.pk for c in moving]).update(practitioner=to_practitioner, version=F("version") + 1)
    moved = _reminders_move(cases=moving, from_ids=from_ids, to_practitioner=to_practitioner, now=now)
    for case in moving:
        audit_record(
            actor=user,
            action=AuditEvent.Action.CHANGED,
            record=case,
            detail={
                "event": "reassigned",
                "from": case.practitioner_id,
                "to": to_practitioner.pk,
                "reason": reason,
            },
        )
    references = ", ".join(case.reference for case in moving)
    notification_send_now(
        recipients=[to_practitioner],
        kind="case.reassigned",
        key=f"cases-reassigned:{to_practitioner.pk}:{now.isoformat()}",
        subject=moving[0] if len(moving) == 1 else None,
        link=case_link(moving[0]) if len(moving) == 1 else reverse("case-list"),
        message=f"{user.full_name} has reassigned {len(moving)} case{'s' if len(moving) != 1 else ''} to you: "
        f"{references}."
        + (f" {moved} reminder{'s' if moved != 1 else ''} about them will now come to you." if moved else ""),
    )
    for case in moving:
        notification_send_now(
            recipients=[case.referrer],
            kind="case.reassigned",
            key=f"case:{case.pk}:reassigned:{now.isoformat()}",
            subject=case,
            link=case_link(case),
            message=f"Case {case.reference} is now held by {to_practitioner.full_name}, "
            f"who will be your contact for it.",
        )
    for case in moving:
        case.practitioner = to_practitioner
    return moving


def case_reassign(*, case, to_practitioner, user, reason: str) -> Case:
    """Move one case to another practitioner."""
    return cases_reassign(cases=[case], to_practitioner=to_practitioner, user=user, reason=reason)[0]
