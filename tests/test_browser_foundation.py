"""In Chromium: every role signs in and lands on its own home page; the pages it can
reach have no accessibility violations; the sign-in works from the keyboard alone."""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from eip.people.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

# What each role's home page says it is for.
HOME_SAYS = {
    Role.SOCIAL_WORKER: "Your referrals",
    Role.BOROUGH_SPOC: "Your borough",
    Role.HOUSING_SPOC: "Accommodation requests",
    Role.PRACTITIONER: "Open the referral inbox",
    Role.SUPERVISOR: "No acknowledgements are overdue",
    Role.FINANCE: "Open the fund",
    Role.PROGRAMME_MANAGER: "Monitoring",
    Role.EVALUATOR: "Evaluation data",
    Role.ADMINISTRATOR: "Boroughs that cannot refer yet",
}


def test_the_sign_in_page_is_accessible(browser):
    browser.go("/")
    assert browser.path() == "/sign-in/"
    assert browser.heading() == "Sign in"
    browser.assert_accessible()
    browser.fill("Email address", "nobody@eip.test")
    browser.fill("Password", "wrong-password")
    browser.press("Sign in")
    assert "There is a problem" in browser.text()
    assert browser.field("Email address").get_attribute("value") == "nobody@eip.test"
    browser.assert_accessible()


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_signs_in_to_its_own_home_page(browser, role):
    user = UserFactory(role=role, full_name=f"Kim {role.label}")
    browser.sign_in(user.email)
    assert browser.path() == "/home/"
    assert browser.heading() == "Hello, Kim"
    body = browser.text()
    assert HOME_SAYS[role] in body
    assert f"Signed in as Kim {role.label}, {role.label}" in body
    browser.assert_accessible()
    # Every place the navigation offers opens and is accessible too.
    links = [
        a.get_attribute("href")
        for a in browser.driver.find_elements(By.CSS_SELECTOR, ".govuk-service-navigation__list a")
    ]
    assert links, "the navigation offers somewhere to go"
    for href in links:
        browser.go(href.removeprefix(browser.base_url))
        assert "You cannot see this page" not in browser.text()
        browser.assert_accessible()
    browser.screenshot(f"home-{role.value}")
    browser.sign_out()
    assert browser.path().startswith("/sign-in/")


def test_signing_in_with_the_keyboard_alone(browser):
    user = UserFactory(role=Role.PRACTITIONER)
    browser.go("/sign-in/")
    keyboard = ActionChains(browser.driver)
    # The email field has focus when the page opens.
    assert browser.driver.switch_to.active_element.get_attribute("name") == "username"
    browser.submit_and_wait(
        keyboard.send_keys(user.email, Keys.TAB, "correct-horse-battery-staple", Keys.ENTER).perform
    )
    assert browser.path() == "/home/"


def test_the_first_tab_reaches_the_skip_link(browser):
    browser.go("/password/reset/sent/")
    ActionChains(browser.driver).send_keys(Keys.TAB).perform()
    active = browser.driver.switch_to.active_element
    assert active.text == "Skip to main content"
    active.send_keys(Keys.ENTER)
    assert browser.driver.current_url.endswith("#main-content")
