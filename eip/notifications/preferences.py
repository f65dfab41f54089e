"""Each person's choice of how they are e-mailed about each kind of notification.

The in-app list always has everything; these choices only decide the e-mail. Kinds and the
choices each allows are declared in eip.notifications.kinds.
"""

from django.db import transaction

from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.errors import Incomplete

from .kinds import NotificationKind, notification_kind, notification_kinds
from .models import NotificationPreference


def notification_preference(*, user, kind: str) -> str:
    """How `user` is e-mailed about `kind`: their choice if the kind still allows it, else its default."""
    declared = notification_kind(kind)
    if declared.fixed:
        return declared.default
    chosen = NotificationPreference.objects.filter(user=user, kind=kind).values_list("email", flat=True).first()
    return chosen if chosen in declared.options else declared.default


def notification_preferences_for_user(*, user) -> list[tuple[NotificationKind, str]]:
    """Every kind the user's role receives with how they are e-mailed about it (one query)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    rows = []
    for kind in notification_kinds(role=user.role):
        email = chosen.get(kind.code)
        rows.append((kind, email if email in kind.options and not kind.fixed else kind.default))
    return rows


def notification_preferences_set(*, user, choices: dict[str, str]) -> int:
    """Record the user's e-mail choice per kind; returns how many changed. A choice a kind does not
    allow (turning off an alert that must be e-mailed) is refused, naming the kind, and nothing is saved."""
    errors = {}
    for code, email in choices.items():
        kind = notification_kind(code)
        if email not in kind.options:
            errors[code] = f"Choose how to be emailed about “{kind.label.lower()}”"
    if errors:
        raise Incomplete(errors)
    current = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    changed = {
        code: email for code, email in choices.items() if current.get(code, notification_kind(code).default) != email
    }
    with transaction.atomic():
        for code, email in changed.items():
            NotificationPreference.objects.update_or_create(user=user, kind=code, defaults={"email": email})
        if changed:
            # "Why was I not e-mailed?" has an answer in the trail.
            audit_record(
                actor=user,
                action=AuditEvent.Action.CHANGED,
                record=user,
                label=user.email,
                detail={"event": "notification settings", "email": changed},
            )
    return len(changed)
