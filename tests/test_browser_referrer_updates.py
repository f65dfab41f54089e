"""In Chromium: the social worker who referred a case opens its weekly summary from the case's
tabs and reads the week's sessions and the next one; the page passes axe-core and the
Content-Security-Policy."""

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from cases import services
from cases.models import Case
from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.browser


def test_the_referrer_reads_the_weekly_summary(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    case = make_case(worker, practitioner)
    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=today)
    services.session_record(
        case=case,
        user=practitioner,
        held_on=today,
        modality="video",
        duration_minutes=50,
        attendance="attended",
        topics=["communication"],
        notes="",
    )
    browser.sign_in(worker.email)
    browser.go(f"/cases/{case.pk}/")
    browser.driver.find_element(By.LINK_TEXT, "Weekly summary").click()
    browser.wait_for_page()
    text = browser.text()
    assert "(so far)" in text and "Sessions held" in text
    assert f"Session on {today:%-d %B}: attended (video)" in text
    assert "None planned" in text
    browser.assert_accessible()
    browser.screenshot("weekly-summary")
