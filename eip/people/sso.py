"""Single sign-on with an organisation's OpenID Connect identity provider (a council's Microsoft
Entra ID, say), beside password sign-in.

The protocol (authorisation code flow with state, nonce and PKCE; the ID token's RS256 signature
checked against the provider's published keys) is mozilla-django-oidc's; what it means for EIP is
here:

- No account is ever created: an administrator creates it and decides role and borough. The
  first council sign-in links the account whose email the provider vouches for (`email_verified`,
  or an address in one of the organisation's own domains, EIP_OIDC_EMAIL_DOMAINS) to the
  identity's issuer and subject; later sign-ins match on those, never on email again.
- An unknown identity, a deactivated account, a locked account, or a tampered or replayed
  answer is refused on a page that says why, audited, and counted like a failed password.
- The second factor: when the ID token's `amr` claim shows the provider itself asked for one
  (EIP_OIDC_MFA_AMR, "mfa" by default), that counts for this session; otherwise EIP asks for its
  own, exactly as after a password.
"""

import time
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import add_state_and_verifier_and_nonce_to_session, generate_code_challenge

from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.people.backends import ACCOUNT_BACKEND
from eip.people.two_factor import IDENTITY_PROVIDER_MFA_KEY

# What the session keeps of a council sign-in: the provider's sign-out address (to offer it at
# sign-out). The ID token itself is kept only inside that address, as the hint the provider asks for.
SSO_SESSION_KEY = "eip_sso"
# An answer from the provider more than this long after the sign-in started is refused.
STATE_MAX_AGE_SECONDS = 10 * 60
DISCOVERY_CACHE_SECONDS = 60 * 60
# Password sign-in's backend loads the person on later requests (it refuses inactive accounts).
SESSION_BACKEND = ACCOUNT_BACKEND


class SignInRefused(Exception):
    """A council sign-in that does not reach an account; `reason` says which rule refused it."""

    def __init__(self, reason: str, *, email: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.email = email


def sso_enabled() -> bool:
    return bool(settings.EIP_SSO_ENABLED)


def sso_provider() -> dict:
    """The provider's discovery document (endpoints and keys' address), cached for an hour.
    Raises SignInRefused("provider_unavailable") when it cannot be read or is not the issuer's."""
    issuer = settings.EIP_OIDC_ISSUER
    key = f"eip:oidc-discovery:{issuer}"
    provider = cache.get(key)
    if provider is None:
        try:
            address = settings.EIP_OIDC_DISCOVERY_URL or f"{issuer.rstrip('/')}/.well-known/openid-configuration"
            response = requests.get(address, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            provider = response.json()
        except (requests.RequestException, ValueError) as error:
            raise SignInRefused("provider_unavailable") from error
        # OpenID Connect Discovery 4.3: the document must name the issuer it was fetched for.
        required = ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if provider.get("issuer") != issuer or not all(provider.get(name) for name in required):
            raise SignInRefused("provider_unavailable")
        cache.set(key, provider, DISCOVERY_CACHE_SECONDS)
    return provider


def _callback_url() -> str:
    # The address registered with the provider: from EIP_BASE_URL, never the request's Host header.
    return settings.EIP_BASE_URL + reverse("sso-callback")


def sso_authorization_url(*, request, next_url: str) -> str:
    """Where to send the browser to sign in at the provider. The state, nonce and PKCE verifier
    are kept in this session only, so the answer is accepted in this browser only, once."""
    provider = sso_provider()
    state = get_random_string(32)
    verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "scope": settings.OIDC_RP_SCOPES,
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "redirect_uri": _callback_url(),
        "state": state,
        "nonce": get_random_string(32),
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, verifier)
    request.session["oidc_login_next"] = next_url
    return f"{provider['authorization_endpoint']}?{urlencode(params)}"


class _ProviderClient(OIDCAuthenticationBackend):
    """mozilla-django-oidc's token exchange and key handling, with the provider's endpoints from
    discovery and an ID token checked for audience and issuer as well as signature and expiry."""

    def __init__(self, provider: dict):
        self.OIDC_OP_TOKEN_ENDPOINT = provider["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = provider.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = provider["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.issuer = provider["issuer"]

    def _verify_jws(self, payload, key):
        if jwt.get_unverified_header(payload).get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused("token")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=60,
            )
        except jwt.InvalidTokenError as error:
            raise SignInRefused("token") from error
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        # OpenID Connect Core 3.1.3.7: with several audiences, the token must be issued to us.
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SignInRefused("token")
        return claims

    def verify_token(self, token, **kwargs):
        try:
            claims = self._verify_jws(token, self.retrieve_matching_jwk(token))
        except (SuspiciousOperation, jwt.InvalidTokenError) as error:
            raise SignInRefused("token") from error
        if "nonce" in kwargs and not constant_time_compare(str(claims.get("nonce") or ""), kwargs["nonce"] or ""):
            raise SignInRefused("nonce")
        return claims


def _started_sign_in(request) -> dict:
    """The sign-in this answer belongs to: one this session started, unused and recent."""
    states = request.session.get("oidc_states") or {}
    state = request.GET.get("state", "")
    started = states.pop(state, None) if state else None
    # Used once, whatever happens next.
    request.session["oidc_states"] = states
    if request.GET.get("error"):
        raise SignInRefused("provider_refused")
    if started is None:
        raise SignInRefused("state")
    if time.time() - started.get("added_on", 0) > STATE_MAX_AGE_SECONDS:
        raise SignInRefused("expired")
    if not request.GET.get("code"):
        raise SignInRefused("provider_refused")
    return started


def _claims(*, client: _ProviderClient, code: str, started: dict) -> tuple[dict, str]:
    tokens = client.get_token(
        {
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "client_secret": settings.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": _callback_url(),
            "code_verifier": started.get("code_verifier"),
        }
    )
    id_token = tokens.get("id_token")
    if not id_token:
        raise SignInRefused("token")
    claims = client.verify_token(id_token, nonce=started.get("nonce"))
    if not claims.get("email") and client.OIDC_OP_USER_ENDPOINT and tokens.get("access_token"):
        # The ID token may leave the address to the userinfo endpoint; its subject must agree.
        info = client.get_userinfo(tokens["access_token"], id_token, claims)
        if info.get("sub") != claims["sub"]:
            raise SignInRefused("token")
        claims.update({name: info[name] for name in ("email", "email_verified", "name") if name in info})
    return claims, id_token


def sso_claims_from_callback(*, request) -> tuple[dict, str]:
    """Check the provider's answer and return the ID token's claims (and the token): the state
    must be one this session started; the code is exchanged with the PKCE verifier; the ID token
    must be signed by the provider's key, for this client, and carry this sign-in's nonce."""
    started = _started_sign_in(request)
    try:
        return _claims(client=_ProviderClient(sso_provider()), code=request.GET["code"], started=started)
    except requests.HTTPError as error:
        # The provider refused the code (used, expired, or the verifier does not match).
        raise SignInRefused("provider_refused") from error
    except (requests.RequestException, ValueError) as error:
        raise SignInRefused("provider_unavailable") from error


def _verified_email(claims: dict) -> str:
    email = str(claims.get("email") or "").strip()
    if not email or "@" not in email:
        raise SignInRefused("no_email")
    domain = email.rsplit("@", 1)[1].lower()
    domains = settings.EIP_OIDC_EMAIL_DOMAINS
    in_domain = domain in domains
    verified = claims.get("email_verified")
    verified = verified is True or str(verified).lower() == "true"
    if domains and not in_domain:
        raise SignInRefused("unverified_email", email=email)
    if not verified and not (claims.get("email_verified") is None and in_domain):
        raise SignInRefused("unverified_email", email=email)
    return email


def sso_account_for(*, claims: dict):
    """The EIP account this identity signs in to: the one linked to it, else the one with its
    verified email (if not linked to another identity). Raises SignInRefused."""
    from eip.people.models import User

    linked = User.objects.filter(sso_issuer=claims["iss"], sso_subject=claims["sub"]).first()
    if linked is not None:
        if not linked.is_active:
            raise SignInRefused("deactivated", email=linked.email)
        return linked
    email = _verified_email(claims)
    account = User.objects.filter(email__iexact=email).first()
    if account is None:
        raise SignInRefused("no_account", email=email)
    if account.sso_subject:
        raise SignInRefused("linked_elsewhere", email=account.email)
    if not account.is_active:
        raise SignInRefused("deactivated", email=account.email)
    return account


def sso_second_factor_passed(*, claims: dict) -> bool:
    """Whether the provider says it asked for a second factor at this sign-in (`amr`, RFC 8176)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return bool({str(value) for value in amr} & set(settings.EIP_OIDC_MFA_AMR))


def _end_session_url(*, provider: dict, id_token: str) -> str | None:
    endpoint = provider.get("end_session_endpoint")
    if not endpoint:
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "id_token_hint": id_token,
        "post_logout_redirect_uri": settings.EIP_BASE_URL + reverse("login"),
    }
    return f"{endpoint}?{urlencode(params)}"


def _link(*, user, claims: dict) -> None:
    if user.sso_subject:
        return
    from eip.people.models import User

    try:
        with transaction.atomic():
            linked = User.objects.filter(pk=user.pk, sso_subject="").update(
                sso_issuer=claims["iss"], sso_subject=claims["sub"]
            )
    except IntegrityError as error:
        # Another account was linked to this identity in the meantime.
        raise SignInRefused("linked_elsewhere", email=user.email) from error
    if not linked:
        # A sign-in in another tab linked it first: it must be to this same identity.
        user.refresh_from_db(fields=["sso_issuer", "sso_subject"])
        if (user.sso_issuer, user.sso_subject) != (claims["iss"], claims["sub"]):
            raise SignInRefused("linked_elsewhere", email=user.email)
        return
    user.sso_issuer, user.sso_subject = claims["iss"], claims["sub"]
    audit_record(
        actor=user,
        action=AuditEvent.Action.PERMISSION_CHANGED,
        record=user,
        label=user.email,
        detail={"single_sign_on": "linked"},
    )


def sso_sign_in(*, request, claims: dict, id_token: str):
    """Sign the matched account in (audited as a sign-in, like a password's), honouring the
    account's lockout; remember whether the provider passed a second factor."""
    from axes.handlers.proxy import AxesProxyHandler

    user = sso_account_for(claims=claims)
    credentials = {"username": user.email}
    if AxesProxyHandler.is_locked(request, credentials):
        # The same lockout page as a password attempt on a locked account (AxesMiddleware).
        request.axes_locked_out = True
        request.axes_credentials = credentials
        raise SignInRefused("locked", email=user.email)
    _link(user=user, claims=claims)
    mfa = sso_second_factor_passed(claims=claims)
    # Read by the sign-in audit (eip/audit/signals.py).
    request.eip_sign_in_detail = {"via": "single sign-on", "second_factor": "identity provider" if mfa else "EIP"}
    auth.login(request, user, backend=SESSION_BACKEND)
    request.session[SSO_SESSION_KEY] = {"end_session": _end_session_url(provider=sso_provider(), id_token=id_token)}
    if mfa:
        request.session[IDENTITY_PROVIDER_MFA_KEY] = True
    return user


def sso_refusal_record(*, request, refusal: SignInRefused) -> None:
    """Audit a refused council sign-in and count it against the account, as a failed password is."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": refusal.email or None, "via": "single sign-on", "reason": refusal.reason},
        request=request,
    )


def sso_callback_sign_in(*, request):
    """The whole answer from the provider: checked, matched, signed in; or refused and recorded."""
    try:
        claims, id_token = sso_claims_from_callback(request=request)
        return sso_sign_in(request=request, claims=claims, id_token=id_token)
    except SignInRefused as refusal:
        sso_refusal_record(request=request, refusal=refusal)
        raise
