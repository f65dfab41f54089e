"""In Chromium: a practitioner plans a session from the diary, finds it under "Today" on its
day, and records it as held from there; every page passes axe."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from cases.models import InterventionSession
from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case
from tests.test_browser_cases import choose_in, fill_date
from tests.test_cases import to_intervention

pytestmark = pytest.mark.browser
LONDON = ZoneInfo("Europe/London")


def freeze(monkeypatch, *moment):
    instant = datetime(*moment, tzinfo=LONDON)
    monkeypatch.setattr("django.utils.timezone.now", lambda: instant)


def table(browser, key):
    return browser.driver.find_element(By.CSS_SELECTOR, f"[data-testid=diary-{key}]")


def test_a_session_planned_from_the_diary_is_recorded_as_held_on_its_day(browser, monkeypatch):
    freeze(monkeypatch, 2026, 12, 7, 9)  # Monday
    camden = BoroughFactory(name="Camden", code="camden")
    people = {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor"),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
    }
    case = to_intervention(make_case(people["worker"], people["practitioner"]), people, started_on=date(2026, 12, 7))

    browser.sign_in(people["practitioner"].email)
    browser.follow("Diary")
    assert browser.heading() == "Your diary"
    browser.follow("Plan a session or meeting")
    Select(browser.field("Case")).select_by_value(str(case.pk))
    choose_in(browser, "What is it?", "Session with the client")
    fill_date(browser, "Date", date(2026, 12, 9))
    browser.fill("Time", "14:30")
    browser.fill("Length in minutes", "50")
    choose_in(browser, "How will it be held?", "Video")
    browser.fill("Place or video link", "Link sent by text on the day")
    browser.assert_accessible()
    browser.screenshot("diary-plan")
    browser.press("Plan it")
    assert "Planned." in browser.text()
    week = table(browser, "this-week").text
    assert "Wed 9 Dec, 14:30" in week and case.reference in week
    browser.assert_accessible()
    # It heads the case's Sessions tab too.
    browser.go(f"/cases/{case.pk}/sessions/")
    planned = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=planned-session]").text
    assert "Wed 9 Dec 2026, 14:30" in planned and "Link sent by text on the day" in planned
    browser.assert_accessible()
    browser.screenshot("diary-case-sessions")
    browser.sign_out()

    # Wednesday: it is under "Today".
    freeze(monkeypatch, 2026, 12, 9, 9)
    browser.sign_in(people["practitioner"].email)
    browser.go("/diary/")
    today = table(browser, "today")
    assert "Session with the client (video)" in today.text and "Link sent by text on the day" in today.text
    browser.assert_accessible()
    browser.screenshot("diary-today")
    browser.submit_and_wait(today.find_element(By.PARTIAL_LINK_TEXT, "Record as held").click)
    assert browser.heading() == "Record the session with the client as held"
    assert browser.field("Length in minutes").get_attribute("value") == "50"
    choose_in(browser, "Attendance", "Attended")
    browser.assert_accessible()
    browser.press("Record it")
    assert "Session recorded." in browser.text()
    assert "No sessions recorded yet" not in browser.text()
    browser.assert_accessible()
    session = InterventionSession.objects.get(case=case)
    assert (session.held_on, session.modality, session.duration_minutes) == (date(2026, 12, 9), "video", 50)

    # The client asks for session reminders: the partner's number, typed differently, is refused.
    browser.follow("Start them if the client asks")
    browser.fill("The client's mobile number", "+44 7700 900456")
    fill_date(browser, "Date the client asked", date(2026, 12, 9))
    browser.fill("How the client asked", "At today's session")
    browser.press("Start session reminders")
    assert "reminders cannot go to it" in browser.text()
    browser.assert_accessible()
    browser.screenshot("diary-session-reminders-refused")
    browser.fill("The client's mobile number", "07700 900999")
    browser.press("Start session reminders")
    assert "Session reminders started." in browser.text()
    assert "Session reminders by text message: on" in browser.text()
