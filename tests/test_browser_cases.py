"""In Chromium: a case goes from accepted referral to closure, each step by the role that
does it; forbidden steps are refused with a clear message; a missed weekly meeting shows as
overdue; a social worker from another borough gets nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from cases.models import Case
from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.browser


def choose_in(browser, legend, label):
    fieldset = browser.driver.find_element(By.XPATH, f"//fieldset[legend[normalize-space()='{legend}']]")
    fieldset.find_element(By.XPATH, f".//label[normalize-space()='{label}']").click()


def fill_date(browser, legend, day):
    fieldset = browser.driver.find_element(By.XPATH, f"//fieldset[legend[normalize-space()='{legend}']]")
    for label, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        box = fieldset.find_element(By.XPATH, f".//label[normalize-space()='{label}']/following-sibling::input")
        box.clear()
        box.send_keys(str(value))


def section(browser, name):
    link = browser.driver.find_element(By.XPATH, f"//nav[@aria-label='Case sections']//a[normalize-space()='{name}']")
    browser.submit_and_wait(link.click)


def test_a_case_from_acceptance_to_closure(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    case = make_case(worker, practitioner)
    today = timezone.localdate()

    # Practitioner: consultation, outcome, plan.
    browser.sign_in(practitioner.email)
    browser.go("/cases/")
    assert browser.heading() == "Your caseload"
    browser.assert_accessible()
    browser.follow(case.reference)
    assert "Arrange the case consultation" in browser.text()
    browser.assert_accessible()
    section(browser, "Consultation and plan")
    fill_date(browser, "Date", today + timedelta(days=1))
    browser.fill("Time", "14:30")
    choose_in(browser, "How will it be held?", "Secure video")
    browser.fill("Who will attend?", "Sam Okafor (social worker)")
    browser.press("Arrange the consultation")
    assert "Case consultation arranged" in browser.text()
    assert browser.driver.find_element(By.LINK_TEXT, "download the calendar invitation")
    choose_in(browser, "What was decided?", "Suitable for the intensive pathway")
    browser.press("Record the outcome")
    assert "Awaiting consent" in browser.text()
    browser.fill("Risks", "Arguments about contact are escalating.")
    browser.fill("Safety planning for the partner and children", "Partner has a safe word.")
    browser.fill("Action 1: action", "Agree a safety plan with the partner")
    browser.fill("Action 1: owner", "Sam Okafor")
    fill_date(browser, "Action 1: by when", today + timedelta(days=3))
    browser.press("Save the plan")
    assert "saved as a new version" in browser.text()
    browser.assert_accessible()

    # Starting the intervention without consent is refused, with the reason.
    section(browser, "Consent")
    blockers = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=intervention-blockers]").text
    assert "Record the client's consent." in blockers and "Record the partner's consent." in blockers
    browser.sign_out()

    # Social worker: obtains and records consent from client and partner.
    browser.sign_in(worker.email)
    browser.go(f"/cases/{case.pk}/consent/")
    for party in ("Client", "Partner"):
        choose_in(browser, "Whose consent is this?", party)
        fill_date(browser, "Date consent was given", today)
        choose_in(browser, "How was it obtained?", "Verbal, in person")
        browser.fill("Obtained by", "Sam Okafor, social worker")
        browser.fill("What may be shared, with whom?", "Practitioner and social worker")
        browser.press("Record consent")
        assert "Consent recorded" in browser.text()
    browser.assert_accessible()
    browser.sign_out()

    # Practitioner: starts the intervention, records a session and a meeting, a disclosure,
    # an onward referral, then exit and closure.
    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/consent/")
    browser.press("Start the intervention")
    assert "The intervention has started" in browser.text()
    section(browser, "Sessions")
    fill_date(browser, "Date of the session", today)
    choose_in(browser, "How was it held?", "Face-to-face")
    choose_in(browser, "Attendance", "Attended")
    browser.press("Record the session")
    assert "Enter how long the session lasted" in browser.text()  # a clear message beside the field
    browser.fill("Length in minutes", "60")
    browser.driver.find_element(By.XPATH, "//label[normalize-space()='Emotional regulation']").click()
    browser.press("Record the session")
    assert "Session recorded" in browser.text()
    browser.assert_accessible()
    section(browser, "Meetings")
    fill_date(browser, "Date of the meeting", today)
    browser.fill("Who attended?", "Alex Morgan, Sam Okafor")
    browser.fill("Progress update for the referrer (optional)", "Attending and engaging well.")
    browser.driver.find_element(
        By.XPATH, "//label[normalize-space()='Send the progress update to the referrer now']"
    ).click()
    browser.press("Record the meeting")
    assert "Meeting recorded" in browser.text()
    browser.assert_accessible()
    section(browser, "Risk")
    fill_date(browser, "Date of the disclosure", today)
    browser.fill("What was disclosed?", "Partner disclosed a threat.")
    browser.driver.find_element(By.XPATH, "//label[contains(., 'This raises the risk')]").click()
    browser.press("Record the disclosure")
    assert "Refer the case to MARAC" in browser.text()
    browser.assert_accessible()
    section(browser, "Onward referrals")
    browser.driver.find_element(By.ID, "id_service").send_keys("Domestic violence")
    fill_date(browser, "Date the referral was made", today)
    browser.press("Record the onward referral")
    assert "Held 0 weeks" in browser.text()
    browser.assert_accessible()
    section(browser, "Overview")
    browser.press("Start the exit stage")
    section(browser, "Closure")
    choose_in(browser, "Why is the case closing?", "Completed")
    browser.fill("Exit summary", "Completed the intervention.")
    browser.fill("Onward plan", "DVPP place offered.")
    browser.fill("If the exit assessments could not be done, why?", "Client moved out of London.")
    browser.press("Close the case")
    assert "Finish the open risk actions before closing" in browser.text()
    section(browser, "Risk")
    for kind in ("Refer the partner to the high-risk IDVA service", "Refer the case to MARAC"):
        card = browser.driver.find_element(
            By.XPATH, f"//div[@class='govuk-summary-card'][.//h3[normalize-space()='{kind}']]"
        )
        # "Date done" starts at today: the boxes are checked, not typed into.
        for label, value in (("Day", today.day), ("Month", today.month), ("Year", today.year)):
            box = card.find_element(By.XPATH, f".//label[normalize-space()='{label}']/following-sibling::input")
            assert box.get_attribute("value") == str(value)
        card.find_element(By.XPATH, ".//textarea").send_keys("Referral made today")
        browser.submit_and_wait(card.find_element(By.XPATH, ".//button").click)
        assert "marked as done" in browser.text()
    section(browser, "Closure")
    choose_in(browser, "Why is the case closing?", "Completed")
    browser.fill("Exit summary", "Completed the intervention.")
    browser.fill("Onward plan", "DVPP place offered.")
    browser.press("Close the case")
    assert "Complete the exit assessments, or say why they could not be done" in browser.text()
    browser.fill("If the exit assessments could not be done, why?", "Client moved out of London.")
    browser.press("Close the case")
    assert "The case is closed" in browser.text()
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.CLOSED
    timeline = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=timeline]").text
    for step in (
        "Case opened",
        "consultation held",
        "Intervention started",
        "Session on",
        "Professionals meeting",
        "Risk escalated",
        "Onward referral",
        "Case closed",
    ):
        assert step.lower() in timeline.lower(), step
    browser.assert_accessible()
    browser.screenshot("case-closed-timeline")
    browser.sign_out()

    # The referrer reads the progress update inside EIP, on the meeting its e-mail links to.
    browser.sign_in(worker.email)
    meeting = case.meetings.get()
    browser.go(f"/cases/{case.pk}/meetings/#meeting-{meeting.pk}")
    assert "Attending and engaging well" in browser.text()


def test_a_missed_weekly_meeting_shows_as_overdue_on_the_caseload(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER)
    case = make_case(worker, practitioner)
    Case.objects.filter(pk=case.pk).update(
        stage=Case.Stage.INTERVENTION, intervention_started_on=timezone.localdate() - timedelta(days=10)
    )
    browser.sign_in(practitioner.email)
    browser.go("/cases/")
    caseload = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=caseload]").text
    assert "Overdue Professionals meeting" in caseload
    assert "1 case with something overdue" in browser.text()
    browser.assert_accessible()
    browser.screenshot("caseload-overdue")


def test_a_social_worker_from_another_borough_gets_nothing(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    sutton = BoroughFactory(name="Sutton", code="sutton")
    case = make_case(UserFactory(role=Role.SOCIAL_WORKER, borough=camden), UserFactory(role=Role.PRACTITIONER))
    stranger = UserFactory(role=Role.SOCIAL_WORKER, borough=sutton)
    browser.sign_in(stranger.email)
    for path in (f"/cases/{case.pk}/", f"/cases/{case.pk}/partner/", f"/referrals/{case.referral.pk}/"):
        browser.go(path)
        assert browser.heading() == "Page not found"
        assert "Daniel" not in browser.text() and "Chloe" not in browser.text()
    browser.go("/cases/")
    assert "No cases match" in browser.text()
