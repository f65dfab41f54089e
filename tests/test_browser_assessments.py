"""In Chromium: a practitioner completes each instrument at each stage; the totals, need
flags and MARAC criterion shown are right; a SOAG 'don't know' shows as a gap; the change
view puts intake and exit side by side."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from assessments.instruments import NEEDS_AREAS
from cases import services
from cases.models import Case
from eip.people.models import Role
from tests.assessment_factories import seed_configuration
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.browser


def radio(browser, legend_starts, label):
    fieldset = browser.driver.find_element(
        By.XPATH, f'//fieldset[legend[starts-with(normalize-space(), "{legend_starts}")]]'
    )
    fieldset.find_element(By.XPATH, f'.//label[normalize-space()="{label}"]').click()


def fill_date(browser, legend, day):
    fieldset = browser.driver.find_element(By.XPATH, f"//fieldset[legend[normalize-space()='{legend}']]")
    for label, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        box = fieldset.find_element(By.XPATH, f".//label[normalize-space()='{label}']/following-sibling::input")
        box.clear()
        box.send_keys(str(value))


def open_form(browser, case, instrument, stage):
    browser.go(f"/cases/{case.pk}/assessments/")
    link = browser.driver.find_element(By.XPATH, f"//a[contains(@href, '/assessments/{instrument}/{stage}/new/')]")
    browser.submit_and_wait(link.click)


def do_soag(browser, case, stage, ratings):
    open_form(browser, case, "soag", stage)
    fill_date(browser, "Date of the assessment", timezone.localdate())
    for legend, label in ratings.items():
        radio(browser, legend, label)
    browser.press("Save and lock the assessment")


def do_needs(browser, case, stage, practitioner, user):
    open_form(browser, case, "needs", stage)
    fill_date(browser, "Date of the assessment", timezone.localdate())
    fill_date(browser, "Review date", timezone.localdate() + timedelta(days=28))
    for (_code, label, _), p, u in zip(NEEDS_AREAS, practitioner, user, strict=True):
        browser.fill(f"{label}: service user's score", str(u))
        browser.fill(f"{label}: practitioner's score", str(p))
    browser.press("Save and lock the assessment")


def do_dash(browser, case, stage, yes):
    open_form(browser, case, "dash", stage)
    fill_date(browser, "Date of the assessment", timezone.localdate())
    for number in range(1, 25):
        radio(browser, f"{number}. ", "Yes" if number <= yes else "No")
        browser.field(f"Question {number}: source of the answer").send_keys("The partner")
    browser.press("Save and lock the assessment")


def do_viability(browser, case, stage, level):
    open_form(browser, case, "viability", stage)
    fill_date(browser, "Date of the assessment", timezone.localdate())
    for number in range(1, 21):
        radio(browser, f"{number}. ", level)
    browser.press("Save and lock the assessment")


def test_every_instrument_at_every_stage(browser):
    seed_configuration()
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    case = make_case(worker, practitioner)
    Case.objects.filter(pk=case.pk).update(
        stage=Case.Stage.INTERVENTION, intervention_started_on=timezone.localdate() - timedelta(days=30)
    )
    case.refresh_from_db()
    browser.sign_in(practitioner.email)

    # Intake. The SOAG leaves sexual abuse unknown, the evaluation's most common gap.
    browser.go(f"/cases/{case.pk}/assessments/")
    assert "Overdue" in browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=schedule]").text
    browser.assert_accessible()
    do_soag(
        browser,
        case,
        "intake",
        {
            "Physical abuse": "High",
            "Sexual abuse": "Don't know",
            "Harassment and stalking": "Moderate",
            "Jealous and controlling": "High",
        },
    )
    # Before locking, the form says which answers are "don't know"; locked knowingly.
    check = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=check-before-locking]").text
    assert "1 answer ‘Don't know’" in check and "Sexual abuse" in check
    browser.assert_accessible()
    browser.screenshot("assessment-check-before-locking")
    browser.press("Lock with these gaps")
    assert "Gap recorded: Sexual abuse: don't know" in browser.text()
    assert browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=gap]")
    browser.assert_accessible()
    intake_needs = [2, 3, 4, 5, 6, 7, 8, 9, 10, 1]  # practitioner total 55
    do_needs(browser, case, "intake", intake_needs, [5] * 10)  # service user total 50
    assert "Service user total: 50/100. Practitioner total: 55/100." in browser.text()
    browser.assert_accessible()
    do_dash(browser, case, "intake", yes=14)
    assert "14 ‘yes’ answers of 24." in browser.text() and "Meets a MARAC criterion" in browser.text()
    do_viability(browser, case, "intake", "High")
    assert "locked" in browser.text()

    # About four weeks.
    do_soag(
        browser,
        case,
        "mid",
        {
            "Physical abuse": "Moderate",
            "Sexual abuse": "None",
            "Harassment and stalking": "Standard",
            "Jealous and controlling": "Moderate",
        },
    )
    do_needs(browser, case, "mid", [4, 4, 5, 6, 7, 8, 8, 9, 10, 3], [6] * 10)
    do_dash(browser, case, "mid", yes=9)
    assert "9 ‘yes’ answers of 24." in browser.text() and "Meets a MARAC criterion" not in browser.text()
    do_viability(browser, case, "mid", "Moderate")

    # Exit.
    services.exit_start(case=case, user=practitioner)
    do_soag(
        browser,
        case,
        "exit",
        {
            "Physical abuse": "None",
            "Sexual abuse": "None",
            "Harassment and stalking": "None",
            "Jealous and controlling": "Standard",
        },
    )
    do_needs(browser, case, "exit", [6, 6, 6, 6, 6, 9, 9, 9, 10, 5], [8] * 10)  # 72 and 80
    assert "Service user total: 80/100. Practitioner total: 72/100." in browser.text()
    do_dash(browser, case, "exit", yes=4)
    do_viability(browser, case, "exit", "Low")

    # The change over time: intake and exit side by side.
    browser.go(f"/cases/{case.pk}/assessments/")
    soag = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=soag-change]").text
    assert "Physical abuse High Moderate None" in soag
    assert "Sexual abuse Don't know None None" in soag
    needs = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=needs-change]").text
    assert "Housing 2 (high need; service user 5) 4 (high need; service user 6) 6 (need; service user 8)" in needs
    assert "Overdue" not in browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=schedule]").text
    assert len(browser.driver.find_elements(By.CSS_SELECTOR, "svg.eip-chart")) == 2
    browser.assert_accessible()
    browser.screenshot("assessments-change")

    # The exit assessments let the case close as completed without a reason for their absence.
    for action in Case.objects.get(pk=case.pk).risk_actions.filter(done_on__isnull=True):
        services.risk_action_complete(action=action, user=practitioner, done_on=date.today(), notes="Referred")
    closed = services.case_close(
        case=Case.objects.get(pk=case.pk),
        user=practitioner,
        reason="completed",
        exit_summary="Completed",
        onward_plan="None",
    )
    assert closed.stage == Case.Stage.CLOSED


def test_a_bad_score_is_explained_beside_the_field_and_the_others_kept(browser):
    seed_configuration()
    camden = BoroughFactory(name="Camden", code="camden")
    practitioner = UserFactory(role=Role.PRACTITIONER)
    case = make_case(UserFactory(role=Role.SOCIAL_WORKER, borough=camden), practitioner)
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=timezone.localdate())
    browser.sign_in(practitioner.email)
    open_form(browser, case, "needs", "intake")
    browser.fill("Housing: practitioner's score", "12")
    browser.fill("Physical health: practitioner's score", "7")
    browser.press("Save and lock the assessment")
    assert "There is a problem" in browser.text()
    assert "Enter a score from 0 to 10" in browser.text()
    assert browser.field("Physical health: practitioner's score").get_attribute("value") == "7"
    browser.assert_accessible()


def test_a_dash_saved_half_way_is_resumed_after_signing_out_and_completed(browser):
    seed_configuration()
    camden = BoroughFactory(name="Camden", code="camden")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    case = make_case(UserFactory(role=Role.SOCIAL_WORKER, borough=camden), practitioner)
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=timezone.localdate())
    browser.sign_in(practitioner.email)
    open_form(browser, case, "dash", "intake")
    for number in range(1, 13):
        radio(browser, f"{number}. ", "Yes" if number <= 3 else "No")
        browser.field(f"Question {number}: source of the answer").send_keys("The partner")
    browser.press("Save as draft")
    assert "Draft saved" in browser.text()
    schedule = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=schedule]").text
    assert "Draft started by you" in schedule and "Overdue" not in schedule
    browser.assert_accessible()
    browser.screenshot("assessment-draft-on-schedule")

    browser.sign_out()
    browser.sign_in(practitioner.email)
    open_form(browser, case, "dash", "intake")
    assert "You are continuing your draft" in browser.text()
    chosen = browser.driver.find_element(By.CSS_SELECTOR, "input[name='dash-3-rating'][value='yes']")
    assert chosen.is_selected()
    for number in range(13, 25):
        radio(browser, f"{number}. ", "No")
        browser.field(f"Question {number}: source of the answer").send_keys("The partner")
    browser.assert_accessible()
    browser.press("Save and lock the assessment")
    assert "3 ‘yes’ answers of 24." in browser.text()
    browser.go(f"/cases/{case.pk}/assessments/")
    assert "Draft" not in browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=schedule]").text
