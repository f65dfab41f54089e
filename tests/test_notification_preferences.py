"""Each user chooses, per kind of notification, to be e-mailed at once, in a daily digest at 08:30
on working days, or not at all; the in-app list always has everything. The clock is stepped
through a week with a weekend and a bank holiday, with two sweepers running."""

import html
import re
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eip.audit.models import AuditEvent
from eip.errors import Incomplete
from eip.notifications.kinds import (
    ALWAYS_AT_ONCE,
    DIGEST,
    DIGEST_KIND,
    IMMEDIATE,
    IN_APP,
    notification_kind,
    notification_kind_declared,
    notification_kinds,
)
from eip.notifications.models import Notification
from eip.notifications.preferences import notification_preference, notification_preferences_set
from eip.notifications.services import notification_list_for_user, notification_mark_read, notification_send_now
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from eip.workdays import DIGEST as DIGEST_TIMING
from eip.workdays import reminder_delivery_at
from tests.factories import UserFactory
from tests.notify_standin import API_KEY, NotifyStandIn

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
EMAIL_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def practitioner():
    return UserFactory(role=Role.PRACTITIONER)


def tell(user, kind, reference, n):
    return notification_send_now(
        recipients=[user], kind=kind, key=f"test:{n}", message=f"Something happened on case {reference}, Jo Bloggs."
    )


def test_every_kind_sent_in_the_code_is_declared():
    """The vocabulary is complete: each kind the apps send has a label and e-mail options, so it
    is on the settings page (an undeclared kind is e-mailed at once and cannot be changed)."""
    root = Path(__file__).resolve().parent.parent
    folders = {Path(config.path) for config in apps.get_app_configs() if Path(config.path).is_relative_to(root)}
    sent = set()
    for folder in folders | {root / "eip"}:
        for path in folder.rglob("*.py"):
            text = path.read_text()
            # Sent through the notification services, or the outbound guard's alert to supervisors.
            if "migrations" not in path.parts and ("notification_s" in text or "_refusal_alert_send" in text):
                sent |= set(re.findall(r'kind="([a-z_]+\.[a-z_]+)"', text))
    assert {"referral.acknowledgement_overdue", "outbound.refused", "case.risk_escalated"} <= sent
    undeclared = sorted(code for code in sent if not notification_kind_declared(code))
    assert not undeclared, f"Declare these in the sending app's notification_kinds.register(): {undeclared}"


def test_defaults_and_which_kinds_cannot_be_turned_off(practitioner):
    # Safeguarding alerts and overdue acknowledgements: e-mailed at once, whatever is asked.
    for code in ("case.risk_escalated", "case.consent_withdrawn", "referral.acknowledgement_overdue"):
        assert notification_kind(code).options == ALWAYS_AT_ONCE
    # Deadline reminders may go in the digest but not be turned off.
    with pytest.raises(Incomplete) as refused:
        notification_preferences_set(user=practitioner, choices={"case.meeting_overdue": IN_APP})
    assert "case.meeting_overdue" in refused.value.errors
    with pytest.raises(Incomplete):
        notification_preferences_set(user=practitioner, choices={"case.risk_escalated": DIGEST})
    assert notification_preference(user=practitioner, kind="case.meeting_overdue") == IMMEDIATE
    assert notification_preferences_set(user=practitioner, choices={"case.meeting_overdue": DIGEST}) == 1
    assert notification_preference(user=practitioner, kind="case.meeting_overdue") == DIGEST
    # Housing officers are not offered the practitioners' kinds.
    housing = {kind.code for kind in notification_kinds(role=Role.HOUSING_SPOC)}
    assert "accommodation.requested" in housing and "case.meeting_overdue" not in housing
    assert DIGEST_KIND not in {kind.code for kind in notification_kinds()}


def test_the_digest_goes_at_0830_on_the_next_working_day():
    # Friday's notifications: Monday; before a bank holiday Monday: Tuesday.
    assert reminder_delivery_at(day=date(2026, 5, 21), timing=DIGEST_TIMING) == at(date(2026, 5, 22), 8, 30)
    assert reminder_delivery_at(day=date(2026, 5, 22), timing=DIGEST_TIMING) == at(date(2026, 5, 26), 8, 30)
    # In summer time 08:30 London is 07:30 UTC.
    assert reminder_delivery_at(day=date(2026, 5, 22), timing=DIGEST_TIMING).astimezone(ZoneInfo("UTC")).hour == 7


@pytest.fixture
def notify(settings):
    with NotifyStandIn({EMAIL_TEMPLATE}) as standin:
        settings.NOTIFY_API_KEY = API_KEY
        settings.NOTIFY_BASE_URL = standin.url
        settings.NOTIFY_TEMPLATES = {"email": EMAIL_TEMPLATE}
        settings.EIP_EMAIL_TRANSPORT = "eip.notifications.govuk_notify.NotifyEmailBackend"
        yield standin


def test_a_week_of_digests_over_a_bank_holiday_weekend(monkeypatch, notify):
    """Thursday 21 May 2026 to Wednesday 27 May; Monday 25 May is the spring bank holiday."""
    digester, quiet = UserFactory(role=Role.PRACTITIONER), UserFactory(role=Role.PRACTITIONER)
    for kind in ("referral.amended", "case.reassigned", "case.meeting_overdue"):
        notification_preferences_set(user=digester, choices={kind: DIGEST})
    notification_preferences_set(user=quiet, choices={"referral.amended": IN_APP, "case.reassigned": IN_APP})
    thu, fri, sat, sun = date(2026, 5, 21), date(2026, 5, 22), date(2026, 5, 23), date(2026, 5, 24)
    events = {
        at(thu, 10): lambda: tell(digester, "referral.amended", "EIP-2026-0001", 1),
        at(thu, 15): lambda: tell(digester, "case.meeting_overdue", "EIP-2026-0002", 2),
        at(fri, 12): lambda: tell(digester, "case.reassigned", "EIP-2026-0003", 3),
        at(sat, 10): lambda: tell(digester, "case.risk_escalated", "EIP-2026-0009", 4),
        at(sat, 12): lambda: tell(digester, "referral.amended", "EIP-2026-0004", 5),
        at(sat, 15): lambda: tell(digester, "referral.amended", "EIP-2026-0005", 6),
        # Read in the app on Sunday: not e-mailed.
        at(sun, 10): lambda: notification_mark_read(
            notification=Notification.objects.get(key="test:6", recipient=digester), user=digester
        ),
        at(thu, 12): lambda: tell(quiet, "referral.amended", "EIP-2026-0006", 7),
        at(sat, 12, 30): lambda: tell(quiet, "case.reassigned", "EIP-2026-0007", 8),
    }
    sent = []
    day = thu
    while day <= date(2026, 5, 27):
        for hour, minute in ((0, 0), (8, 0), (8, 30), (9, 0), (10, 0), (12, 0), (12, 30), (15, 0), (18, 0)):
            moment = at(day, hour, minute)
            monkeypatch.setattr("django.utils.timezone.now", lambda moment=moment: moment)
            if moment in events:
                events[moment]()
            before = len(notify.sent)
            reminders_send_due()
            reminders_send_due()  # a second beat
            sent += [(moment, m) for m in notify.sent[before:]]
        day += timedelta(days=1)

    def to(user):
        return [(moment, m["personalisation"]) for moment, m in sent if m["to"] == user.email]

    assert all(m["template_id"] == EMAIL_TEMPLATE for _, m in sent)
    digests = [(moment, p) for moment, p in to(digester) if "daily email" in p["subject"]]
    # Thursday's two on Friday at 08:30; Friday's and the weekend's on Tuesday (Monday is a bank holiday).
    assert [moment for moment, _ in digests] == [at(fri, 8, 30), at(date(2026, 5, 26), 8, 30)]
    friday, tuesday = (p["body"] for _, p in digests)
    assert "EIP-2026-0001" in friday and "EIP-2026-0002" in friday and "EIP-2026-0003" not in friday
    assert "EIP-2026-0003" in tuesday and "EIP-2026-0004" in tuesday
    assert "EIP-2026-0005" not in tuesday  # read in the app first
    assert "EIP-2026-0009" not in friday + tuesday  # a safeguarding alert went at once instead
    assert "2 new notifications" in friday and "A referral was amended: EIP-2026-0001" in friday
    # Link-only: no message text (which may name people), just references and links into EIP.
    assert "Jo Bloggs" not in friday + tuesday and "Something happened" not in friday + tuesday
    assert "/notifications/?show=unread" in friday and "/notifications/settings/" in friday
    # The safeguarding alert was e-mailed straight away, on Saturday; nothing else but the digests.
    others = [(moment, p) for moment, p in to(digester) if "daily email" not in p["subject"]]
    assert [moment for moment, _ in others] == [at(sat, 10)] and "EIP-2026-0009" in others[0][1]["body"]
    # In-app only: no e-mail at all, but both are in the list.
    assert to(quiet) == []
    assert {n.key for n in notification_list_for_user(user=quiet)} == {"test:7", "test:8"}
    # Everything the digester received is in their list; the digest itself is not.
    assert {n.key for n in notification_list_for_user(user=digester)} == {f"test:{n}" for n in range(1, 7)}
    # One digest row per working day that had something to carry, none left waiting.
    digest_rows = Notification.objects.filter(kind=DIGEST_KIND, recipient=digester)
    assert sorted(r.due_at for r in digest_rows.filter(sent_at__isnull=False)) == [
        at(fri, 8, 30),
        at(date(2026, 5, 26), 8, 30),
    ]
    assert not digest_rows.filter(sent_at__isnull=True, cancelled_at__isnull=True).exists()


def test_a_digest_whose_notifications_were_all_read_is_not_sent(monkeypatch, practitioner):
    notification_preferences_set(user=practitioner, choices={"referral.amended": DIGEST})
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(date(2026, 6, 1), 14))
    [row] = tell(practitioner, "referral.amended", "EIP-2026-0001", 1)
    reminders_send_due()
    row.refresh_from_db()
    assert row.sent_at is not None and row.email == DIGEST and len(mail.outbox) == 0
    notification_mark_read(notification=row, user=practitioner)
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(date(2026, 6, 2), 8, 30))
    reminders_send_due()
    assert mail.outbox == []
    assert Notification.objects.get(kind=DIGEST_KIND).cancelled_at is not None


def _sweep(results, name):
    try:
        results[name] = reminders_send_due()
    finally:
        connection.close()


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_0830_send_one_digest(monkeypatch, practitioner):
    notification_preferences_set(user=practitioner, choices={"referral.amended": DIGEST})
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(date(2026, 6, 1), 14))
    for n in range(3):
        tell(practitioner, "referral.amended", f"EIP-2026-000{n}", n)
    assert mail.outbox == []
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(date(2026, 6, 2), 8, 30))
    results = {}
    sweepers = [threading.Thread(target=_sweep, args=(results, name)) for name in ("first", "second")]
    for sweeper in sweepers:
        sweeper.start()
    for sweeper in sweepers:
        sweeper.join(timeout=30)
    assert len(mail.outbox) == 1
    assert "3 new notifications" in mail.outbox[0].body


@pytest.fixture
def signed_in(client, practitioner):
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")
    return practitioner


def test_the_settings_page_saves_choices_and_says_what_cannot_be_turned_off(client, signed_in):
    page = html.unescape(client.get(reverse("notification-settings")).content.decode())
    assert "Notification settings" in page
    always = page.split("Always emailed straight away</h2>")[1].split("</ul>")[0]
    assert "Risk escalated on a case (safeguarding)" in always and "A referral was amended" not in always
    assert "Work with a deadline: it can wait for your daily email but is always emailed." in page
    assert "Accommodation requested for a client" not in page  # housing's, not a practitioner's
    response = client.post(
        reverse("notification-settings"),
        {"referral.amended": IN_APP, "case.meeting_overdue": DIGEST, "case.reassigned": IMMEDIATE},
        follow=True,
    )
    assert "Your notification settings have been saved." in html.unescape(response.content.decode())
    assert notification_preference(user=signed_in, kind="referral.amended") == IN_APP
    assert notification_preference(user=signed_in, kind="case.meeting_overdue") == DIGEST
    trail = AuditEvent.objects.get(record_id=str(signed_in.pk), detail__event="notification settings")
    assert trail.detail["email"] == {"referral.amended": IN_APP, "case.meeting_overdue": DIGEST}
    # A choice the kind does not allow is refused beside the field, and nothing is saved.
    response = client.post(
        reverse("notification-settings"), {"case.meeting_overdue": IN_APP, "referral.amended": DIGEST}
    )
    page = html.unescape(response.content.decode())
    assert response.status_code == 200 and "There is a problem" in page
    assert "Choose one of the options for “a weekly professionals meeting is overdue”" in page
    assert notification_preference(user=signed_in, kind="referral.amended") == IN_APP


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_choices_or_notifications(client, signed_in):
    settings_url, list_url = reverse("notification-settings"), reverse("notification-list")
    tell(signed_in, "referral.amended", "EIP-2026-0001", 1)
    before = (_queries(client, settings_url), _queries(client, list_url))
    notification_preferences_set(user=signed_in, choices={"referral.amended": DIGEST, "case.reassigned": IN_APP})
    for n in range(2, 12):
        tell(signed_in, "case.reassigned" if n % 2 else "referral.amended", f"EIP-2026-00{n:02d}", n)
    after = (_queries(client, settings_url), _queries(client, list_url))
    assert after == before


def test_a_role_with_nothing_to_choose_is_told_so(client):
    evaluator = UserFactory(role=Role.EVALUATOR)
    client.force_login(evaluator, backend="eip.people.backends.AccountBackend")
    page = html.unescape(client.get(reverse("notification-settings")).content.decode())
    assert "Nothing your role is told about can be moved to the daily email or turned off." in page
    assert "Save settings" not in page and "Your two-factor sign-in was changed" in page


def test_the_list_says_which_notifications_were_not_emailed(client, signed_in):
    notification_preferences_set(user=signed_in, choices={"referral.amended": IN_APP, "case.reassigned": DIGEST})
    tell(signed_in, "referral.amended", "EIP-2026-0001", 1)
    tell(signed_in, "case.reassigned", "EIP-2026-0002", 2)
    reminders_send_due()
    page = html.unescape(client.get(reverse("notification-list")).content.decode())
    assert "Not emailed" in page and "For your daily email" in page


def test_what_arrives_before_0830_makes_that_mornings_digest(monkeypatch, practitioner):
    notification_preferences_set(user=practitioner, choices={"referral.amended": DIGEST})
    monday = date(2026, 6, 1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(monday, 7, 45))
    tell(practitioner, "referral.amended", "EIP-2026-0001", 1)
    reminders_send_due()
    assert mail.outbox == []
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(monday, 8, 30))
    reminders_send_due()
    assert len(mail.outbox) == 1 and "EIP-2026-0001" in mail.outbox[0].body
    # One that arrives at 08:30 or later waits for Tuesday's.
    tell(practitioner, "referral.amended", "EIP-2026-0002", 2)
    reminders_send_due()
    assert Notification.objects.get(kind=DIGEST_KIND, sent_at__isnull=True).due_at == at(date(2026, 6, 2), 8, 30)
