"""In Chromium: the programme manager reads the monitoring report and downloads its PDF; the
evaluator downloads the anonymised export and can open nothing else."""

import subprocess

import pytest
from selenium.webdriver.common.by import By

from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.browser


def test_programme_manager_reads_and_downloads_the_report(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    make_referral(UserFactory(role=Role.SOCIAL_WORKER, borough=camden))
    manager = UserFactory(role=Role.PROGRAMME_MANAGER)
    browser.sign_in(manager.email)
    browser.follow("Monitoring report")
    browser.driver.find_element(By.CSS_SELECTOR, ".govuk-details__summary").click()
    from django.utils import timezone

    today = timezone.localdate()
    for legend, day in (("From", today.replace(day=1)), ("To", today)):
        fieldset = browser.driver.find_element(By.XPATH, f"//fieldset[legend[normalize-space()='{legend}']]")
        for label, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
            box = fieldset.find_element(By.XPATH, f".//label[normalize-space()='{label}']/following-sibling::input")
            box.clear()
            box.send_keys(str(value))
    browser.press("Show the report")
    monitoring = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=monitoring]").text
    assert "Referrals received 1" in monitoring
    assert browser.driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    browser.assert_accessible()
    browser.screenshot("monitoring-report")
    pdf = browser.download("PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "monitoring report" in text and "Daniel" not in text


def test_the_evaluator_downloads_the_export_and_nothing_else(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    make_referral(UserFactory(role=Role.SOCIAL_WORKER, borough=camden))
    evaluator = UserFactory(role=Role.EVALUATOR)
    browser.sign_in(evaluator.email)
    browser.follow("Evaluation data")
    browser.assert_accessible()
    exported = browser.download("Referrals and cases (CSV)")
    content = exported.read_text()
    assert content.startswith("person_id,referral_id,person_referral_number,borough") and "Camden" in content
    assert "Daniel" not in content and "Hughes" not in content and "07700" not in content
    for path in ("/referrals/", "/cases/", "/reports/monitoring/", "/finance/", "/audit/"):
        browser.go(path)
        assert browser.heading() == "You cannot see this page"
