from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from eip.audit.models import AuditEvent
from eip.audit.services import audit_record

# Changing any of these changes what a person may see, so each change is audited.
ACCESS_FIELDS = (
    "role",
    "borough_id",
    "organisation_id",
    "is_active",
    "is_staff",
    "is_superuser",
    # Which council identity signs in as this account.
    "sso_subject",
)


def user_access_changes(*, before: dict, user) -> dict:
    return {
        field: {"from": before.get(field), "to": getattr(user, field)}
        for field in ACCESS_FIELDS
        if before.get(field) != getattr(user, field)
    }


@transaction.atomic
def user_save(*, user, actor, before: dict | None = None) -> None:
    """Save a user account as an administrator changed it: validate, audit changes of
    access, and end the sessions of a disabled account."""
    user.full_clean()
    created = user.pk is None
    user.save()
    if created:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATED,
            record=user,
            label=user.email,
            detail={"role": user.role},
        )
        return
    changes = user_access_changes(before=before or {}, user=user)
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.PERMISSION_CHANGED,
            record=user,
            label=user.email,
            detail={"changes": changes},
        )
    if "is_active" in changes and not user.is_active:
        user_end_sessions(user=user)


def user_end_sessions(*, user) -> int:
    """Sign a person out everywhere (database-backed sessions)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended
