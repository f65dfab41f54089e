"""In Chromium: a practitioner acknowledges and accepts a referral, and the social worker
sees each status change. Every page is checked with axe-core."""

import pytest
from selenium.webdriver.common.by import By

from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.browser


def choose(browser, label):
    """Tick a radio or checkbox by its label, as a person clicks it."""
    browser.driver.find_element(By.XPATH, f"//label[normalize-space()='{label}']").click()


def choose_in(browser, legend, label):
    fieldset = browser.driver.find_element(By.XPATH, f"//fieldset[legend[normalize-space()='{legend}']]")
    fieldset.find_element(By.XPATH, f".//label[normalize-space()='{label}']").click()


def test_refer_acknowledge_accept(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")

    # The form in steps, with its errors and "Check your answers", is walked in
    # tests/test_browser_intake.py; this referral is sent as that one is.
    referral = make_referral(worker)

    # The practitioner finds it in the inbox, acknowledges, records the person and accepts.
    browser.sign_in(practitioner.email)
    browser.go("/referrals/")
    assert browser.heading() == "Referral inbox"
    browser.assert_accessible()
    browser.follow(referral.reference)
    assert "Chloe" in browser.text()  # practitioners see the partner's details
    browser.assert_accessible()
    browser.follow("Acknowledge")
    browser.assert_accessible()
    browser.press("Acknowledge and tell the social worker")
    assert f"Referral {referral.reference} acknowledged" in browser.text()
    choose(browser, "This is a new person")
    browser.press("Save")
    assert "linked to a new person" in browser.text()
    browser.follow("Accept and open a case")
    browser.assert_accessible()
    browser.press("Accept and open the case")
    assert "accepted and a case opened" in browser.text()
    browser.screenshot("referral-accepted-practitioner")
    browser.sign_out()

    # The social worker sees the new status and was notified.
    browser.sign_in(worker.email)
    assert "has been accepted and a case opened" in browser.text()
    browser.go("/referrals/")
    assert "Accepted" in browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=referral-table]").text
    browser.assert_accessible()
    browser.screenshot("referral-list-social-worker")


def test_a_borough_without_an_agreement_is_told_why_and_whom_to_contact(browser):
    hackney = BoroughFactory(name="Hackney", code="hackney", isa_in_place=False, isa_signed_on=None)
    hackney.spoc = UserFactory(role=Role.BOROUGH_SPOC, borough=hackney, full_name="Hana Khan")
    hackney.save()
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=hackney)
    browser.sign_in(worker.email)
    browser.go("/referrals/new/")
    assert browser.heading() == "You cannot make a referral yet"
    assert "Hana Khan" in browser.text()
    browser.assert_accessible()
