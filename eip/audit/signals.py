from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .models import AuditEvent
from .services import audit_record


def _signed_in(sender, request, user, **kwargs):
    # A council sign-in says so, and which second factor it passed (eip/people/sso.py).
    detail = getattr(request, "eip_sign_in_detail", None) or {}
    audit_record(actor=user, action=AuditEvent.Action.SIGNED_IN, record=user, label=user.email, detail=detail)


def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.SIGNED_OUT, record=user, label=user.email)


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # The attempted address is kept to spot attacks; the password never is. A refused council
    # sign-in also says which rule refused it.
    detail = {"username": str(credentials.get("username") or "")[:150]}
    if credentials.get("via"):
        detail.update(via=credentials["via"], reason=credentials.get("reason", ""))
    audit_record(actor=None, action=AuditEvent.Action.SIGN_IN_FAILED, detail=detail)


def connect():
    user_logged_in.connect(_signed_in, dispatch_uid="audit_signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit_signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit_sign_in_failed")
