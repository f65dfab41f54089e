"""In Chromium, intake end to end: the social worker changes a referral after sending it, the
practitioner sees the change log, finds the client by a misspelled name, accepts linking the
person already known; later two records of one man are merged and the report counts him once.
Every page is checked with axe-core."""

from datetime import date

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
    """Tick a radio by the start of its label, as a person clicks it."""
    browser.driver.find_element(By.XPATH, f"//label[starts-with(normalize-space(), '{label_start}')]").click()


def test_amend_search_link_accept_and_merge(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    supervisor = UserFactory(role=Role.SUPERVISOR, full_name="Jo Reid")
    # Known already: Mohammed Khan, from last year's referral.
    earlier = make_referral(worker, client_first_name="Mohammed", client_last_name="Khan")
    known = services.referral_link_person(referral=earlier, user=practitioner, person=None)
    # This year's referral spells him differently.
    referral = make_referral(
        worker, client_first_name="Muhammad", client_last_name="Khan", client_date_of_birth=date(1987, 5, 14)
    )

    # The social worker changes the partner's phone after sending.
    browser.sign_in(worker.email)
    browser.go(f"/referrals/{referral.pk}/")
    browser.follow("Change the referral")
    assert browser.heading() == f"Change referral {referral.reference}"
    browser.assert_accessible()
    browser.fill("Partner's phone number (optional)", "07700 900999")
    browser.press("Send the changes")
    assert "have been sent" in browser.text() or "has been sent" in browser.text()
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
    assert "Partner's phone number" in log and "07700 900999" in log and "Sam Okafor" in log
    browser.assert_accessible()
    browser.follow("Acknowledge")
    browser.press("Acknowledge and tell the social worker")
    browser.follow("Accept and open a case")
    assert browser.heading() == "Accept the referral and open a case"
    assert "first name is another spelling of the same name" in browser.text()
    browser.assert_accessible()
    choose(browser, "Mohammed Khan, born 14 May 1987")
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
