"""In Chromium: the idle sign-out warning opens before the session ends, keeps focus inside
itself, passes axe, and "Stay signed in" keeps the session going past its first end."""

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from eip.people.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_the_idle_warning_lets_a_user_stay_signed_in(browser, settings):
    settings.SESSION_COOKIE_AGE = 15  # idle sign-out after 15 seconds, warned 12 seconds before
    settings.EIP_SESSION_WARNING_SECONDS = 12
    practitioner = UserFactory(role=Role.PRACTITIONER)
    browser.sign_in(practitioner.email)
    signed_in_at = time.monotonic()  # the session was last refreshed just before this
    dialog = WebDriverWait(browser.driver, 10).until(
        expected_conditions.visibility_of_element_located((By.ID, "eip-timeout-warning"))
    )
    assert "you will be signed out in" in dialog.text and "second" in dialog.text
    driver = browser.driver
    assert driver.switch_to.active_element.text == "Stay signed in"
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.text == "Sign out"
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.text == "Stay signed in"  # focus stays in the dialog
    browser.assert_accessible()
    browser.screenshot("timeout-warning")

    driver.switch_to.active_element.send_keys(Keys.ENTER)
    WebDriverWait(driver, 5).until(expected_conditions.invisibility_of_element_located((By.ID, "eip-timeout-warning")))
    # Past the moment the session would have ended without "Stay signed in".
    time.sleep(max(0, signed_in_at + 16 - time.monotonic()))
    browser.go("/home/")
    assert browser.path() == "/home/"
    assert practitioner.full_name in driver.find_element(By.CSS_SELECTOR, "[data-testid=signed-in-as]").text
