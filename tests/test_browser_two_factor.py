"""In Chromium: a first sign-in sets up the authenticator app and shows the recovery codes;
the next sign-in asks for a code."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from selenium.webdriver.common.by import By

from eip.people.models import Role
from tests.factories import UserFactory
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
