"""In Chromium: a practitioner uploads a web page renamed to .pdf and is told beside the field,
then uploads a consent form and a letter marked as holding the partner's information, and withdraws
a file put on the wrong case, giving the reason. The borough SPOC opening the case sees and downloads the
consent form only. Every page passes axe-core and the Content-Security-Policy."""

import pytest
from selenium.webdriver.common.by import By

from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case
from tests.test_browser_cases import choose_in

pytestmark = pytest.mark.browser

CONSENT = "Consent form signed by the client"
PARTNER = "Canary-partner: letter from her IDVA about the refuge"
WRONG = "Canary-wrong: another client's consent form"


def upload(browser, category, title, path, *, partner=False):
    choose_in(browser, "What type of document is it?", category)
    browser.fill("Description", title)
    browser.field("Upload a file").send_keys(str(path))
    if partner:
        browser.driver.find_element(
            By.XPATH,
            "//label[normalize-space()='This document contains information about the partner or the children']",
        ).click()
    browser.press("Upload the document")


def titles(browser):
    return [e.text for e in browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid=document-title]")]


def test_a_partner_document_is_kept_from_the_borough_spoc(browser, tmp_path):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    spoc = UserFactory(role=Role.BOROUGH_SPOC, borough=camden, full_name="Bea Spoc")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    case = make_case(worker, practitioner)
    page = tmp_path / "consent.pdf"
    page.write_bytes(b"<html><body><script>alert(1)</script></body></html>")
    consent = tmp_path / "consent-signed.pdf"
    consent.write_bytes(b"%PDF-1.4 the signed consent form")
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4 a letter about the partner")

    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/")
    browser.follow("Documents")
    assert "No documents yet." in browser.text()
    upload(browser, "Consent form", CONSENT, page)  # a web page named .pdf: refused, beside the field
    summary = browser.driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary").text
    assert "must be a PDF, Word document, PNG or JPEG" in summary
    error = browser.driver.find_element(By.CSS_SELECTOR, "#div_id_file .govuk-error-message").text
    assert "must be a PDF, Word document, PNG or JPEG" in error
    assert browser.field("Description").get_attribute("value") == CONSENT  # what was typed stays
    browser.assert_accessible()
    browser.screenshot("case-documents-refused")
    browser.field("Upload a file").send_keys(str(consent))
    browser.press("Upload the document")
    assert "Document uploaded." in browser.text()
    upload(browser, "Correspondence", PARTNER, letter, partner=True)
    assert titles(browser) == [PARTNER, CONSENT]
    assert "Restricted: partner" in browser.text()
    upload(browser, "Other", WRONG, consent)
    row = browser.driver.find_element(By.XPATH, f"//tr[.//*[normalize-space()={WRONG!r}]]")
    browser.submit_and_wait(row.find_element(By.PARTIAL_LINK_TEXT, "Withdraw").click)
    assert "A withdrawn document is not deleted" in browser.text()
    browser.press("Withdraw the document")  # no reason: told beside the field
    assert "Say why the document is being withdrawn" in browser.text()
    browser.assert_accessible()
    browser.fill("Why are you withdrawing this document?", "Uploaded to the wrong case")
    browser.press("Withdraw the document")
    assert "Document withdrawn." in browser.text() and "Uploaded to the wrong case" in browser.text()
    assert titles(browser) == [WRONG, PARTNER, CONSENT]
    browser.assert_accessible()
    browser.screenshot("case-documents-practitioner")
    browser.sign_out()

    browser.sign_in(spoc.email)
    browser.go(f"/cases/{case.pk}/")
    assert "Document added: consent form" in browser.text()
    assert "Document added: correspondence" not in browser.text()
    browser.follow("Documents")
    assert titles(browser) == [CONSENT]
    text = browser.text()
    assert "Canary-" not in text and "Restricted" not in text and "Withdrawn" not in text
    assert "Upload a document" not in text
    browser.assert_accessible()
    browser.screenshot("case-documents-borough-spoc")
    downloaded = browser.download("Download")
    assert downloaded.read_bytes() == b"%PDF-1.4 the signed consent form"
    assert downloaded.name.endswith(".pdf") and "consent-form" in downloaded.name
