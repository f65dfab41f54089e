"""In Chromium: a first sign-in sets up the authenticator app and shows the recovery codes;
the next sign-in asks for a code."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from selenium.webdriver.common.by import By

from eip.people.models import Role
from tests.factories import UserFactory
from tests.referral_factories import make_case
from tests.test_two_factor import code_for

pytestmark = pytest.mark.browser


def test_two_factor_set_up_and_sign_in(browser, settings):
    settings.EIP_REQUIRE_TWO_FACTOR = True
    user = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    browser.sign_in(user.email)
    assert browser.heading() == "Set up two-factor sign-in"
    browser.assert_accessible()
    device = TOTPDevice.objects.get(user=user)
    browser.fill("Code", code_for(device))
    browser.press("Continue")
    assert browser.heading() == "Two-factor sign-in is set up"
    assert len(browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid=recovery-codes] li")) == 10
    browser.assert_accessible()
    browser.follow("Continue")
    assert browser.heading() == "Hello, Alex"
    browser.sign_out()
    browser.sign_in(user.email)
    assert browser.heading() == "Enter your sign-in code"
    browser.assert_accessible()
    browser.fill("Code", code_for(device, drift=1))
    browser.press("Continue")
    assert browser.heading() == "Hello, Alex"


@pytest.mark.probe(1)
def test_the_password_alone_reaches_neither_set_up_nor_any_case(browser, settings):
    """Finding 1 in Chromium: enrol, sign out, sign in with the password only. The set-up page
    refuses (an administrator must reset), and no case page opens, until the code is given."""
    settings.EIP_REQUIRE_TWO_FACTOR = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    case = make_case(UserFactory(role=Role.SOCIAL_WORKER), practitioner)
    browser.sign_in(practitioner.email)
    device = TOTPDevice.objects.get(user=practitioner)
    browser.fill("Code", code_for(device))
    browser.press("Continue")
    codes = [li.text for li in browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid=recovery-codes] li")]
    assert len(codes) == 10
    browser.follow("Continue")
    # Back to the recovery codes: the browser may not show them again from its cache.
    browser.driver.back()
    browser.wait_for_page()
    assert not any(code in browser.driver.page_source for code in codes)
    browser.go("/home/")
    browser.sign_out()

    browser.sign_in(practitioner.email)
    assert browser.heading() == "Enter your sign-in code"
    browser.go("/two-factor/set-up/")
    assert browser.heading() == "You cannot set up a new authenticator app"
    assert "An administrator must reset your two-factor sign-in" in browser.text()
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid=totp-secret]")
    browser.assert_accessible()
    browser.screenshot("two-factor-reset-needed")
    assert list(TOTPDevice.objects.filter(user=practitioner)) == [device]

    for path in ("/cases/", f"/cases/{case.pk}/", f"/cases/{case.pk}/partner/", f"/referrals/{case.referral_id}/"):
        browser.go(path)
        assert browser.heading() == "Enter your sign-in code", path
        assert "Daniel" not in browser.text() and "Chloe" not in browser.text()
    browser.assert_accessible()

    # The code opens the case the password alone could not.
    browser.fill("Code", code_for(device, drift=1))
    browser.press("Continue")
    assert browser.path() == f"/referrals/{case.referral_id}/"
    browser.go(f"/cases/{case.pk}/partner/")
    assert "Chloe" in browser.text()
