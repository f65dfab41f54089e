"""GOV.UK Notify as the delivery channel: the real notifications-python-client talks to a local
stand-in speaking Notify's API; delivery receipts come back on a token-protected endpoint and a
failure shows on the case."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from notifications_python_client.errors import HTTPError

from eip.notifications import govuk_notify
from eip.notifications.models import Message, Notification
from eip.notifications.services import notification_schedule
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from tests.factories import UserFactory
from tests.notify_standin import API_KEY, NotifyStandIn
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db

TEMPLATES = {
    "email": "f33517ff-2a88-4f6e-b855-c550268ce08a",
    "session_reminder_day_before_sms": "8e222534-7f05-4972-86e3-17c5d9f894e2",
    "session_reminder_morning_sms": "5c1f4b8a-0d9e-4a58-9a51-2f0a2a6b7f11",
}
TOKEN = "a-long-random-callback-token-from-notify-settings"


@pytest.fixture
def notify(settings):
    with NotifyStandIn(set(TEMPLATES.values())) as standin:
        settings.NOTIFY_API_KEY = API_KEY
        settings.NOTIFY_BASE_URL = standin.url
        settings.NOTIFY_TEMPLATES = TEMPLATES
        settings.NOTIFY_CALLBACK_TOKEN = TOKEN
        settings.EIP_EMAIL_TRANSPORT = "eip.notifications.govuk_notify.NotifyEmailBackend"
        yield standin


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden),
        "practitioner": UserFactory(role=Role.PRACTITIONER),
    }


@pytest.fixture
def case(people):
    return make_case(people["worker"], people["practitioner"])


def remind(case, people, key="test-reminder"):
    notification_schedule(
        recipients=[people["practitioner"], people["worker"]],
        kind="case.meeting_overdue",
        key=key,
        subject=case,
        message=f"A meeting was due for case {case.reference}.",
        link=reverse("case-detail", args=[case.pk]),
        due_at=timezone.now() - timedelta(minutes=1),
    )
    return reminders_send_due()


def reminders_sent(notify):
    # Only the test's reminder: setting up the case left its own notifications due for the sweep.
    return [m for m in notify.sent if "A meeting was due" in m["personalisation"].get("subject", "")]


def receipt(client, message, status, token=TOKEN):
    body = {"id": message.provider_id, "reference": message.reference, "status": status, "to": "x"}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(reverse("notify-delivery-receipt"), json.dumps(body), content_type="application/json", **headers)


def test_notification_emails_go_through_notify_with_the_email_template(case, people, notify):
    remind(case, people)
    sent_reminders = reminders_sent(notify)
    assert sorted(m["to"] for m in sent_reminders) == sorted([people["practitioner"].email, people["worker"].email])
    for sent in sent_reminders:
        assert sent["channel"] == "email" and sent["template_id"] == TEMPLATES["email"]
        assert sent["personalisation"]["subject"] == f"EIP: A meeting was due for case {case.reference}."
        assert f"/cases/{case.pk}/" in sent["personalisation"]["body"]
    messages = Message.objects.filter(notification__kind="case.meeting_overdue")
    assert {m.provider_id for m in messages} == {s["id"] for s in sent_reminders}
    assert {m.reference for m in messages} == {s["reference"] for s in sent_reminders}
    assert all(m.subject == case and m.notification.kind == "case.meeting_overdue" for m in messages)
    assert Notification.objects.filter(sent_at__isnull=False, kind="case.meeting_overdue").count() == 2


def test_when_notify_is_down_the_reminder_waits_for_the_next_sweep(case, people, notify, monkeypatch):
    notify.refuse_next = 1
    remind(case, people)
    assert Notification.objects.filter(kind="case.meeting_overdue", sent_at__isnull=True).count() >= 1
    later = timezone.now() + timedelta(minutes=11)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    reminders_send_due()
    assert Notification.objects.filter(kind="case.meeting_overdue", sent_at__isnull=True).count() == 0
    assert len(reminders_sent(notify)) == 2


def test_a_wrong_api_key_is_refused_by_notify(notify, settings):
    settings.NOTIFY_API_KEY = API_KEY[:-36] + "00000000-0000-0000-0000-000000000000"
    with pytest.raises(HTTPError) as refused:
        govuk_notify.sms_send(to="07700900123", template="session_reminder_morning_sms", personalisation={})
    assert refused.value.status_code == 403 and notify.sent == []


def test_a_failed_text_message_shows_on_the_case(case, people, notify, client):
    sms = govuk_notify.sms_send(
        to="07700 900123",
        template="session_reminder_morning_sms",
        personalisation={"time": "10:00", "place": "video link", "practitioner": "Alex", "phone": "020 7946 0000"},
        subject=case,
    )
    assert notify.sent[-1]["to"] == "07700 900123" and notify.sent[-1]["channel"] == "sms"
    assert notify.sent[-1]["template_id"] == TEMPLATES["session_reminder_morning_sms"]
    client.force_login(people["practitioner"], backend="eip.people.backends.AccountBackend")
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "not delivered" not in page
    # Without the token, or with a wrong one, nothing changes.
    assert receipt(client, sms, "permanent-failure", token="").status_code == 401
    assert receipt(client, sms, "permanent-failure", token="guess").status_code == 401
    assert Message.objects.get(pk=sms.pk).status == Message.Status.SENT
    assert receipt(client, sms, "permanent-failure").status_code == 200
    sms.refresh_from_db()
    assert sms.status == Message.Status.FAILED and sms.failure == "permanent-failure"
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "Text message not delivered" in page


def test_a_case_shows_its_five_newest_undelivered_messages_read_with_one_fixed_statement(case, people, notify):
    """messages_not_delivered_latest() gives what messages_not_delivered()[:5] gives: only failed
    messages about this record, newest first (ties by id), whatever else is stored."""
    from django.contrib.contenttypes.models import ContentType

    other = make_case(people["worker"], people["practitioner"])
    now = timezone.now()
    rows = []
    for n in range(9):
        rows.append(
            Message(
                channel="sms" if n % 2 else "email",
                template="t",
                reference=f"r{n}",
                subject_type=ContentType.objects.get_for_model(case),
                subject_id=(other if n == 4 else case).pk,
                status=Message.Status.SENT if n == 6 else Message.Status.FAILED,
                sent_at=now - timedelta(hours=n % 5),  # some sent at the same moment
            )
        )
    Message.objects.bulk_create(rows)

    def shown(messages):
        return [(m.pk, m.channel, m.sent_at) for m in messages]

    expected = shown(govuk_notify.messages_not_delivered(subject=case)[:5])
    assert len(expected) == 5
    assert shown(govuk_notify.messages_not_delivered_latest(subject=case, n=5)) == expected
    assert len(govuk_notify.messages_not_delivered_latest(subject=case, n=50)) == 7


def test_a_delivered_receipt_is_recorded_and_an_unknown_one_ignored(case, people, notify, client):
    remind(case, people)
    message = Message.objects.first()
    assert receipt(client, message, "delivered").status_code == 200
    assert Message.objects.get(pk=message.pk).status == Message.Status.DELIVERED
    message.reference, message.provider_id = "not-ours", "not-ours"
    assert receipt(client, message, "permanent-failure").status_code == 200
    assert not Message.objects.filter(status=Message.Status.FAILED).exists()


def test_without_a_callback_token_configured_every_receipt_is_refused(case, people, notify, client, settings):
    remind(case, people)
    settings.NOTIFY_CALLBACK_TOKEN = ""
    assert receipt(client, Message.objects.first(), "permanent-failure", token="").status_code == 401


def test_without_notify_text_messages_stay_in_the_local_backend(settings, case):
    settings.NOTIFY_API_KEY = ""
    govuk_notify.local_sms_outbox.clear()
    message = govuk_notify.sms_send(to="07700900123", template="session_reminder_morning_sms", personalisation={})
    assert govuk_notify.local_sms_outbox == [
        {"to": "07700900123", "template": "session_reminder_morning_sms", "personalisation": {}}
    ]
    assert message.provider_id == "" and message.channel == Message.Channel.SMS
