"""Two-factor sign-in: a TOTP authenticator app, with single-use recovery codes."""

import base64
import secrets

from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from eip.audit.models import AuditEvent
from eip.audit.services import audit_record

RECOVERY_CODES = 10


def totp_device_start(*, user) -> TOTPDevice:
    """The device being set up: one unconfirmed app per person at a time."""
    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(name="Authenticator app").delete()
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "Authenticator app"})
    return device


def secret_for_display(device: TOTPDevice) -> str:
    """The key to type into an authenticator app, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def totp_device_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the app with a code from it; return new recovery codes, or None if the code is wrong."""
    if not device.verify_token(token.replace(" ", "")):
        return None
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    recovery, _ = StaticDevice.objects.get_or_create(
        user=device.user, name="Recovery codes", defaults={"confirmed": True}
    )
    recovery.token_set.all().delete()
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    otp_login(request, device)
    audit_record(
        actor=device.user,
        action=AuditEvent.Action.PERMISSION_CHANGED,
        record=device.user,
        label=device.user.email,
        detail={"two_factor": "set up"},
    )
    return codes


def two_factor_verify(*, request, token: str) -> bool:
    """Accept a code from the app or an unused recovery code (which is then used up)."""
    device = match_token(request.user, token.strip().replace(" ", ""))
    if device is None:
        return False
    otp_login(request, device)
    return True
