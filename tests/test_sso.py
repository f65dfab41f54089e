"""Council sign-in (OpenID Connect single sign-on) against a local provider speaking the real
protocol (tests/oidc_standin.py): accounts are matched, never created; unknown, deactivated and
locked accounts and tampered answers are refused and audited; the provider's MFA counts as
EIP's second factor only when its `amr` claim says so."""

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from eip.audit.models import AuditEvent
from eip.people.models import Role, User
from tests.factories import PASSWORD, UserFactory
from tests.oidc_standin import CLIENT_ID, CLIENT_SECRET, OIDCStandIn

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/sign-in/council/callback/"


@pytest.fixture
def provider(settings):
    with OIDCStandIn(redirect_uri=CALLBACK) as standin:
        settings.EIP_BASE_URL = "http://testserver"
        settings.EIP_OIDC_ISSUER = standin.url
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.EIP_SSO_ENABLED = True
        settings.EIP_OIDC_EMAIL_DOMAINS = []
        yield standin


def identity(email, sub, **claims):
    return {"sub": sub, "email": email, "email_verified": True, "amr": ["pwd", "mfa"], "name": "A Person", **claims}


def provider_answer(client, standin, email, next_url=""):
    """Press "Sign in with your council account", sign in at the provider; the redirect back."""
    start = client.get(reverse("sso-start") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302 and start.url.startswith(f"{standin.url}/authorize?")
    params = dict(parse_qsl(urlsplit(start.url).query))
    answer = requests.post(
        f"{standin.url}/authorize", data={**params, "email": email}, allow_redirects=False, timeout=5
    )
    assert answer.status_code == 302
    return answer.headers["Location"].removeprefix("http://testserver")


def council_sign_in(client, standin, email, next_url=""):
    return client.get(provider_answer(client, standin, email, next_url))


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def refusals(reason):
    return AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED, detail__reason=reason)


def test_the_first_council_sign_in_links_the_account_by_email_later_ones_by_subject(client, provider):
    user = UserFactory(role=Role.PRACTITIONER, email="alex.morgan@camden.gov.uk", full_name="Alex Morgan")
    provider.identities["alex.morgan@camden.gov.uk"] = identity("Alex.Morgan@camden.gov.uk", "entra-oid-1")
    response = council_sign_in(client, provider, "alex.morgan@camden.gov.uk", next_url="/notifications/")
    assert response.status_code == 302 and response.url == "/notifications/"
    assert signed_in_as(client) == str(user.pk)
    user.refresh_from_db()
    assert (user.sso_issuer, user.sso_subject) == (provider.url, "entra-oid-1")
    signed_in = AuditEvent.objects.get(action=AuditEvent.Action.SIGNED_IN, actor=user)
    assert signed_in.detail == {"via": "single sign-on", "second_factor": "identity provider"}
    assert AuditEvent.objects.filter(actor=user, detail={"single_sign_on": "linked"}).exists()
    # The code was exchanged with the PKCE verifier (the provider checked it against the challenge).
    assert provider.token_requests[-1]["code_verifier"]

    # The mailbox is renamed at the council: the same identity still reaches the same account.
    client.post(reverse("logout"))
    provider.identities["alex.morgan@camden.gov.uk"] = identity("alex.jones@camden.gov.uk", "entra-oid-1")
    assert council_sign_in(client, provider, "alex.morgan@camden.gov.uk").url == reverse("home")
    assert signed_in_as(client) == str(user.pk)

    # Another identity given the same address later does not reach the linked account.
    client.post(reverse("logout"))
    provider.identities["newcomer@camden.gov.uk"] = identity("alex.morgan@camden.gov.uk", "entra-oid-2")
    response = council_sign_in(client, provider, "newcomer@camden.gov.uk")
    assert response.status_code == 403
    assert "belongs to a different council identity" in response.content.decode()
    assert signed_in_as(client) is None
    assert refusals("linked_elsewhere").count() == 1


def test_an_unknown_identity_is_refused_audited_and_no_account_is_created(client, provider):
    provider.identities["stranger@camden.gov.uk"] = identity("stranger@camden.gov.uk", "entra-oid-9")
    accounts = User.objects.count()
    response = council_sign_in(client, provider, "stranger@camden.gov.uk")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have an EIP account" in page
    assert "There is no EIP account for stranger@camden.gov.uk" in page
    assert User.objects.count() == accounts
    assert signed_in_as(client) is None
    assert client.get(reverse("home")).status_code == 302
    refusal = refusals("no_account").get()
    assert refusal.detail["username"] == "stranger@camden.gov.uk" and refusal.detail["via"] == "single sign-on"


def test_a_deactivated_account_cannot_sign_in_through_the_council(client, provider):
    user = UserFactory(email="sam@camden.gov.uk")
    provider.identities["sam@camden.gov.uk"] = identity("sam@camden.gov.uk", "entra-oid-3")
    assert council_sign_in(client, provider, "sam@camden.gov.uk").status_code == 302
    client.post(reverse("logout"))
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = council_sign_in(client, provider, "sam@camden.gov.uk")
    assert response.status_code == 403
    assert "Your EIP account is not active" in response.content.decode()
    assert signed_in_as(client) is None
    assert refusals("deactivated").count() == 1


def test_an_address_the_provider_does_not_vouch_for_links_nothing(client, provider, settings):
    user = UserFactory(email="kim@camden.gov.uk")
    provider.identities["kim@camden.gov.uk"] = identity("kim@camden.gov.uk", "entra-oid-4", email_verified=False)
    response = council_sign_in(client, provider, "kim@camden.gov.uk")
    assert response.status_code == 403 and "could not be confirmed" in response.content.decode()
    # Entra ID sends no `email_verified`: believed only in the organisation's own domains.
    provider.identities["kim@camden.gov.uk"] = identity("kim@camden.gov.uk", "entra-oid-4", email_verified=None)
    assert council_sign_in(client, provider, "kim@camden.gov.uk").status_code == 403
    settings.EIP_OIDC_EMAIL_DOMAINS = ["camden.gov.uk"]
    assert council_sign_in(client, provider, "kim@camden.gov.uk").status_code == 302
    assert signed_in_as(client) == str(user.pk)
    assert refusals("unverified_email").count() == 2


def test_the_providers_mfa_counts_as_the_second_factor_only_when_amr_says_so(client, provider, settings):
    settings.EIP_REQUIRE_TWO_FACTOR = True
    user = UserFactory(role=Role.PRACTITIONER, email="lee@camden.gov.uk")
    provider.identities["lee@camden.gov.uk"] = identity("lee@camden.gov.uk", "entra-oid-5")
    council_sign_in(client, provider, "lee@camden.gov.uk")
    assert client.get(reverse("home")).status_code == 200

    # A password-only sign-in at the provider: EIP asks for its own second factor.
    client.post(reverse("logout"))
    provider.identities["lee@camden.gov.uk"]["amr"] = ["pwd"]
    council_sign_in(client, provider, "lee@camden.gov.uk")
    assert client.get(reverse("home")).url.startswith(reverse("two-factor-setup"))
    assert AuditEvent.objects.filter(actor=user, detail__second_factor="EIP").count() == 1

    client.post(reverse("logout"))
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    council_sign_in(client, provider, "lee@camden.gov.uk")
    assert client.get(reverse("home")).url.startswith(reverse("two-factor-verify"))
    # Without the council's MFA, a council sign-in cannot replace EIP's authenticator app...
    assert client.get(reverse("two-factor-setup")).status_code == 403

    # ...with it, the session has passed a second factor, as after an EIP code, and may.
    client.post(reverse("logout"))
    provider.identities["lee@camden.gov.uk"]["amr"] = ["pwd", "mfa"]
    council_sign_in(client, provider, "lee@camden.gov.uk")
    assert client.get(reverse("two-factor-setup")).status_code == 200


def test_a_tampered_or_replayed_state_is_refused(client, provider):
    UserFactory(email="jo@camden.gov.uk")
    provider.identities["jo@camden.gov.uk"] = identity("jo@camden.gov.uk", "entra-oid-6")
    answer = provider_answer(client, provider, "jo@camden.gov.uk")
    tampered = answer.replace("state=", "state=x")
    response = client.get(tampered)
    assert response.status_code == 400 and "Sign-in could not be completed" in response.content.decode()
    assert signed_in_as(client) is None
    # The genuine answer works once; played again, it is refused.
    assert client.get(answer).status_code == 302
    client.post(reverse("logout"))
    assert client.get(answer).status_code == 400
    assert signed_in_as(client) is None
    assert refusals("state").count() == 2
    # An answer from another browser's sign-in is refused in this one.
    other = provider_answer(client.__class__(), provider, "jo@camden.gov.uk")
    assert client.get(other).status_code == 400


@pytest.mark.parametrize(
    "attack, reason",
    [
        ({"id_token_changes": {"nonce": "another-sign-ins-nonce"}}, "nonce"),
        ({"id_token_changes": {"aud": "another-app"}}, "token"),
        ({"id_token_changes": {"iss": "https://attacker.example"}}, "token"),
        ({"sign_with_wrong_key": True}, "token"),
    ],
    ids=["nonce", "audience", "issuer", "signature"],
)
def test_an_id_token_not_meant_for_this_sign_in_is_refused(client, provider, attack, reason):
    UserFactory(email="jo@camden.gov.uk")
    provider.identities["jo@camden.gov.uk"] = identity("jo@camden.gov.uk", "entra-oid-7")
    for name, value in attack.items():
        setattr(provider, name, value)
    response = council_sign_in(client, provider, "jo@camden.gov.uk")
    assert response.status_code == 400
    assert signed_in_as(client) is None
    assert refusals(reason).count() == 1


def test_the_address_may_come_from_userinfo(client, provider):
    user = UserFactory(email="ola@camden.gov.uk")
    provider.identities["ola@camden.gov.uk"] = identity("ola@camden.gov.uk", "entra-oid-8")
    provider.id_token_changes = {"email": None, "email_verified": None}
    assert council_sign_in(client, provider, "ola@camden.gov.uk").status_code == 302
    assert signed_in_as(client) == str(user.pk)


def test_a_locked_account_stays_locked_for_council_sign_in(client, provider):
    user = UserFactory(email="max@camden.gov.uk")
    provider.identities["max@camden.gov.uk"] = identity("max@camden.gov.uk", "entra-oid-10")
    for _ in range(5):
        locked = client.post(reverse("login"), {"username": user.email, "password": "wrong-password-123"})
    response = council_sign_in(client, provider, "max@camden.gov.uk")
    # The same answer and page as a password typed into the locked account.
    assert response.status_code == locked.status_code == 429
    assert "You cannot sign in at the moment" in response.content.decode()
    assert signed_in_as(client) is None
    assert refusals("locked").count() == 1


def test_signing_out_ends_eips_session_and_offers_the_providers(client, provider):
    UserFactory(email="ash@camden.gov.uk")
    provider.identities["ash@camden.gov.uk"] = identity("ash@camden.gov.uk", "entra-oid-11")
    council_sign_in(client, provider, "ash@camden.gov.uk")
    response = client.post(reverse("logout"), follow=True)
    assert signed_in_as(client) is None
    page = response.content.decode()
    assert "You have signed out" in page
    assert f'href="{provider.url}/logout?client_id={CLIENT_ID}&amp;id_token_hint=' in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGNED_OUT).count() == 1
    # Offered once: the next visit to the sign-in page is a plain one.
    assert f"{provider.url}/logout" not in client.get(reverse("login")).content.decode()


def test_password_sign_in_can_be_turned_off(client, provider, settings):
    settings.EIP_PASSWORD_SIGN_IN = False
    user = UserFactory(email="bo@camden.gov.uk", role=Role.ADMINISTRATOR, is_staff=True)
    page = client.get(reverse("login")).content.decode()
    assert 'name="password"' not in page and "Sign in with your council account" in page
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert signed_in_as(client) is None
    assert client.get(reverse("password_reset")).status_code == 404
    provider.identities["bo@camden.gov.uk"] = identity("bo@camden.gov.uk", "entra-oid-12")
    council_sign_in(client, provider, "bo@camden.gov.uk")
    assert signed_in_as(client) == str(user.pk)


def test_an_entra_id_v1_shaped_provider(client, settings):
    """Entra ID's v1.0 tokens: the tenant's issuer with a trailing slash, discovery at another
    address, no `email_verified` (the organisation's domain vouches), `amr` ["pwd", "mfa"]."""
    with OIDCStandIn(redirect_uri=CALLBACK, issuer_path="/9188040d-6c67-4c5b-b112-36a304b66dad/") as standin:
        settings.EIP_BASE_URL = "http://testserver"
        settings.EIP_OIDC_ISSUER = standin.issuer
        settings.EIP_OIDC_DISCOVERY_URL = f"{standin.url}/.well-known/openid-configuration"
        settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
        settings.EIP_SSO_ENABLED = True
        settings.EIP_OIDC_EMAIL_DOMAINS = ["camden.gov.uk"]
        settings.EIP_REQUIRE_TWO_FACTOR = True
        user = UserFactory(email="pat@camden.gov.uk")
        standin.identities["pat@camden.gov.uk"] = {"sub": "v1-sub", "email": "pat@camden.gov.uk", "amr": ["pwd", "mfa"]}
        assert council_sign_in(client, standin, "pat@camden.gov.uk").url == reverse("home")
        assert client.get(reverse("home")).status_code == 200
        user.refresh_from_db()
        assert user.sso_issuer == standin.issuer


def test_council_sign_in_is_off_unless_configured(client):
    assert client.get(reverse("sso-start")).status_code == 404
    assert client.get(reverse("sso-callback") + "?code=a&state=b").status_code == 404
    assert "council account" not in client.get(reverse("login")).content.decode()
