"""Passkeys: a phishing-resistant second factor beside the authenticator app (WebAuthn, through
django-otp-webauthn). A passkey replaces the code at sign-in, never the password.

- Adding one follows the app's rule (eip/people/two_factor.py): at first enrolment, or in a
  session that has passed the person's current second factor. The password alone never adds one.
- The relying party is EIP_BASE_URL's host: a passkey answers only there, so a look-alike site
  cannot collect a usable answer.
- Failed attempts slow later ones down as wrong codes do (django-otp's throttling, per person:
  a failure counts against every passkey they have, so trying another one does not dodge it).
- An administrator's two-factor reset removes passkeys with everything else.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.utils import rewrite_exceptions

from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.people.models import Passkey
from eip.people.two_factor import SetUpRefused, tell, two_factor_is_set_up, two_factor_setup_allowed

# The challenge each ceremony signs lives in the session only until it is answered, once.
ADD_STATE = "eip_passkey_add_state"
SIGN_IN_STATE = "eip_passkey_sign_in_state"
NAME_MAX_LENGTH = Passkey._meta.get_field("name").max_length


class PasskeyRefused(Exception):
    """The ceremony failed; `message` is for the person, in plain English."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class LastSecondFactor(Exception):
    """Removing this passkey would leave the person with no second factor at all."""


def relying_party_origin() -> str:
    parts = urlsplit(settings.EIP_BASE_URL)
    return f"{parts.scheme}://{parts.netloc}"


class PasskeyHelper(WebAuthnHelper):
    """django-otp-webauthn's ceremonies, with the relying party read from EIP_BASE_URL (never
    from the request's Host) and the person named by their work email."""

    def get_relying_party_domain(self) -> str:
        return urlsplit(settings.EIP_BASE_URL).hostname

    def get_allowed_origins(self) -> list[str]:
        return [relying_party_origin()]

    def get_credential_name(self, user) -> str:
        return user.email

    def get_credential_display_name(self, user) -> str:
        return f"{user.full_name} ({user.email})" if user.full_name else user.email


def _audit(user, action: str, detail: dict) -> None:
    # About the person's own account, by the person.
    audit_record(actor=user, action=action, record=user, label=user.email, detail=detail)


def passkeys_of(*, user):
    return Passkey.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def passkey_add_begin(*, request) -> dict:
    """The options the browser needs to make a new passkey; the challenge stays in the session."""
    if not two_factor_setup_allowed(request=request):
        raise SetUpRefused
    options, state = PasskeyHelper(request).register_begin(user=request.user)
    request.session[ADD_STATE] = state
    return options


@transaction.atomic
def passkey_add_complete(*, request, data) -> Passkey:
    """Check the browser's answer and keep the new passkey. At first enrolment the session
    counts as having passed two-factor sign-in (as confirming an app does)."""
    from eip.people.models import User

    state = request.session.pop(ADD_STATE, None)
    user = request.user
    # Re-checked under the person's lock: another session may have enrolled since this began.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if not two_factor_setup_allowed(request=request):
        raise SetUpRefused
    if not state:
        raise PasskeyRefused("The passkey was not added. Start again.")
    first = not two_factor_is_set_up(user=user)
    try:
        with rewrite_exceptions():
            passkey = PasskeyHelper(request).register_complete(user=user, state=state, data=data)
    except (OTPWebAuthnApiError, KeyError, TypeError, ValueError) as error:
        raise PasskeyRefused("The passkey was not added. Try again, or use another device.") from error
    passkey.name = f"Passkey {passkeys_of(user=user).count()}"
    passkey.save(update_fields=["name"])
    if first:
        otp_login(request, passkey)
    _audit(user, AuditEvent.Action.PERMISSION_CHANGED, {"two_factor": "passkey added", "passkey": passkey.pk})
    if not first:
        tell(
            user=user,
            key=f"two_factor.passkey_added:{passkey.pk}",
            message=(
                "A passkey was added to your EIP account\n\n"
                "Someone signed in to your EIP account added a passkey, which can be used instead of a code "
                "from your authenticator app. If this was not you, tell an administrator at once."
            ),
        )
    return passkey


def passkey_rename(*, user, passkey: Passkey, name: str) -> Passkey:
    if passkey.user_id != user.pk:
        raise Passkey.DoesNotExist
    passkey.name = name.strip()[:NAME_MAX_LENGTH]
    passkey.save(update_fields=["name"])
    return passkey


@transaction.atomic
def passkey_remove(*, user, passkey: Passkey) -> None:
    """Remove one of the person's own passkeys, unless it is their only second factor: then
    the next sign-in would be a first enrolment, open to anyone with the password."""
    from eip.people.models import User

    if passkey.user_id != user.pk:
        raise Passkey.DoesNotExist
    User.objects.select_for_update().filter(pk=user.pk).first()
    others = passkeys_of(user=user).exclude(pk=passkey.pk).exists()
    if not others and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise LastSecondFactor
    passkey_id = passkey.pk
    passkey.delete()
    _audit(user, AuditEvent.Action.PERMISSION_CHANGED, {"two_factor": "passkey removed", "passkey": passkey_id})
    tell(
        user=user,
        key=f"two_factor.passkey_removed:{passkey_id}",
        message=(
            "A passkey was removed from your EIP account\n\n"
            "A passkey can no longer be used to sign in to your EIP account. "
            "If this was not you, tell an administrator at once."
        ),
    )


def passkey_sign_in_begin(*, request) -> dict:
    """The options for signing in with one of this person's passkeys."""
    if not passkeys_of(user=request.user).exists():
        raise PasskeyRefused("You have no passkey. Enter a code instead.")
    options, state = PasskeyHelper(request).authenticate_begin(user=request.user, require_user_verification=False)
    request.session[SIGN_IN_STATE] = state
    return options


def passkey_sign_in_complete(*, request, data) -> Passkey:
    """Pass the second factor with a passkey, or refuse and count the failure.

    Not one transaction: a failure must stay counted when the attempt is refused."""
    user = request.user
    state = request.session.pop(SIGN_IN_STATE, None)
    passkeys = list(passkeys_of(user=user))
    if not passkeys or not state:
        raise PasskeyRefused("The passkey was not checked. Start again.")
    for passkey in passkeys:
        allowed, why = passkey.verify_is_allowed()
        if not allowed:
            until = timezone.localtime(why["locked_until"])
            raise PasskeyRefused(f"Too many attempts that did not work. Try again after {until:%H:%M:%S}.", status=429)
    try:
        with rewrite_exceptions():
            used = PasskeyHelper(request).authenticate_complete(user=user, state=state, data=data)
    except (OTPWebAuthnApiError, KeyError, TypeError, ValueError) as error:
        for passkey in passkeys:
            passkey.throttle_increment()
        _audit(user, AuditEvent.Action.SIGN_IN_FAILED, {"second_factor": "passkey"})
        raise PasskeyRefused(
            "That passkey did not work. Try again, or enter a code from your authenticator app.", status=403
        ) from error
    for passkey in passkeys:
        if passkey.throttling_failure_count:
            passkey.throttle_reset()
    otp_login(request, used)
    return used
