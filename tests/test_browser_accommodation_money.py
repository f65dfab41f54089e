"""In Chromium, Camden finance at month end: a placement that ended early is found under
"Ended", its final invoice recorded and paid, the commitment drops and the rest returns to the
fund; a move-on deposit is approved; the month's ledger CSV and the fund statement PDF are
downloaded and read back (no client name or address, money as £1,234.00); the unpaid invoices
list empties when paid. axe runs on every page."""

import csv
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from accommodation import services
from accommodation.models import Fund
from eip.people.models import Role
from tests.accommodation_factories import case_ready_for_accommodation, propose, request_for
from tests.factories import BoroughFactory, UserFactory
from tests.test_browser_accommodation import fill_date, tick

pytestmark = pytest.mark.browser


def test_finance_month_end_after_an_early_move_on(browser):
    Fund.objects.all().delete()
    fund = Fund.objects.create(name="Phase 1 accommodation fund", total=Decimal("14000.00"), places=10)
    camden = BoroughFactory(name="Camden", code="camden")
    housing = UserFactory(role=Role.HOUSING_SPOC, borough=camden, full_name="Hana Housing")
    camden.housing_spoc = housing
    camden.save()
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    finance = UserFactory(role=Role.FINANCE, full_name="Dana Price")
    today = timezone.localdate()
    start = today - timedelta(days=10)
    case = case_ready_for_accommodation(worker, practitioner)
    placement = propose(
        request_for(case, practitioner, needed_from=start),
        housing,
        nightly_rate=Decimal("62.00"),
        start_on=start,
        planned_end_on=start + timedelta(days=28),
    )  # £1,736
    placement = services.placement_decide(placement=placement, user=finance, approve=True)
    # The client moved on to a private room after 10 nights: 18 nights early.
    services.placement_end(placement=placement, user=practitioner, ended_on=today, move_on="private_rented")
    services.move_on_payment_propose(
        request=placement.request,
        user=housing,
        kind="deposit",
        payee_type="letting_agent",
        payee="Kentish Lettings",
        address="Flat 3, 9 Fresh Lane, London N19 9ZZ",
        amount=Decimal("1100.00"),
        due_on=today,
        distance_miles=Decimal("2.0"),
    )
    referral = case.referral

    browser.sign_in(finance.email)
    browser.go("/finance/")
    browser.assert_accessible()
    position = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=fund-position]").text
    assert "£620.00" in position and "£13,380.00" in position  # 10 nights committed; £1,116 released
    assert "£1,116.00 released back to the fund" in browser.text()
    ended = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=placements-ended]")
    ended.find_element(By.LINK_TEXT, case.reference).click()
    browser.wait_for_page()
    assert "Ended" in browser.text() and "Flat 3" not in browser.text() and "Hotel Street" not in browser.text()
    browser.assert_accessible()
    browser.fill("Invoice number", "CTI-2211")
    browser.fill("Amount (£)", "700")
    fill_date(browser, "Date received", today)
    browser.press("Record the invoice")
    assert "more than the £620.00 approved" in browser.text()  # beside the field, nothing lost
    assert browser.field("Invoice number").get_attribute("value") == "CTI-2211"
    browser.assert_accessible()
    browser.fill("Amount (£)", "580")  # the hotel charged 10 nights less a discount
    tick(browser, "This is the provider's final invoice for the placement")
    browser.press("Record the invoice")
    assert "Invoice recorded" in browser.text()
    assert "£580.00" in browser.text()

    browser.go("/finance/invoices/unpaid/")
    browser.assert_accessible()
    assert "CTI-2211" in browser.text() and "£580.00 in total" in browser.text()
    browser.press("Mark as paid today invoice CTI-2211")
    assert "Every invoice recorded has been paid" in browser.text()

    browser.go("/finance/")
    position = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=fund-position]").text
    assert "£580.00" in position and "£13,420.00" in position  # committed = paid; £1,156 back in the fund
    assert "£1,156.00 released back to the fund" in browser.text()
    waiting = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=placements-proposed]")
    assert "Deposit" in waiting.text and "£1,100.00" in waiting.text
    waiting.find_element(By.LINK_TEXT, case.reference).click()
    browser.wait_for_page()
    tick(browser, "Approve the spend")
    browser.press("Record the decision")
    assert "Decision recorded" in browser.text()
    browser.go("/finance/")
    position = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=fund-position]").text
    assert "£1,680.00" in position and "£12,320.00" in position
    browser.assert_accessible()

    ledger = browser.download(f"{today:%B %Y} ledger (CSV)")
    text = ledger.read_text()
    rows = list(csv.reader(text.splitlines()))
    assert [r[5] for r in rows[1:]] == ["CTI-2211"] and rows[1][9] == "580.00" and rows[1][8] == "10"
    statement = browser.download("Download the fund statement")
    pdf = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(statement), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Total available £14,000.00" in pdf and "Remaining £12,320.00" in pdf
    assert "Camden 2 £1,680.00 £580.00 £1,156.00" in pdf
    for output in (text, pdf):
        for private in (referral.client_first_name, referral.client_last_name, "Hotel Street", "Fresh Lane", "N19"):
            assert private not in output, private
    browser.screenshot("finance-month-end")
    assert fund.placements.count() == 2
