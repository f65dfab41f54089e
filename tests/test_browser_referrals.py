"""In Chromium: a social worker refers, a practitioner acknowledges and accepts, and the
social worker sees each status change. Every page is checked with axe-core."""

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from eip.people.models import Role
from referrals.models import Referral
from tests.factories import BoroughFactory, UserFactory

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

    browser.sign_in(worker.email)
    browser.go("/referrals/")
    browser.follow("Make a referral")
    assert browser.heading() == "Make a referral"
    browser.assert_accessible()

    # A first go with a mistake: an impossible date of birth and a DASH score over 24.
    choose_in(browser, "Which team are you in?", "Child in Need")
    browser.fill("First name", "Daniel")
    browser.fill("Last name", "Hughes")
    browser.fill("Day", "31")
    browser.fill("Month", "2")
    browser.fill("Year", "1987")
    browser.fill("DASH score", "30")
    browser.fill("Partner's first name", "Chloe")
    browser.press("Submit referral")
    assert "There is a problem" in browser.text()
    assert "Date of birth must be a real date" in browser.text()
    assert "The DASH score must be 24 or fewer" in browser.text()
    assert browser.field("First name").get_attribute("value") == "Daniel"
    assert browser.field("Partner's first name").get_attribute("value") == "Chloe"
    browser.assert_accessible()
    browser.screenshot("referral-form-errors")

    # Corrected, but not everything a submission needs: saved as a draft, told what is missing.
    browser.fill("Day", "14")
    browser.fill("Month", "5")
    browser.fill("DASH score", "9")
    browser.press("Submit referral")
    assert "Your answers have been saved as a draft" in browser.text()
    assert "Select the client's gender" in browser.text()
    assert Referral.objects.get().status == Referral.Status.DRAFT

    choose_in(browser, "Gender", "Man")
    browser.driver.find_element(By.ID, "id_client_ethnicity").send_keys("White: Eng")
    choose_in(browser, "Does the client need an interpreter?", "No")
    browser.fill("Phone number", "07700 900123")
    choose(browser, "Verbal arguments")
    choose(browser, "Early signs of controlling behaviour")
    choose_in(browser, "Have the police been involved?", "No")
    choose_in(browser, "Has a DASH risk checklist been completed?", "Yes")
    choose_in(browser, "Might the client need temporary accommodation?", "Yes")
    choose(browser, "Willing to engage")
    browser.fill("The case in your words", "Arguments about contact are escalating.")
    choose_in(browser, "Does the partner live with the client?", "Yes")
    browser.fill("Child 1: age in years", "6")
    browser.driver.find_element(By.ID, "id_children-0-plan").send_keys("Child in Need")
    browser.press("Submit referral")
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.SUBMITTED
    assert f"Referral {referral.reference} has been sent" in browser.text()
    # The confirmation says when the 3 working days run from, and the 17:00 cut-off.
    received = timezone.localtime(referral.received_at)
    assert f"received at {received:%H:%M} on {received:%A %-d %B}, so the 3 working days count from" in browser.text()
    assert "received after 17:00, or on a weekend or bank holiday, counts from the next working day" in browser.text()
    assert browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=referral-status]").text == "Submitted"
    browser.assert_accessible()
    browser.sign_out()

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
