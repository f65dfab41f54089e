"""In Chromium: the case page's sections are a side navigation beside the page at desktop width
(one column, never wrapping across the page), a row that scrolls sideways on a phone, and the
case summary, plan and diary print without the service's navigation, buttons or forms."""

import base64
import itertools
import subprocess
from datetime import date

import pytest
from selenium.webdriver.common.by import By

from eip.people.models import Role
from tests.browser import SCREENSHOTS
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case
from tests.test_cases import to_intervention

pytestmark = pytest.mark.browser

NAV = "nav[aria-label='Case sections']"


@pytest.fixture
def case_in_intervention(db):
    camden = BoroughFactory(name="Camden", code="camden")
    people = {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor"),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
    }
    case = to_intervention(make_case(people["worker"], people["practitioner"]), people, started_on=date(2026, 1, 12))
    return case, people["practitioner"]


def boxes(browser, selector):
    """Where each matching element is on the page (its bounding box)."""
    return browser.driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.getBoundingClientRect().toJSON())",
        selector,
    )


def print_media(browser, on: bool):
    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print" if on else ""})


def shown(browser, selector):
    """The matching elements that take space on the page."""
    return [b for b in boxes(browser, selector) if b["width"] > 0 and b["height"] > 0]


def test_case_sections_are_a_side_navigation_beside_the_page_at_desktop_width(browser, case_in_intervention):
    case, practitioner = case_in_intervention
    browser.sign_in(practitioner.email)
    browser.driver.set_window_size(1280, 1000)
    browser.go(f"/cases/{case.pk}/")
    browser.screenshot("case-overview-desktop")
    links = shown(browser, f"{NAV} a")
    assert len(links) >= 9
    # One column: every section's link starts at the same left edge, one below another.
    assert len({round(b["left"]) for b in links}) == 1
    assert all(later["top"] >= earlier["bottom"] - 1 for earlier, later in itertools.pairwise(links))
    # Beside the section it opens, not above it.
    nav = boxes(browser, NAV)[0]
    content = boxes(browser, "[data-testid=case-section]")[0]
    assert content["left"] >= nav["right"] and content["top"] < nav["bottom"]
    current = browser.driver.find_element(By.CSS_SELECTOR, f"{NAV} a[aria-current=page]")
    assert current.text == "Overview"
    browser.assert_accessible()

    # By keyboard: the sections are links in the tab order, and one opens with Enter.
    plan = browser.driver.find_element(By.CSS_SELECTOR, f"{NAV} a[href$='/plan/']")
    browser.driver.execute_script("arguments[0].focus()", plan)
    assert browser.driver.switch_to.active_element == plan
    browser.submit_and_wait(lambda: plan.send_keys("\n"))
    assert browser.path() == f"/cases/{case.pk}/plan/"
    browser.assert_accessible()


def test_on_a_phone_the_case_sections_are_one_row_that_scrolls_sideways(browser, case_in_intervention):
    case, practitioner = case_in_intervention
    browser.sign_in(practitioner.email)
    try:
        browser.driver.set_window_size(375, 800)
        browser.go(f"/cases/{case.pk}/")
        browser.driver.execute_script("document.querySelector(arguments[0]).scrollIntoView()", NAV)
        browser.driver.save_screenshot(str(SCREENSHOTS / "case-overview-phone.png"))
        links = shown(browser, f"{NAV} a")
        assert len({round(b["top"]) for b in links}) == 1  # one row
        width = browser.driver.execute_script("return document.documentElement.clientWidth")
        page_width = browser.driver.execute_script("return document.documentElement.scrollWidth")
        assert page_width <= width  # the page itself does not scroll sideways: the row does
        browser.assert_accessible()
    finally:
        browser.driver.set_window_size(1280, 1000)


@pytest.mark.parametrize("page", ["", "plan/", "diary"])
def test_printing_leaves_out_navigation_buttons_and_forms(browser, case_in_intervention, page):
    case, practitioner = case_in_intervention
    browser.sign_in(practitioner.email)
    browser.go("/diary/" if page == "diary" else f"/cases/{case.pk}/{page}")
    chrome = "header, footer, nav, .govuk-skip-link, .govuk-service-navigation, button, .govuk-button, form"
    assert shown(browser, chrome)  # on screen they are there
    print_media(browser, True)
    try:
        assert shown(browser, chrome) == []
        assert browser.driver.find_element(By.TAG_NAME, "h1").is_displayed()
        if page == "":
            summary = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=client-summary]")
            assert summary.is_displayed()
        if page == "diary":
            # A link prints as its words, in the text's colour, without an address beside it.
            link = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=diary-overdue] a")
            assert link.is_displayed()
            colour = browser.driver.execute_script("return getComputedStyle(arguments[0]).color", link)
            after = browser.driver.execute_script("return getComputedStyle(arguments[0], '::after').content", link)
            assert colour in ("rgb(0, 0, 0)", "rgb(11, 12, 12)") and after in ("none", "normal")
    finally:
        print_media(browser, False)

    # What Chromium prints: the page's words, none of the service's chrome.
    pdf = SCREENSHOTS / f"print-{page.strip('/') or 'overview'}.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    printed = browser.driver.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69})
    pdf.write_bytes(base64.b64decode(printed["data"]))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert browser.heading() in text
    for chrome_text in ("Sign out", "Signed in as", "EIP case management", "Skip to main content"):
        assert chrome_text not in text
    if page == "":
        assert "Client at a glance" in text and "Timeline" in text
        assert "Subject access requests" not in text and "Start the exit stage" not in text
        assert "Change accessibility" not in text
    elif page == "plan/":
        assert "Risk Management and Intervention Plan" in text and "Escalating arguments" in text
        assert "Save the plan" not in text and "Revise the plan" not in text
    else:
        assert "Overdue" in text and case.referral.client_last_name in text and "Plan a session or meeting" not in text
        assert "Open assessments" not in text  # where a thing is done: a link, useless on paper


@pytest.mark.parametrize("path", ["/cases/", "/referrals/?tab=all", "/"])
def test_on_a_phone_wide_tables_scroll_sideways_inside_the_page(browser, case_in_intervention, path):
    """The caseload's, the inbox's and the supervisor's home page's tables (as the diary's, a
    case's sessions' and the audit log's) scroll within their own pane, reachable by keyboard,
    and the page itself keeps to the phone's width."""
    case, practitioner = case_in_intervention
    supervisor = UserFactory(role=Role.SUPERVISOR, full_name="Pat Supervisor")
    browser.sign_in((supervisor if path == "/" else practitioner).email)
    try:
        browser.driver.set_window_size(375, 800)
        browser.go(path)
        assert shown(browser, ".moj-scrollable-pane table")  # the page has a table, in its pane
        width = browser.driver.execute_script("return document.documentElement.clientWidth")
        page_width = browser.driver.execute_script("return document.documentElement.scrollWidth")
        assert page_width <= width
        browser.assert_accessible()
    finally:
        browser.driver.set_window_size(1280, 1000)
