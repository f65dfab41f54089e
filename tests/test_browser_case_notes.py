"""In Chromium: a practitioner writes a case note with the client (shared with the referrer) and one
with the partner, being told beside the field what is missing; the borough SPOC opening the case
reads the first and not the second, and the social worker reads the shared update. Every page
passes axe-core and the Content-Security-Policy."""

import pytest
from selenium.webdriver.common.by import By

from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case
from tests.test_browser_cases import choose_in

pytestmark = pytest.mark.browser

CLIENT_NOTE = "Phoned the client: agreed to move Thursday's session to Friday at 10:00."
PARTNER_NOTE = "Canary-partner: she is staying with her sister until the client has moved out."


def write_note(browser, contacted, how, text, *, share=False):
    choose_in(browser, "Who was contacted?", contacted)
    choose_in(browser, "How?", how)
    browser.fill("Note", text)
    if share:
        browser.driver.find_element(
            By.XPATH, "//label[normalize-space()='Share with the referrer as a progress update']"
        ).click()
    browser.press("Save the note")


def test_a_partner_note_is_kept_from_the_borough_spoc(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    spoc = UserFactory(role=Role.BOROUGH_SPOC, borough=camden, full_name="Bea Spoc")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    case = make_case(worker, practitioner)

    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/")
    browser.follow("Notes")
    assert "No notes yet." in browser.text()
    browser.press("Save the note")  # nothing chosen or written: told what to do, beside the fields
    summary = browser.driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary").text
    assert "Select who was contacted" in summary and "Write the note" in summary
    browser.assert_accessible()
    write_note(browser, "The client", "Phone call", CLIENT_NOTE, share=True)
    assert "Note saved." in browser.text()
    write_note(browser, "The partner", "Visit or face to face", PARTNER_NOTE)
    notes = browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid=case-note]")
    assert len(notes) == 2
    assert "Restricted: partner" in browser.text() and "shared with the referrer" in browser.text()
    browser.assert_accessible()
    browser.screenshot("case-notes-practitioner")
    # The author corrects a slip straight away (newest first: the partner note heads the list).
    link = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=case-note] a[href$='/correct/']")
    browser.submit_and_wait(link.click)
    assert "Correct your note" in browser.text()
    browser.assert_accessible()
    browser.fill("Note", PARTNER_NOTE.replace("sister", "sister in Hove"))
    browser.press("Save the correction")
    assert "Note corrected." in browser.text() and "corrected by the author" in browser.text()
    browser.sign_out()

    browser.sign_in(spoc.email)
    browser.go(f"/cases/{case.pk}/")
    assert "Case note: phone call with the client" in browser.text()
    assert "with the partner" not in browser.text()
    browser.follow("Notes")
    text = browser.text()
    assert CLIENT_NOTE in text and "Canary-partner" not in text and "sister" not in text and "Hove" not in text
    assert "Write a note" not in text
    browser.fill("Search the notes on this case", "sister")
    browser.press("Search")
    assert "No notes match your search." in browser.text()
    browser.assert_accessible()
    browser.screenshot("case-notes-borough-spoc")
    browser.sign_out()

    browser.sign_in(worker.email)
    browser.go(f"/cases/{case.pk}/notes/")
    assert CLIENT_NOTE in browser.text() and "Canary-partner" not in browser.text()
    assert "progress updates the practitioner has shared with you" in browser.text()
    browser.assert_accessible()
