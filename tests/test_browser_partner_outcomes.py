"""In Chromium: the social worker finds the partner's safety measure among the case's tabs, is told
what is missing, and records it; the supervisor reads it and the case's data quality; the
practitioner, who works with the client, never sees the tab, and records on the data-quality tab
why the case has not started. Every page passes axe-core."""

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from eip.people.models import Role
from partner_outcomes.models import BEHAVIOURS
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.browser


def _radio(browser, legend, label):
    fieldset = browser.driver.find_element(By.XPATH, f'//fieldset[legend[normalize-space()="{legend}"]]')
    fieldset.find_element(By.XPATH, f'.//label[normalize-space()="{label}"]').click()


def _date(browser, legend, day):
    fieldset = browser.driver.find_element(By.XPATH, f'//fieldset[legend[normalize-space()="{legend}"]]')
    for label, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        box = fieldset.find_element(By.XPATH, f".//label[normalize-space()='{label}']/following-sibling::input")
        box.clear()
        box.send_keys(str(value))


def _tabs(browser):
    return [a.text for a in browser.driver.find_elements(By.CSS_SELECTOR, "nav[aria-label='Case sections'] a")]


def test_the_partners_safety_is_recorded_read_and_kept_from_the_practitioner(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER)
    case = make_case(worker, practitioner)
    today = timezone.localdate()

    browser.sign_in(worker.email)
    browser.go(f"/cases/{case.pk}/")
    browser.follow("Partner's safety")
    assert "Nothing recorded yet." in browser.text()
    _radio(browser, "When", "Intake")
    _date(browser, "Date asked", today)
    _radio(browser, "Who asked the partner", "The social worker")
    browser.press("Save")
    summary = browser.driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary").text
    assert "Choose how safe the partner feels" in summary
    browser.assert_accessible()
    # What was typed is still there; the rest is filled in and saved.
    assert browser.driver.find_element(
        By.XPATH, "//label[normalize-space()='Intake']/preceding-sibling::input"
    ).is_selected()
    for name, label in BEHAVIOURS:
        Select(browser.field(f"{label}: how often is it happening now?")).select_by_visible_text(
            "About once a week" if name == "jcc" else "Not happening"
        )
    Select(browser.field("How safe does the partner feel?")).select_by_index(2)
    Select(browser.field("Does the partner feel listened to?")).select_by_visible_text("Partly")
    browser.press("Save")
    recorded = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=partner-outcomes]").text
    assert "controlling behaviour: about once a week" in recorded and "listened to: partly" in recorded
    browser.assert_accessible()
    browser.screenshot("partner-outcomes")
    browser.sign_out()

    supervisor = UserFactory(role=Role.SUPERVISOR)
    browser.sign_in(supervisor.email)
    browser.go(f"/cases/{case.pk}/")
    assert {"Partner's safety", "Data quality"} <= set(_tabs(browser))
    browser.follow("Partner's safety")
    assert "listened to: partly" in browser.text() and "Record the partner's answers" not in browser.text()
    browser.follow("Data quality")
    assert "Why the intervention has not started is not recorded" in browser.text()
    assert not browser.driver.find_elements(By.XPATH, "//button[normalize-space()='Record why']")
    browser.sign_out()

    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/")
    assert "Partner's safety" not in _tabs(browser)
    browser.follow("Data quality")
    link = browser.driver.find_element(By.PARTIAL_LINK_TEXT, "Go to ‘Not started yet’")
    assert link.get_attribute("href").endswith(f"/cases/{case.pk}/data-quality/#awaiting-start")
    _radio(browser, "Why has the intervention not started?", "Being contacted to start")
    _date(browser, "Date this applies from", today)
    browser.press("Record why")
    assert "Recorded why the intervention has not started." in browser.text()
    assert "Why the intervention has not started is not recorded" not in browser.text()
    assert f"Being contacted to start from {today:%-d %B %Y}" in browser.text()
    browser.assert_accessible()
    browser.screenshot("case-data-quality")
    browser.go(f"/cases/{case.pk}/partner-outcomes/")
    assert browser.heading() == "You cannot see this page"
