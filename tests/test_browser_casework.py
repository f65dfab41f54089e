"""In Chromium: a practitioner finds a closed case by the client's name and reopens it; a
supervisor moves a caseload of 20 to a colleague, and the cases, their reminders and access
move with it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from cases.models import Case
from eip.notifications.models import Notification
from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case
from tests.test_browser_cases import fill_date
from tests.test_casework import close, more_cases, reminder

pytestmark = pytest.mark.browser


def test_a_closed_case_is_reopened_and_a_caseload_of_20_is_reassigned(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    alex = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    jo = UserFactory(role=Role.PRACTITIONER, full_name="Jo Colleague")
    supervisor = UserFactory(role=Role.SUPERVISOR, full_name="Pat Supervisor")
    closed = make_case(worker, alex, client_last_name="Hughes")
    close(closed, alex)
    caseload = more_cases(make_case(worker, alex), 19)
    reminder(caseload[0], alex, f"case:{caseload[0].pk}:meeting-due:next")

    # The practitioner finds the closed case by name and reopens it.
    browser.sign_in(alex.email)
    browser.go("/cases/")
    assert closed.reference not in browser.text()
    browser.driver.find_element(By.XPATH, "//summary").click()
    browser.fill("Reference or client name", "Hughes")
    browser.press("Apply")
    assert closed.reference in browser.text() and "Closed" in browser.text()
    browser.assert_accessible()
    browser.screenshot("casework-closed-search")
    browser.follow(closed.reference)
    browser.driver.find_element(By.XPATH, "//nav[@aria-label='Case sections']//a[normalize-space()='Closure']").click()
    browser.wait_for_page()
    browser.follow("Reopen the case")
    browser.assert_accessible()
    browser.press("Reopen the case")
    assert "Say why the case is being reopened" in browser.text()  # next to the field
    browser.assert_accessible()
    browser.fill("Why is the case being reopened?", "The client asked to start again")
    browser.press("Reopen the case")
    assert "The case is open again" in browser.text()
    closed.refresh_from_db()
    assert closed.is_open

    # Alex plans a day away with Jo covering.
    browser.go("/cases/")
    browser.follow("Away and cover")
    today = timezone.localdate()
    fill_date(browser, "First day away", today + timedelta(days=14))
    fill_date(browser, "Last day away", today + timedelta(days=15))
    browser.driver.find_element(By.XPATH, "//select[@name='cover']/option[text()='Jo Colleague']").click()
    browser.press("Record the absence")
    assert "The absence and cover are recorded" in browser.text() and "Jo Colleague" in browser.text()
    browser.assert_accessible()
    browser.screenshot("casework-away")
    browser.sign_out()

    # The supervisor moves all 20 of Alex's open cases to Jo.
    browser.sign_in(supervisor.email)
    browser.go("/cases/")
    browser.follow("Reassign cases")
    browser.driver.find_element(By.XPATH, "//select[@name='practitioner']/option[text()='Alex Morgan']").click()
    browser.press("Show their cases")
    boxes = browser.driver.find_elements(By.XPATH, "//input[@name='cases']")
    assert len(boxes) == 21  # the reopened case too
    for box in boxes:
        if box.get_attribute("value") != str(closed.pk):
            box.click()
    browser.driver.find_element(By.XPATH, "//select[@name='to_practitioner']/option[text()='Jo Colleague']").click()
    browser.fill("Why are they being reassigned?", "Alex moves to the north London team")
    browser.assert_accessible()
    browser.screenshot("casework-reassign")
    browser.press("Reassign the chosen cases")
    assert "The cases have been reassigned" in browser.text()
    assert Case.objects.filter(practitioner=jo).count() == 20
    assert Notification.objects.get(key=f"case:{caseload[0].pk}:meeting-due:next").recipient == jo
    browser.sign_out()

    # Alex keeps the reopened case and is refused one that moved.
    browser.sign_in(alex.email)
    browser.go(f"/cases/{caseload[5].pk}/")
    assert "Page not found" in browser.text() or "not found" in browser.text().lower()
    browser.go("/cases/")
    assert closed.reference in browser.text() and caseload[5].reference not in browser.text()
    browser.sign_out()
    browser.sign_in(jo.email)
    browser.go("/cases/")
    assert caseload[5].reference in browser.text()
