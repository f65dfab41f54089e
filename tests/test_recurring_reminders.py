"""Every missed week of professionals meetings reminds the practitioner and the social worker,
once per week, at 09:00 on a working day, until a meeting is recorded, the intervention is
paused or the case closes. The clock is stepped through six weeks with two sweepers running."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from cases import services
from eip.notifications.models import Notification
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from eip.workdays import is_working_day
from tests.factories import UserFactory
from tests.referral_factories import make_case
from tests.test_cases import to_intervention

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden),
        "practitioner": UserFactory(role=Role.PRACTITIONER),
    }


@pytest.fixture
def case(people):
    return make_case(people["worker"], people["practitioner"])


def step_through(monkeypatch, first: date, last: date, meetings: dict, case, people, act=None):
    """Step the clock from `first` to `last` (00:00, 09:00, 13:00 and 18:00 each day), running
    the sweeper twice per tick as two beats would, recording meetings on their days. Returns
    (local send time, recipient e-mail, body) of every meeting reminder sent."""
    sent = []
    day = first
    while day <= last:
        for hour in (0, 9, 13, 18):
            moment = datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)
            monkeypatch.setattr("django.utils.timezone.now", lambda moment=moment: moment)
            if hour == 13 and day in meetings:
                services.meeting_record(case=case, user=people["practitioner"], held_on=day, attendees=meetings[day])
            if act and hour == 13:
                act(day)
            mail.outbox.clear()
            reminders_send_due()
            reminders_send_due()
            sent += [(moment, m.to[0], m.body) for m in mail.outbox if "professionals meeting" in m.body]
        day += timedelta(days=1)
    return sent


def both(people, *moments):
    return sorted((m, people[who].email) for m in moments for who in ("practitioner", "worker"))


def test_a_two_week_gap_reminds_both_once_a_week_until_a_meeting_is_recorded(case, people, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 1, 12, 9, tzinfo=LONDON))
    to_intervention(case, people, started_on=date(2026, 1, 12))  # Monday
    meetings = {date(2026, 1, 16): "Alex, Sam", date(2026, 1, 23): "Alex, Sam", date(2026, 2, 11): "Alex, Sam"}
    meetings |= {date(2026, 2, 18): "Alex, Sam", date(2026, 2, 25): "Alex, Sam"}
    sent = step_through(monkeypatch, date(2026, 1, 12), date(2026, 2, 27), meetings, case, people)
    # Due Friday 30 January and Friday 6 February, both missed: reminded on the Mondays after.
    first, second = datetime(2026, 2, 2, 9, tzinfo=LONDON), datetime(2026, 2, 9, 9, tzinfo=LONDON)
    assert sorted((at, to) for at, to, _ in sent) == both(people, first, second)
    bodies = {at: body for at, _, body in sent}
    assert "since 23 January 2026" in bodies[first] and "due by Friday 30 January 2026" in bodies[first]
    assert "since 23 January 2026" in bodies[second] and "due by Friday 6 February 2026" in bodies[second]
    # Nothing is owed now; the next reminder waits for the week after the last meeting.
    pending = Notification.objects.filter(kind="case.meeting_overdue", sent_at=None, cancelled_at=None)
    assert {n.occurrence for n in pending} == {date(2026, 3, 4)}


def test_over_christmas_the_reminders_wait_for_working_days(case, people, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2025, 12, 4, 9, tzinfo=LONDON))
    to_intervention(case, people, started_on=date(2025, 12, 4))  # Thursday
    meetings = {date(2025, 12, 11): "Alex, Sam", date(2025, 12, 18): "Alex, Sam", date(2026, 1, 7): "Alex, Sam"}
    meetings |= {date(2026, 1, 14): "Alex, Sam"}
    sent = step_through(monkeypatch, date(2025, 12, 4), date(2026, 1, 16), meetings, case, people)
    # Due Christmas Day (missed): Boxing Day and the weekend pass, reminded Monday 29 December.
    # Due New Year's Day (missed): reminded Friday 2 January. None once 7 January is recorded.
    assert sorted((at, to) for at, to, _ in sent) == both(
        people, datetime(2025, 12, 29, 9, tzinfo=LONDON), datetime(2026, 1, 2, 9, tzinfo=LONDON)
    )
    assert all(is_working_day(at.date()) and (at.hour, at.minute) == (9, 0) for at, _, _ in sent)


def test_pausing_the_intervention_stops_the_weekly_reminders(case, people, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 1, 12, 9, tzinfo=LONDON))
    to_intervention(case, people, started_on=date(2026, 1, 12))

    def withdraw(day):
        if day == date(2026, 1, 28):  # after one missed week, consent is withdrawn
            consent = case.consents.get(party="partner", withdrawn_on=None)
            services.consent_withdraw(consent=consent, user=people["worker"], withdrawn_on=day, notes="Called")

    sent = step_through(monkeypatch, date(2026, 1, 12), date(2026, 2, 27), {}, case, people, act=withdraw)
    # Due Monday 19 and 26 January: reminded on the Tuesdays; nothing once it is paused.
    assert sorted((at, to) for at, to, _ in sent) == both(
        people, datetime(2026, 1, 20, 9, tzinfo=LONDON), datetime(2026, 1, 27, 9, tzinfo=LONDON)
    )
    assert not Notification.objects.filter(kind="case.meeting_overdue", sent_at=None, cancelled_at=None).exists()


def test_after_an_outage_only_the_latest_missed_week_is_reminded(case, people, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 1, 12, 9, tzinfo=LONDON))
    to_intervention(case, people, started_on=date(2026, 1, 12))
    # No sweep ran for four weeks: the first one back sends the first week's reminder (already
    # written) and one for the latest missed week, not a backlog of four.
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 2, 17, 9, tzinfo=LONDON))
    mail.outbox.clear()
    reminders_send_due()
    reminders_send_due()
    meeting_mail = [m for m in mail.outbox if "professionals meeting" in m.body]
    weeks = sorted({m.body.split("due by ")[1].split(".")[0] for m in meeting_mail})
    assert weeks == ["Monday 16 February 2026", "Monday 19 January 2026"]
    assert len(meeting_mail) == 4
