"""In Chromium: a practitioner signs in through the council's sign-in page (a local OpenID
Connect provider, tests/oidc_standin.py) and lands on their home page; an identity with no EIP
account gets the refusal page, which passes axe."""

import pytest

from eip.people.models import Role
from tests.factories import UserFactory
from tests.oidc_standin import CLIENT_ID, CLIENT_SECRET, OIDCStandIn

pytestmark = pytest.mark.browser


def test_a_practitioner_signs_in_with_their_council_account(browser, live_server, settings):
    with OIDCStandIn(redirect_uri=f"{live_server.url}/sign-in/council/callback/") as provider:
        settings.EIP_BASE_URL = live_server.url
        settings.EIP_OIDC_ISSUER = provider.url
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.EIP_SSO_ENABLED = True
        settings.EIP_OIDC_EMAIL_DOMAINS = ["camden.gov.uk"]
        settings.EIP_REQUIRE_TWO_FACTOR = True
        UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan", email="alex.morgan@camden.gov.uk")
        provider.identities["alex.morgan@camden.gov.uk"] = {
            "sub": "entra-1",
            "email": "alex.morgan@camden.gov.uk",
            "amr": ["pwd", "mfa"],
        }
        provider.identities["stranger@camden.gov.uk"] = {
            "sub": "entra-2",
            "email": "stranger@camden.gov.uk",
            "amr": ["pwd", "mfa"],
        }

        browser.go("/sign-in/")
        browser.assert_accessible()
        browser.screenshot("sso-sign-in")
        browser.follow("Sign in with your council account")
        assert browser.heading() == "Sign in to your council account"
        browser.fill("Email address", "alex.morgan@camden.gov.uk")
        browser.press("Sign in")
        # The council asked for the second factor (amr "mfa"), so EIP does not ask again.
        assert browser.heading() == "Hello, Alex"
        assert browser.path() == "/home/"

        browser.sign_out()
        assert "Sign out of your council account too" in browser.text()
        browser.screenshot("sso-signed-out")
        browser.follow("Sign in with your council account")
        browser.fill("Email address", "stranger@camden.gov.uk")
        browser.press("Sign in")
        assert browser.heading() == "You do not have an EIP account"
        assert "There is no EIP account for stranger@camden.gov.uk" in browser.text()
        browser.assert_accessible()
        browser.screenshot("sso-refused")
