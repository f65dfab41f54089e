"""Two-factor sign-in: a TOTP authenticator app, with single-use recovery codes.

Who may set up an app: a person with no second factor yet (first enrolment), or a session
that has passed the person's current second factor (to replace their own app). A password
alone never replaces a second factor: that takes an administrator's reset, after which the
next sign-in is a first enrolment again.
"""

import base64
import secrets

from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from eip import access
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record

RECOVERY_CODES = 10
# The session remembers which unconfirmed app it is setting up (its id only, never the key),
# so two sessions never share a key and a finished set-up cannot be replayed.
PENDING_SESSION_KEY = "eip_two_factor_pending"
# Set by a council sign-in whose identity provider asked for a second factor itself (its `amr`
# claim, eip/people/sso.py): that sign-in has passed two factors, so EIP does not ask again.
IDENTITY_PROVIDER_MFA_KEY = "eip_second_factor_at_identity_provider"


class SetUpRefused(Exception):
    """Only an administrator's reset lets this session set up an app."""


def two_factor_is_set_up(*, user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def takes_codes(*, user) -> bool:
    """Whether the person has an app or recovery codes, so a typed code can sign them in."""
    return any(model.objects.filter(user=user, confirmed=True).exists() for model in (TOTPDevice, StaticDevice))


def second_factor_passed(*, request) -> bool:
    """Whether this session has passed a second factor: EIP's own, or the identity provider's."""
    return request.user.is_verified() or request.session.get(IDENTITY_PROVIDER_MFA_KEY) is True


def two_factor_setup_allowed(*, request) -> bool:
    """First enrolment, or a session that passed the current second factor."""
    user = request.user
    if not user.is_authenticated:
        return False
    # OTPMiddleware only counts a session verified while the device it used still exists,
    # so a session verified with a since-replaced app is not verified any more.
    return second_factor_passed(request=request) or not two_factor_is_set_up(user=user)


def totp_device_start(*, request) -> TOTPDevice:
    """The app this session is setting up: the same one on a reload, otherwise a new key.

    Never touches a confirmed device: the current app keeps working until the new one is
    confirmed. One unconfirmed app per person at a time."""
    if not two_factor_setup_allowed(request=request):
        raise SetUpRefused
    user = request.user
    pending = TOTPDevice.objects.filter(
        user=user, confirmed=False, pk=request.session.get(PENDING_SESSION_KEY) or 0
    ).first()
    if pending is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        pending = TOTPDevice.objects.create(user=user, confirmed=False, name="Authenticator app")
        request.session[PENDING_SESSION_KEY] = pending.pk
    return pending


def secret_for_display(device: TOTPDevice) -> str:
    """The key to type into an authenticator app, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def totp_device_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the app with a code from it; return new recovery codes, or None if the code is wrong.

    Every other second factor of the person (an old app, old recovery codes) is removed, so
    sessions verified with them are no longer verified. The codes are returned once, to be
    shown once: they are not kept anywhere readable."""
    from eip.people.models import User

    # One confirmation per person at a time, and the permission re-checked under that lock:
    # another session may have finished its own set-up since this one started.
    User.objects.select_for_update().filter(pk=device.user_id).first()
    if not two_factor_setup_allowed(request=request):
        raise SetUpRefused
    if device.user_id != request.user.pk or device.confirmed:
        raise SetUpRefused
    if not device.verify_token(token.replace(" ", "")):
        return None
    # Replacing an app, or adding one beside passkeys (the person is told of either).
    replacing = TOTPDevice.objects.filter(user=device.user, confirmed=True).exists()
    adding = not replacing and two_factor_is_set_up(user=device.user)
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    # A new recovery device (not new tokens on the old one), so a session verified with an
    # old recovery code stops being verified too.
    StaticDevice.objects.filter(user=device.user).delete()
    recovery = StaticDevice.objects.create(user=device.user, name="Recovery codes", confirmed=True)
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    otp_login(request, device)
    request.session.pop(PENDING_SESSION_KEY, None)
    event = audit_record(
        actor=device.user,
        action=AuditEvent.Action.PERMISSION_CHANGED,
        record=device.user,
        label=device.user.email,
        detail={"two_factor": "replaced" if replacing else "app added" if adding else "set up"},
    )
    if replacing:
        tell(
            user=device.user,
            key=f"two_factor.replaced:{event.pk}",
            message=(
                "Your EIP authenticator app was changed\n\n"
                "A new authenticator app was set up for your EIP account and the old one no longer works. "
                "If this was not you, tell an administrator at once."
            ),
        )
    elif adding:
        tell(
            user=device.user,
            key=f"two_factor.app_added:{event.pk}",
            message=(
                "An authenticator app was added to your EIP account\n\n"
                "An authenticator app was set up for your EIP account, beside your passkeys. "
                "If this was not you, tell an administrator at once."
            ),
        )
    return codes


def two_factor_verify(*, request, token: str) -> bool:
    """Accept a code from the app or an unused recovery code (which is then used up)."""
    device = match_token(request.user, token.strip().replace(" ", ""))
    if device is None:
        return False
    otp_login(request, device)
    return True


@transaction.atomic
def two_factor_reset(*, user, by) -> int:
    """An administrator removes a person's authenticator app, passkeys and recovery codes (for a
    lost phone or device): the person is signed out everywhere, told by email, and sets up a new app at
    their next sign-in. Returns how many devices were removed."""
    from eip.people.services import user_end_sessions

    access.require(by, "people.two_factor_reset")
    removed = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        removed += 1
    user_end_sessions(user=user)
    event = audit_record(
        actor=by,
        action=AuditEvent.Action.PERMISSION_CHANGED,
        record=user,
        label=user.email,
        detail={"two_factor": "reset", "devices_removed": removed},
    )
    tell(
        user=user,
        key=f"two_factor.reset:{event.pk}",
        message=(
            "Your EIP two-factor sign-in was reset\n\n"
            "An administrator has reset two-factor sign-in for your EIP account, and you have been signed out. "
            "Your authenticator app, recovery codes and passkeys no longer work. "
            "The next time you sign in you will set up two-factor sign-in again. "
            "If you did not ask for this, tell an administrator at once."
        ),
    )
    return removed


def tell(*, user, key: str, message: str) -> None:
    """Email the person about a change to their own second factor (so a change they did not
    make is noticed)."""
    from eip.notifications.services import notification_send_now

    notification_send_now(recipients=[user], kind="people.two_factor_changed", key=key, message=message)
