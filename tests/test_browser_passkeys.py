"""In Chromium, with DevTools' virtual authenticator standing in for a laptop's fingerprint
reader: a person adds a passkey (beside their app, or instead of one at first enrolment) and
signs in with it instead of a code. django-otp-webauthn's own script, served by the app."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from selenium.webdriver.common.by import By

from eip.people.models import Passkey, Role
from tests.factories import UserFactory
from tests.test_two_factor import code_for

pytestmark = pytest.mark.browser


@pytest.fixture
def authenticator(browser, settings, live_server):
    """A platform passkey authenticator that says yes at once (fingerprint already given)."""
    # Browsers allow passkeys on http:// only at localhost, which is where the live server is.
    assert live_server.url.startswith("http://localhost:")
    settings.EIP_BASE_URL = live_server.url
    driver = browser.driver
    driver.execute_cdp_cmd("WebAuthn.enable", {})
    added = driver.execute_cdp_cmd(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield added["authenticatorId"]
    driver.execute_cdp_cmd("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": added["authenticatorId"]})
    driver.execute_cdp_cmd("WebAuthn.disable", {})


def passkeys_on_device(browser, authenticator_id):
    return browser.driver.execute_cdp_cmd("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})[
        "credentials"
    ]


def test_a_person_with_an_app_adds_a_passkey_and_signs_in_with_it_instead_of_a_code(browser, settings, authenticator):
    settings.EIP_REQUIRE_TWO_FACTOR = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    browser.sign_in(user.email)
    device = TOTPDevice.objects.get(user=user)
    browser.fill("Code", code_for(device))
    browser.press("Continue")
    browser.follow("Continue")
    assert browser.heading() == "Hello, Alex"

    browser.follow("Your passkeys")
    assert browser.heading() == "Your passkeys"
    assert "You have no passkeys yet" in browser.text()
    browser.assert_accessible()
    browser.press("Add a passkey")
    assert browser.heading() == "Name your passkey"
    assert len(passkeys_on_device(browser, authenticator)) == 1
    browser.assert_accessible()
    browser.fill("Name", "Work laptop")
    browser.press("Save")
    assert browser.heading() == "Your passkeys"
    assert "Passkey “Work laptop” saved." in browser.text()
    rows = browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid=passkeys] tbody tr")
    assert [row.find_element(By.TAG_NAME, "th").text for row in rows] == ["Work laptop"]
    browser.assert_accessible()
    browser.screenshot("passkeys-list")

    browser.sign_out()
    browser.sign_in(user.email)
    assert browser.heading() == "Enter your sign-in code"
    assert browser.driver.find_elements(By.ID, "passkey-verification-button")
    browser.assert_accessible()
    browser.screenshot("two-factor-verify-with-passkey")
    browser.press("Use your passkey")
    assert browser.heading() == "Hello, Alex"
    assert Passkey.objects.get(user=user).last_used_at is not None


def test_a_first_enrolment_with_only_a_passkey(browser, settings, authenticator):
    settings.EIP_REQUIRE_TWO_FACTOR = True
    user = UserFactory(role=Role.SOCIAL_WORKER, full_name="Sam Patel")
    browser.sign_in(user.email)
    assert browser.heading() == "Set up two-factor sign-in"
    assert "Or use a passkey" in browser.text()
    browser.assert_accessible()
    browser.press("Add a passkey")
    assert browser.heading() == "Name your passkey"
    browser.fill("Name", "Office PC")
    browser.press("Save")
    assert browser.heading() == "Hello, Sam"
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    browser.sign_out()
    browser.sign_in(user.email)
    assert browser.heading() == "Use your passkey"
    assert not browser.driver.find_elements(By.NAME, "code")
    browser.assert_accessible()
    browser.press("Use your passkey")
    assert browser.heading() == "Hello, Sam"
