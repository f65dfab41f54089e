"""In Chromium: a social worker breaks the glass on a case in their borough (and is told, in the
same words as for any other number, that it is not available for a case that does not exist);
a supervisor finds the grants in the review queue from their home page, sees an overdue review
flagged, and marks one not justified. Every page passes axe-core and the Content-Security-Policy."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from cases import break_glass
from cases.models import EmergencyAccess
from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case
from tests.test_browser_cases import choose_in

pytestmark = pytest.mark.browser


def test_break_the_glass_and_the_supervisors_review_queue(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    referrer = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Rita Referrer")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    other = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Pat Earlier")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    UserFactory(role=Role.SUPERVISOR, full_name="Jo Reviewer", email="jo@eip.test")
    case = make_case(referrer, practitioner)
    earlier_case = make_case(referrer, practitioner)
    # A grant from last week whose review is now overdue.
    earlier = break_glass.emergency_access_request(
        case_number=earlier_case.pk, user=other, reason="Called by the police at night about the children"
    )
    EmergencyAccess.objects.filter(pk=earlier.pk).update(review_due_on=timezone.localdate() - timedelta(days=3))

    browser.sign_in(worker.email)
    browser.go(f"/cases/{case.pk}/")
    assert browser.heading() == "Page not found"
    browser.follow("ask for emergency access")
    assert browser.heading() == f"Emergency access to case {case.pk}"
    assert "does not open the partner's or children's details" in browser.text()
    browser.assert_accessible()
    browser.screenshot("break-glass-request")
    browser.fill(
        "Why do you need this case now?", "Hospital called: the client was admitted and the children are home alone"
    )
    browser.press("Open the case")
    assert browser.heading() == "Daniel Hughes"
    assert "Emergency access granted until" in browser.text()
    assert "Partner support" not in browser.text()
    browser.assert_accessible()
    browser.go("/cases/999999/emergency-access/")
    browser.fill("Why do you need this case now?", "A case number the caller gave me over the phone")
    browser.press("Open the case")
    assert browser.heading() == "Emergency access is not available for case 999999"
    browser.assert_accessible()
    browser.screenshot("break-glass-not-available")
    browser.sign_out()

    browser.sign_in("jo@eip.test")
    counts = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=emergency-access-counts]").text
    assert "1 review overdue" in counts and "2 to review" in counts
    browser.follow("Review emergency access")
    assert browser.heading() == "Emergency access"
    rows = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=to-review]").text
    assert "Pat Earlier" in rows and "Sam Okafor" in rows
    overdue = browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid=to-review] [data-testid=overdue]")
    assert len(overdue) == 1 and overdue[0].text == "Overdue"
    browser.assert_accessible()
    browser.screenshot("emergency-access-queue")

    grant = EmergencyAccess.objects.get(user=worker)
    link = browser.driver.find_element(By.CSS_SELECTOR, f"a[href='/emergency-access/{grant.pk}/']")
    browser.submit_and_wait(link.click)
    assert browser.heading() == "Emergency access by Sam Okafor"
    assert "children are home alone" in browser.text()
    activity = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=activity]").text
    assert "Overview" in activity
    browser.assert_accessible()
    browser.press("Record the review")  # nothing chosen: told what to do, beside the fields
    assert "Select whether the emergency access was justified" in browser.text()
    browser.assert_accessible()
    choose_in(browser, "Was this emergency access justified?", "Not justified: any time left ends now")
    browser.fill("Note", "Spoke to the practitioner: reachable on the duty line all night")
    browser.screenshot("emergency-access-review")
    browser.press("Record the review")
    assert "Your review is recorded" in browser.text()
    decided = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=decided]").text
    assert "Sam Okafor" in decided and "Not justified" in decided
    browser.assert_accessible()
    browser.screenshot("emergency-access-queue-after-review")
    grant.refresh_from_db()
    assert grant.outcome == "not_justified" and grant.expires_at <= timezone.now()
