from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .models import AuditEvent
from .services import audit_record


def _signed_in(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditEvent.Action.SIGNED_IN, record=user, label=user.email)


def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.SIGNED_OUT, record=user, label=user.email)


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # The attempted address is kept to spot attacks; the password never is.
    audit_record(
        actor=None,
        action=AuditEvent.Action.SIGN_IN_FAILED,
        detail={"username": str(credentials.get("username", ""))[:150]},
    )


def connect():
    user_logged_in.connect(_signed_in, dispatch_uid="audit_signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit_signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit_sign_in_failed")
