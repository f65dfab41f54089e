"""In Chromium: the practitioner requests accommodation, housing books it, finance approves
it, the agreement PDF downloads without any partner data, and the move-on is recorded."""

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from accommodation.models import Fund, Placement
from eip.people.models import Role
from tests.accommodation_factories import case_ready_for_accommodation
from tests.factories import BoroughFactory, UserFactory

pytestmark = pytest.mark.browser


def fill_date(browser, legend, day):
    fieldset = browser.driver.find_element(By.XPATH, f"//fieldset[legend[normalize-space()='{legend}']]")
    for label, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        box = fieldset.find_element(By.XPATH, f".//label[normalize-space()='{label}']/following-sibling::input")
        box.clear()
        box.send_keys(str(value))


def tick(browser, label):
    browser.driver.find_element(By.XPATH, f'//label[normalize-space()="{label}"]').click()


@pytest.mark.document_scan
def test_request_book_approve_agreement_move_on(browser):
    Fund.objects.get_or_create(defaults={"name": "Phase 1", "total": "14000.00", "places": 10})
    camden = BoroughFactory(name="Camden", code="camden")
    housing = UserFactory(role=Role.HOUSING_SPOC, borough=camden, full_name="Hana Housing")
    camden.housing_spoc = housing
    camden.save()
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    finance = UserFactory(role=Role.FINANCE, full_name="Dana Price")
    case = case_ready_for_accommodation(worker, practitioner)
    start = timezone.localdate() + timedelta(days=2)

    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/accommodation/")
    browser.assert_accessible()
    fill_date(browser, "Needed from", start)
    browser.fill("Why is accommodation needed?", "Arguments escalating; partner wants to stay home with the children.")
    browser.fill("Risks of the move, and how they are mitigated", "Client may turn up at home; no-contact agreed.")
    browser.press("Send the request to housing")
    assert "Record the scenario planning" in browser.text()  # refused beside the field, nothing lost
    assert "Tell the client and the partner about local housing options first" in browser.text()
    assert "Arguments escalating" in browser.field("Why is accommodation needed?").get_attribute("value")
    browser.fill("Scenario planning", "If they separate: housing options for a private room.")
    tick(browser, "The client and the partner have been told about local housing options")
    browser.fill("Exclusion areas", "Within a mile of the family home (NW1) and the children's school")
    browser.press("Send the request to housing")
    assert "Accommodation requested" in browser.text()
    browser.sign_out()

    browser.sign_in(housing.email)
    browser.go("/housing/")
    browser.follow(case.reference)
    booking = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=booking-details]").text
    assert "Within a mile of the family home" in booking and "Chloe" not in browser.text()
    assert "Arguments escalating" not in browser.text()
    browser.assert_accessible()
    browser.fill("Provider", "Camden Travel Inn")
    tick(browser, "Hotel or B&B")
    browser.fill("Address", "10 Hotel Street, London N1 1AA")
    browser.fill("Cost per night (£)", "60.00")
    fill_date(browser, "Start", start)
    fill_date(browser, "Planned end", start + timedelta(days=35))
    browser.fill("Distance from the family home (miles)", "2.5")
    browser.press("Send to finance for approval")
    assert "at most four weeks" in browser.text()
    fill_date(browser, "Planned end", start + timedelta(days=28))
    browser.press("Send to finance for approval")
    assert "Placement proposed" in browser.text()
    browser.sign_out()

    browser.sign_in(finance.email)
    browser.go("/finance/")
    assert "£14,000.00" in browser.text()
    browser.assert_accessible()
    browser.follow(case.reference)
    assert "10 Hotel Street" not in browser.text() and "Arguments escalating" not in browser.text()
    tick(browser, "Approve the spend")
    browser.press("Record the decision")
    assert "Decision recorded" in browser.text()
    browser.go("/finance/")
    position = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=fund-position]").text
    assert "£1,680.00" in position and "£12,320.00" in position
    browser.sign_out()

    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/accommodation/")
    assert "28 days left" in browser.text() or "30 days left" in browser.text()
    pdf = browser.download("Download the accommodation agreement")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Temporary accommodation agreement" in text and "10 Hotel Street" in text
    for partner_detail in ("Chloe", "07700 900456", "12 Example Road", "NW1 0AA"):
        assert partner_detail not in text
    tick(browser, "Yes")  # return home is safe
    fill_date(browser, "Date of the review", timezone.localdate())
    browser.fill("Risks to the children", "Low; children's social worker visiting weekly.")
    browser.fill("Risks to adults", "Low.")
    browser.fill("Support package agreed", "Weekly sessions continue; DVPP referral.")
    browser.press("Record the review")
    assert "Return-home review recorded" in browser.text()
    fill_date(browser, "Date the client left", timezone.localdate())
    tick(browser, "Returned home after a return-home review")
    browser.press("Record the move-on")
    assert "Move-on recorded" in browser.text()
    assert Placement.objects.get().move_on == "returned_home"
    browser.assert_accessible()
    browser.screenshot("accommodation-ended")
