"""In Chromium: a practitioner prepares a subject access export, a supervisor reads and approves
it, and the practitioner downloads the PDF and records its release. Every page passes axe-core
and the Content-Security-Policy."""

import subprocess

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from cases import services
from cases.models import Case, SubjectAccessRequest
from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case
from tests.test_browser_cases import choose_in, fill_date, section

pytestmark = pytest.mark.browser


@pytest.mark.document_scan
def test_a_subject_access_export_from_preparation_to_release(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    supervisor = UserFactory(role=Role.SUPERVISOR, full_name="Jo Reviewer")
    case = make_case(worker, practitioner, partner={"first_name": "Zephyrine", "address": "7 Larkspur Mews"})
    Case.objects.filter(pk=case.pk).update(stage="intervention", intervention_started_on=timezone.localdate())
    services.session_record(
        case=case,
        user=practitioner,
        held_on=timezone.localdate(),
        modality="video",
        duration_minutes=50,
        attendance="attended",
        topics=["communication"],
        notes="Practised time-outs. Mentioned Zephyrine.",
    )

    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/")
    section(browser, "Subject access requests")
    browser.assert_accessible()
    browser.follow("Prepare a subject access export")
    browser.assert_accessible()
    fill_date(browser, "Date the client asked", timezone.localdate())
    browser.press("Prepare the export for review")
    assert "A supervisor has been asked to review it" in browser.text()
    assert "Waiting for a supervisor's review" in browser.text()
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid=sar-download]")
    browser.assert_accessible()
    browser.sign_out()

    browser.sign_in(supervisor.email)
    browser.go(f"/cases/{case.pk}/subject-access/")
    review = browser.driver.find_element(By.PARTIAL_LINK_TEXT, "Review")
    browser.submit_and_wait(review.click)
    export = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=sar-frozen]").text
    assert "Practised time-outs" in export and "Zephyrine" not in export and "Larkspur" not in export
    browser.assert_accessible()
    choose_in(browser, "Can this export be released to the client?", "Yes, approve it for release")
    browser.press("Record the review")
    assert "Approved for release" in browser.text()
    browser.sign_out()

    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/subject-access/")
    pdf = browser.download("Download PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Daniel" in text and "Zephyrine" not in text and "Larkspur" not in text
    browser.press("Record as released")
    assert "Released to the client" in browser.text()
    browser.assert_accessible()
    assert SubjectAccessRequest.objects.get(case=case).status == "released"
