"""In Chromium: on the Risk tab the practitioner is told no DASH has been completed yet, then, once
one is, downloads the MARAC referral summary and the IDVA handover summary, each read back from
the PDF with the DASH score and the partner's details; the borough SPOC opening the same tab sees
no such link and is refused the address. Every page passes axe-core."""

import subprocess
from datetime import date

import pytest
from selenium.webdriver.common.by import By

from assessments.services import assessment_complete
from cases.models import Case
from eip.audit.models import AuditEvent
from eip.people.models import Role
from tests.assessment_factories import dash, seed_configuration
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.browser


def read_pdf(path) -> str:
    return " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )


def test_the_practitioner_downloads_both_packs_and_the_borough_spoc_gets_neither(browser):
    seed_configuration()
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    spoc = UserFactory(role=Role.BOROUGH_SPOC, borough=camden, full_name="Bea Spoc")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    case = make_case(worker, practitioner)
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=date(2026, 1, 12))

    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/")
    browser.follow("Risk")
    panel = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=risk-packs]").text
    assert "No DASH has been completed on this case yet." in panel
    assert "Send them only through your borough's secure route" in panel
    browser.assert_accessible()

    assessment_complete(
        case=case,
        user=practitioner,
        instrument="dash",
        stage="intake",
        assessed_on=date(2026, 1, 14),
        answers=dash(16),
    )
    browser.go(f"/cases/{case.pk}/risk/")
    panel = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=risk-packs]").text
    assert "Latest DASH: 14 January 2026 (intake), 16 ‘yes’ answers of 24" in panel
    assert "visible high risk" in panel
    browser.assert_accessible()
    browser.screenshot("risk-packs-practitioner")

    marac = read_pdf(browser.download("Download the MARAC referral summary"))
    assert "MARAC referral summary" in marac and "Score: 16 ‘yes’ of 24" in marac
    assert "Chloe Hughes" in marac and "07700 900456" in marac and "Aged 6: Child in Need plan" in marac
    assert "Refer the case to MARAC" in marac  # the action the DASH raised
    idva = read_pdf(browser.download("Download the IDVA handover summary"))
    assert "IDVA handover summary" in idva and "Score: 16 ‘yes’ of 24" in idva and "Chloe Hughes" in idva
    packs = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, actor=practitioner, record_id=str(case.pk))
    assert sorted(packs.values_list("detail__pack", flat=True)) == ["idva", "marac"]
    browser.sign_out()

    browser.sign_in(spoc.email)
    browser.go(f"/cases/{case.pk}/risk/")
    text = browser.text()
    assert "Risk packs" not in text and "MARAC referral summary" not in text and "Chloe" not in text
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "a[href$='.pdf']")
    browser.assert_accessible()
    browser.go(f"/cases/{case.pk}/risk/marac-referral.pdf")
    assert browser.heading() == "You cannot see this page" and "Chloe" not in browser.text()
    browser.assert_accessible()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, actor=spoc).exists()
