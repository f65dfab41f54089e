"""In Chromium: a practitioner opens Notification settings from the account bar, stops e-mails
about amended referrals and moves meeting reminders to the daily e-mail, then filters their
notifications to unread case ones and marks several read at once; every page passes axe."""

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from eip.notifications.kinds import DIGEST, IN_APP
from eip.notifications.models import Notification
from eip.notifications.preferences import notification_preference
from eip.people.models import Role
from tests.factories import UserFactory
from tests.test_browser_cases import choose_in

pytestmark = pytest.mark.browser


def test_a_practitioner_changes_a_preference_filters_and_marks_several_read(browser):
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    now = timezone.now()
    for n, kind in enumerate(["case.meeting_overdue"] * 3 + ["referral.new"], start=1):
        Notification.objects.create(
            recipient=practitioner,
            kind=kind,
            key=f"k{n}",
            message=f"Something to do on EIP-2026-000{n}",
            due_at=now,
            sent_at=now,
        )

    browser.sign_in(practitioner.email)
    browser.follow("Notification settings")
    assert browser.heading() == "Notification settings"
    always = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=always-emailed]").text
    assert "Risk escalated on a case (safeguarding)" in always
    browser.assert_accessible()
    choose_in(browser, "A referral was amended", "Do not email (EIP only)")
    choose_in(browser, "A weekly professionals meeting is overdue", "In my daily email")
    browser.screenshot("notification-settings")
    browser.press("Save settings")
    assert "Your notification settings have been saved." in browser.text()
    assert notification_preference(user=practitioner, kind="referral.amended") == IN_APP
    assert notification_preference(user=practitioner, kind="case.meeting_overdue") == DIGEST
    browser.assert_accessible()

    # The service navigation's link, whose text carries the unread count.
    link = browser.driver.find_element(By.PARTIAL_LINK_TEXT, "Notifications")
    browser.submit_and_wait(link.click)
    assert browser.heading() == "Notifications"
    Select(browser.field("About")).select_by_visible_text("Cases")
    Select(browser.field("Show")).select_by_visible_text("Unread only")
    browser.press("Filter")
    shown = browser.driver.find_element(By.CSS_SELECTOR, "table").text
    assert "EIP-2026-0001" in shown and "EIP-2026-0003" in shown and "EIP-2026-0004" not in shown
    browser.assert_accessible()
    for pk in Notification.objects.filter(key__in=["k1", "k2"]).values_list("pk", flat=True):
        browser.driver.find_element(By.CSS_SELECTOR, f"label[for=select-{pk}]").click()
    browser.screenshot("notification-list-selected")
    browser.press("Mark selected as read")
    assert "2 notifications marked as read." in browser.text()
    # Back on the same filter: only the one left unread.
    shown = browser.driver.find_element(By.CSS_SELECTOR, "table").text
    assert "EIP-2026-0003" in shown and "EIP-2026-0001" not in shown and "EIP-2026-0002" not in shown
    assert set(Notification.objects.filter(read_at__isnull=False).values_list("key", flat=True)) == {"k1", "k2"}
    browser.assert_accessible()
