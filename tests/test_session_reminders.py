"""Client session reminders (issue 17): opted in on the case, a text the day before each planned
session and on its morning through GOV.UK Notify (the real client against the local stand-in),
never to a number that is the partner's, in discreet fixed wording, stopped by a STOP reply."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from diary import reminders, services
from diary.models import SessionReminder, SessionReminderOptIn
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from referrals.models import PartnerDetails
from tests.factories import UserFactory
from tests.notify_standin import API_KEY, NotifyStandIn
from tests.referral_factories import make_case
from tests.test_cases import to_intervention

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
SIGN_IN = {"backend": "eip.people.backends.AccountBackend"}
TEMPLATES = {
    "email": "f33517ff-2a88-4f6e-b855-c550268ce08a",
    "session_reminder_day_before_sms": "8e222534-7f05-4972-86e3-17c5d9f894e2",
    "session_reminder_morning_sms": "5c1f4b8a-0d9e-4a58-9a51-2f0a2a6b7f11",
}
TOKEN = "a-long-random-callback-token-from-notify-settings"
# Never in a text to the client: the programme, the subject, the partner and children.
NEVER = ("domestic", "abuse", "perpetrator", "partner", "eip", "early intervention", "chloe", "daniel", "hughes")


def at(*args):
    return datetime(*args, tzinfo=LONDON)


def freeze(monkeypatch, moment):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


@pytest.fixture
def notify(settings):
    with NotifyStandIn(set(TEMPLATES.values())) as standin:
        settings.NOTIFY_API_KEY = API_KEY
        settings.NOTIFY_BASE_URL = standin.url
        settings.NOTIFY_TEMPLATES = TEMPLATES
        settings.NOTIFY_CALLBACK_TOKEN = TOKEN
        yield standin


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor"),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
    }


@pytest.fixture
def case(people, monkeypatch):
    freeze(monkeypatch, at(2026, 12, 7, 9))  # Monday
    return to_intervention(make_case(people["worker"], people["practitioner"]), people, started_on=date(2026, 12, 7))


def session(case, people, when, **extra):
    return services.appointment_schedule(
        case=case,
        user=people["practitioner"],
        kind="session",
        starts_at=when,
        duration_minutes=60,
        modality=extra.get("modality", "face_to_face"),
        place=extra.get("place", "Family centre, room 2"),
    )


def opt_in(case, people, phone="07700 900999"):
    return reminders.session_reminders_start(
        case=case,
        user=people["practitioner"],
        phone=phone,
        asked_on=date(2026, 12, 7),
        asked_how="At the first session",
    )


def sweep_through(monkeypatch, django_capture_on_commit_callbacks, first, last):
    """Step the clock every hour from `first` to `last`, the sweeper running twice each time."""
    moment = first
    while moment <= last:
        freeze(monkeypatch, moment)
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send_due()
            reminders_send_due()
        moment += timedelta(hours=1)


def test_a_number_that_is_the_partners_in_another_format_is_refused_beside_the_field(client, case, people):
    client.force_login(people["practitioner"], **SIGN_IN)
    url = reverse("session-reminders", args=[case.pk])
    typed = {"form": "start", "phone": "+44 (0)7700-900 456", "asked_on_0": "7", "asked_on_1": "12"}
    response = client.post(url, {**typed, "asked_on_2": "2026", "asked_how": "At the first session"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "the partner" in page and "reminders cannot go to it" in page
    assert 'value="+44 (0)7700-900 456"' in page  # what was typed is kept
    assert not SessionReminderOptIn.objects.exists()
    response = client.post(url, {**typed, "phone": "07700 900999", "asked_on_2": "2026", "asked_how": "At session 1"})
    assert response.status_code == 302
    assert SessionReminderOptIn.objects.get().phone_normalised == "+447700900999"


def test_three_sessions_one_cancelled_send_exactly_the_texts_expected(
    case, people, notify, monkeypatch, django_capture_on_commit_callbacks
):
    opt_in(case, people)
    first = session(case, people, at(2026, 12, 8, 14))
    cancelled = session(case, people, at(2026, 12, 9, 11), modality="video")
    third = session(case, people, at(2026, 12, 10, 15, 30), modality="telephone")
    services.appointment_cancel(appointment=cancelled, user=people["practitioner"], reason="Client unwell")
    sweep_through(monkeypatch, django_capture_on_commit_callbacks, at(2026, 12, 7, 9), at(2026, 12, 10, 16))
    sent = [(m["template_id"], m["to"], m["personalisation"]) for m in notify.sent]
    day_before, morning = TEMPLATES["session_reminder_day_before_sms"], TEMPLATES["session_reminder_morning_sms"]
    first_words = {
        "day": "Tuesday 8 December",
        "time": "2pm",
        "place": "Family centre, room 2",
        "name": "Alex",
        "phone": "020 7946 0000",
    }
    third_words = {**first_words, "day": "Thursday 10 December", "time": "3:30pm", "place": "a phone call"}
    assert sent == [
        (day_before, "+447700900999", first_words),
        (morning, "+447700900999", first_words),
        (day_before, "+447700900999", third_words),
        (morning, "+447700900999", third_words),
    ]
    assert SessionReminder.objects.filter(appointment=cancelled).count() == 0
    assert {r.appointment for r in SessionReminder.objects.all()} == {first, third}
    timeline = list(case.events.filter(kind="session_reminder").values_list("summary", flat=True))
    assert len(timeline) == 4 and all("sent" in line for line in timeline)
    # The canary scan: nothing a shared phone must not show.
    bodies = json.dumps([m["personalisation"] for m in notify.sent]).lower()
    assert not [word for word in NEVER if word in bodies]


def test_a_text_to_a_number_now_the_partners_is_refused_and_shown(
    client, case, people, notify, monkeypatch, django_capture_on_commit_callbacks
):
    opt_in(case, people)
    session(case, people, at(2026, 12, 8, 14))
    # The partner's number is corrected after the client opted in: it is the same phone.
    PartnerDetails.objects.filter(referral=case.referral).update(phone="+447700900999")
    sweep_through(monkeypatch, django_capture_on_commit_callbacks, at(2026, 12, 7, 10), at(2026, 12, 7, 10))
    assert notify.sent == []
    refused = SessionReminder.objects.get()
    assert refused.status == "refused" and "partner" in refused.reason
    client.force_login(people["practitioner"], **SIGN_IN)
    page = client.get(reverse("session-reminders", args=[case.pk])).content.decode()
    assert "Not sent" in page and "partner" in page
    assert "not sent" in case.events.filter(kind="session_reminder").get().summary


def test_a_place_with_words_a_shared_phone_must_not_show_is_never_sent(
    case, people, notify, monkeypatch, django_capture_on_commit_callbacks
):
    opt_in(case, people)
    session(case, people, at(2026, 12, 8, 14), place="Domestic abuse service, 2 High Street")
    sweep_through(monkeypatch, django_capture_on_commit_callbacks, at(2026, 12, 7, 10), at(2026, 12, 7, 10))
    assert notify.sent == [] and SessionReminder.objects.get().status == "refused"


def test_stop_by_reply_ends_the_reminders(
    client, case, people, notify, monkeypatch, django_capture_on_commit_callbacks
):
    opt_in(case, people)
    session(case, people, at(2026, 12, 9, 14))
    url = reverse("notify-received-text")
    received = {"id": "x", "source_number": "447700900999", "destination_number": "07700900000", "message": "Stop "}
    assert client.post(url, json.dumps(received), content_type="application/json").status_code == 401
    response = client.post(
        url, json.dumps(received), content_type="application/json", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 200
    stopped = SessionReminderOptIn.objects.get()
    assert stopped.stopped_how == "replied_stop" and stopped.stopped_at is not None
    sweep_through(monkeypatch, django_capture_on_commit_callbacks, at(2026, 12, 8, 9), at(2026, 12, 9, 13))
    assert notify.sent == []
    assert "replied STOP" in case.events.filter(kind="session_reminders").first().summary


def test_a_reminder_notify_could_not_deliver_shows_on_the_case(
    client, case, people, notify, monkeypatch, django_capture_on_commit_callbacks
):
    opt_in(case, people)
    session(case, people, at(2026, 12, 8, 14))
    sweep_through(monkeypatch, django_capture_on_commit_callbacks, at(2026, 12, 7, 10), at(2026, 12, 7, 10))
    (sent,) = notify.sent
    receipt = {"id": sent["id"], "reference": sent["reference"], "status": "permanent-failure", "to": sent["to"]}
    response = client.post(
        reverse("notify-delivery-receipt"),
        json.dumps(receipt),
        content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 200
    client.force_login(people["practitioner"], **SIGN_IN)
    assert "Text message not delivered" in client.get(reverse("case-detail", args=[case.pk])).content.decode()
