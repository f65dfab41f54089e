"""In Chromium, intake end to end: the social worker fills the referral form in steps (an error
on the way), goes back from "Check your answers" to change the partner's phone, sends it, then
changes it again after sending; the practitioner sees the change log, finds the client by a
misspelled name, links the referral to the person already known and accepts; later two records
of one man are merged and the report counts him once. Every page is checked with axe-core."""

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from eip.people.models import Role
from evaluation.report import demographics, month_period
from referrals import services
from referrals.models import Person, PersonMerge, Referral
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.browser


def choose(browser, label_start):
    """Tick a radio or checkbox by the start of its label, as a person clicks it."""
    browser.driver.find_element(By.XPATH, f"//label[starts-with(normalize-space(), '{label_start}')]").click()


def choose_in(browser, legend, label):
    fieldset = browser.driver.find_element(By.XPATH, f"//fieldset[legend[normalize-space()='{legend}']]")
    fieldset.find_element(By.XPATH, f".//label[normalize-space()='{label}']").click()


def page(browser, heading):
    """The next question page is `heading`, and it passes axe."""
    assert browser.heading() == heading
    browser.assert_accessible()


def test_refer_in_steps_amend_search_link_accept_and_merge(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    supervisor = UserFactory(role=Role.SUPERVISOR, full_name="Jo Reid")
    # Known already: Mohammed Khan, from last year's referral.
    earlier = make_referral(worker, client_first_name="Mohammed", client_last_name="Khan")
    known = services.referral_link_person(referral=earlier, user=practitioner, person=None)

    # This year the social worker refers him again, spelling him differently, page by page.
    browser.sign_in(worker.email)
    browser.go("/referrals/")
    browser.follow("Make a referral")
    page(browser, "About you and your team")
    choose_in(browser, "Which team are you in?", "Child in Need")
    browser.press("Continue")
    page(browser, "The client")
    browser.fill("First name", "Muhammad")
    browser.fill("Last name", "Khan")
    browser.fill("Day", "31")
    browser.fill("Month", "2")
    browser.fill("Year", "1987")
    browser.press("Continue")
    # An impossible date: said beside the field and in the summary; nothing typed is lost.
    assert "There is a problem" in browser.text() and "Date of birth must be a real date" in browser.text()
    assert browser.field("First name").get_attribute("value") == "Muhammad"
    browser.assert_accessible()
    browser.screenshot("referral-step-error")
    browser.fill("Day", "14")
    browser.fill("Month", "5")
    choose_in(browser, "Gender", "Man")
    browser.driver.find_element(By.ID, "id_client_ethnicity").send_keys("White: Eng")
    choose_in(browser, "Does the client need an interpreter?", "No")
    browser.press("Continue")
    page(browser, "Contacting the client")
    browser.fill("Phone number", "07700 900123")
    browser.press("Continue")
    page(browser, "The partner or victim-survivor")
    browser.fill("Partner's first name", "Chloe")
    browser.fill("Partner's phone number (optional)", "07700 900456")
    choose_in(browser, "Does the partner live with the client?", "Yes")
    browser.press("Continue")
    page(browser, "Children in the family")
    browser.fill("Child 1: age in years", "6")
    browser.driver.find_element(By.ID, "id_children-0-plan").send_keys("Child in Need")
    browser.press("Continue")
    page(browser, "Risk at referral")
    choose(browser, "Verbal arguments")
    choose_in(browser, "Have the police been involved?", "No")
    choose_in(browser, "Has a DASH risk checklist been completed?", "Yes")
    browser.fill("DASH score", "30")
    browser.press("Continue")
    assert "The DASH score must be 24 or fewer" in browser.text()
    browser.fill("DASH score", "9")
    browser.press("Continue")
    page(browser, "What you are asking for")
    choose_in(browser, "Might the client need temporary accommodation?", "Yes")
    choose(browser, "Willing to engage")
    browser.fill("The case in your words", "Arguments about contact are escalating.")
    browser.press("Continue")
    page(browser, "Check your answers before sending the referral")
    browser.screenshot("referral-check-answers")

    # Back from "Check your answers" to change the partner's phone, and straight back.
    change = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=check-partner] .govuk-summary-card__actions a")
    browser.submit_and_wait(change.click)
    page(browser, "The partner or victim-survivor")
    assert browser.field("Partner's phone number (optional)").get_attribute("value") == "07700 900456"
    browser.fill("Partner's phone number (optional)", "07700 900999")
    browser.press("Save and return to check your answers")
    assert browser.heading() == "Check your answers before sending the referral"
    partner = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=check-partner]").text
    assert "07700 900999" in partner and "07700 900456" not in partner
    browser.press("Send the referral")
    referral = Referral.objects.exclude(pk=earlier.pk).get()
    assert referral.status == Referral.Status.SUBMITTED and referral.partner.phone == "07700 900999"
    assert f"Referral {referral.reference} has been sent" in browser.text()
    browser.assert_accessible()

    # After sending, the social worker changes the DASH score: logged, and the practitioner told.
    browser.follow("Change the referral")
    page(browser, f"Change referral {referral.reference}")
    change = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=check-risk] .govuk-summary-card__actions a")
    browser.submit_and_wait(change.click)
    page(browser, "Risk at referral")
    browser.fill("DASH score", "15")
    browser.press("Send the change")
    assert "has been sent" in browser.text()
    browser.assert_accessible()
    browser.sign_out()

    # The practitioner finds him by a misspelled name, sees the change log, accepts with the person known.
    browser.sign_in(practitioner.email)
    browser.go("/referrals/")
    assert browser.heading() == "Referral inbox"
    browser.assert_accessible()
    browser.fill("Search by reference, client name or date of birth", "Muhamad Kahn")
    browser.press("Search")
    rows = browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid=referral-row]")
    assert {row.find_element(By.TAG_NAME, "a").text for row in rows} == {referral.reference, earlier.reference}
    browser.assert_accessible()
    browser.follow(referral.reference)
    log = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=change-log]").text
    assert "DASH score" in log and "9" in log and "15" in log and "Sam Okafor" in log
    browser.assert_accessible()
    browser.follow("Acknowledge")
    browser.press("Acknowledge and tell the social worker")
    # Is this person already known? The likely match comes first, with its reasons.
    assert "first name is another spelling of the same name" in browser.text()
    choose(browser, "Mohammed Khan, born 14 May 1987")
    browser.press("Save")
    assert "linked to a person already known" in browser.text()
    browser.assert_accessible()
    browser.follow("Accept and open a case")
    assert browser.heading() == "Accept the referral and open a case"
    browser.assert_accessible()
    browser.press("Accept and open the case")
    assert "accepted and a case opened" in browser.text()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.person == known

    # A third referral was linked to a new record by mistake: the practitioner proposes a merge.
    third = make_referral(worker, client_first_name="Mohammed", client_last_name="Khan", client_phone="020 7946 0123")
    services.referral_acknowledge(referral=third, user=practitioner, consultation_timeline="Soon")
    duplicate = services.referral_link_person(referral=third, user=practitioner, person=None)
    period = month_period(timezone.localdate().year, timezone.localdate().month)
    before = demographics(period)["individuals"]
    browser.go(f"/referrals/people/{known.pk}/")
    browser.assert_accessible()
    choose(browser, "Mohammed Khan, born 14 May 1987, Camden (person")
    browser.fill("Why are they the same person?", "Same name, date of birth and address")
    browser.press("Propose merging the records")
    assert "A supervisor must confirm it" in browser.text()
    browser.assert_accessible()
    browser.sign_out()

    browser.sign_in(supervisor.email)
    merge = PersonMerge.objects.get()
    browser.go(f"/referrals/people/merges/{merge.pk}/")
    browser.assert_accessible()
    choose(browser, "Yes: merge them")
    browser.press("Save the decision")
    assert "The records are merged." in browser.text()
    explanation = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=merge-explanation]").text
    assert "Proposed by Alex Morgan" in explanation and "Confirmed by Jo Reid" in explanation
    assert f"Moved to person {known.pk}: 1 referral." in explanation
    browser.assert_accessible()
    browser.screenshot("person-merge-confirmed")
    assert demographics(period)["individuals"] == before - 1
    assert Person.objects.get(pk=duplicate.pk).merged_into == known
