"""In Chromium: a practitioner half-fills the closure, saves it as a draft, signs out, comes
back and completes it; a half-written plan is resumed the same way. The next professionals
meeting is planned from the Meetings tab through the diary."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from cases.models import Case
from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case
from tests.test_browser_cases import choose_in, fill_date, section
from tests.test_cases import to_intervention

pytestmark = pytest.mark.browser


def exit_stage_case():
    camden = BoroughFactory(name="Camden", code="camden")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    case = make_case(UserFactory(role=Role.SOCIAL_WORKER, borough=camden), practitioner)
    Case.objects.filter(pk=case.pk).update(
        stage=Case.Stage.EXIT, intervention_started_on=timezone.localdate(), exit_started_on=timezone.localdate()
    )
    return case, practitioner


def test_a_closure_saved_half_way_is_resumed_after_signing_out_and_completed(browser):
    case, practitioner = exit_stage_case()
    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/")
    section(browser, "Closure")
    choose_in(browser, "Why is the case closing?", "Completed")
    browser.fill("Exit summary", "Completed all eight sessions; understands the warning signs.")
    browser.press("Save as draft")
    assert "Draft saved" in browser.text()
    assert Case.objects.get(pk=case.pk).is_open
    assert "You are continuing your draft of the closure" in browser.text()
    browser.assert_accessible()
    browser.screenshot("closure-draft-saved")

    browser.sign_out()
    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/close/")
    assert "You are continuing your draft of the closure" in browser.text()
    completed = browser.driver.find_element(By.XPATH, "//input[@name='reason'][@value='completed']")
    assert completed.is_selected()
    assert browser.field("Exit summary").get_attribute("value").startswith("Completed all eight sessions")
    browser.fill("Onward plan", "DVPP place offered.")
    browser.press("Close the case")
    assert "Complete the exit assessments, or say why they could not be done" in browser.text()
    browser.assert_accessible()
    browser.fill("If the exit assessments could not be done, why?", "Client moved out of London.")
    browser.press("Close the case")
    assert "The case is closed" in browser.text()
    closed = Case.objects.get(pk=case.pk)
    assert closed.stage == Case.Stage.CLOSED and closed.exit_summary.startswith("Completed all eight sessions")
    assert not closed.drafts.exists()
    browser.go(f"/cases/{case.pk}/close/")
    assert "Draft" not in browser.text()
    browser.assert_accessible()


def test_a_plan_saved_half_way_is_resumed_by_its_author(browser):
    case, practitioner = exit_stage_case()
    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/plan/")
    browser.fill("Protective factors", "Keen to keep contact with the children.")
    browser.fill("Action 1: action", "Refer to a perpetrator programme")
    browser.press("Save as draft")
    assert "Draft saved" in browser.text()
    browser.assert_accessible()
    browser.sign_out()
    browser.sign_in(practitioner.email)
    browser.go(f"/cases/{case.pk}/plan/")
    assert browser.field("Action 1: action").get_attribute("value") == "Refer to a perpetrator programme"
    browser.fill("Risks", "Escalating arguments when drinking.")
    browser.press("Save the plan")
    assert "Give action 1 a description, an owner and a date" in browser.text()
    browser.fill("Action 1: owner", "Alex Morgan")
    fill_date(browser, "Action 1: by when", timezone.localdate())
    browser.press("Save the plan")
    assert "The plan has been saved as a new version" in browser.text()
    assert "Keen to keep contact with the children." in browser.text()
    browser.assert_accessible()


def test_the_next_meeting_is_planned_from_the_meetings_tab_through_the_diary(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    people = {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor"),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
    }
    case = to_intervention(make_case(people["worker"], people["practitioner"]), people, started_on=date.today())
    day = timezone.localdate() + timedelta(days=3)
    browser.sign_in(people["practitioner"].email)
    browser.go(f"/cases/{case.pk}/meetings/")
    assert "Arrange the next meeting" not in browser.text()
    browser.follow("Plan a meeting")
    assert browser.driver.find_element(By.XPATH, "//input[@name='kind'][@value='meeting']").is_selected()
    fill_date(browser, "Date", day)
    browser.fill("Time", "10:00")
    browser.fill("Length in minutes", "45")
    choose_in(browser, "How will it be held?", "Video")
    browser.press("Plan it")
    assert browser.path() == f"/cases/{case.pk}/meetings/"
    planned = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=planned-meeting]").text
    assert f"{day:%a %-d %b %Y}, 10:00" in planned
    browser.assert_accessible()
    browser.press("Email the next meeting's invitation to the practitioner and social worker")
    assert "The invitation has been emailed to Alex Morgan and Sam Okafor." in browser.text()
    browser.assert_accessible()
    browser.screenshot("meetings-tab-planned-in-the-diary")
