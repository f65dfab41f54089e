"""The referrer's weekly summary of each active case: e-mailed (the case reference and a link,
nothing more) once a week, on the first working day after the week at 09:00 London time, exactly
once however many beats run; the page it links to shows the week's sessions held or missed, the
next session, assessments, risk actions opened or closed and accommodation changes, to the
referring social worker, the practitioner and supervisors only, audited."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accommodation import services as accommodation_services
from assessments.services import assessment_complete
from case_notes.services import case_note_write
from cases import break_glass, services
from cases.models import Case
from diary import services as diary_services
from eip.audit.models import AuditEvent
from eip.notifications.kinds import IMMEDIATE, IN_APP
from eip.notifications.models import Notification
from eip.notifications.preferences import notification_preference, notification_preferences_set
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from eip.workdays import is_working_day
from tests.assessment_factories import dash
from tests.factories import UserFactory
from tests.referral_factories import make_case
from tests.test_cases import to_intervention

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(moment: datetime, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor"),
        "other_worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Jo Bell"),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
    }


def summaries_sent(monkeypatch, first: date, last: date) -> list[tuple[datetime, str, str]]:
    """Step the clock from `first` to `last` (00:00, 09:00, 13:00, 18:00 each day), running the
    sweeper twice per tick as two beats would: (send time, recipient, body) of each summary e-mail."""
    sent = []
    day = first
    while day <= last:
        for hour in (0, 9, 13, 18):
            moment = datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)
            at(moment, monkeypatch)
            mail.outbox.clear()
            reminders_send_due()
            reminders_send_due()
            sent += [(moment, m.to[0], m.body) for m in mail.outbox if "weekly summary" in m.body]
        day += timedelta(days=1)
    return sent


def test_each_referrer_gets_one_summary_a_week_at_nine_on_the_first_working_day(people, monkeypatch):
    at(datetime(2026, 5, 13, 10, tzinfo=LONDON), monkeypatch)  # Wednesday
    case = make_case(people["worker"], people["practitioner"])
    other = make_case(people["other_worker"], people["practitioner"])
    closed = make_case(people["worker"], people["practitioner"])
    closing = {"stage": Case.Stage.CLOSED, "closure_reason": "completed", "closed_at": timezone.now()}
    Case.objects.filter(pk=closed.pk).update(**closing)
    sent = summaries_sent(monkeypatch, date(2026, 5, 14), date(2026, 6, 5))
    # The week of 11 May on Monday 18 May; the week of 18 May on Tuesday 26 May (Monday 25 May is
    # the spring bank holiday); the week of 25 May on Monday 1 June. Nothing for the closed case.
    expected_days = [datetime(2026, 5, 18, 9, tzinfo=LONDON), datetime(2026, 5, 26, 9, tzinfo=LONDON)]
    expected_days.append(datetime(2026, 6, 1, 9, tzinfo=LONDON))
    assert sorted((when, to) for when, to, _ in sent) == sorted(
        (when, p.email) for when in expected_days for p in (people["worker"], people["other_worker"])
    )
    assert all(is_working_day(when.date()) and when.hour == 9 for when, _, _ in sent)
    worker_bodies = [body for _, to, body in sent if to == people["worker"].email]
    for week, body in zip(("2026-05-11", "2026-05-18", "2026-05-25"), worker_bodies, strict=True):
        link = f"/cases/{case.pk}/weekly-summary/?week={week}"
        assert case.reference in body and link in body
        # Nothing but the reference, the week and the link: no name, no event of the week.
        assert "Daniel" not in body and "Hughes" not in body
    assert all(other.reference in body for _, to, body in sent if to == people["other_worker"].email)
    assert Notification.objects.filter(kind="case.weekly_summary").count() == 6


def test_a_case_opened_after_the_week_waits_for_its_first_whole_week(people, monkeypatch):
    at(datetime(2026, 5, 17, 20, tzinfo=LONDON), monkeypatch)  # Sunday evening
    make_case(people["worker"], people["practitioner"])
    at(datetime(2026, 5, 18, 9, tzinfo=LONDON), monkeypatch)
    reminders_send_due()
    # Opened on the Sunday: it has a (short) week to report.
    assert Notification.objects.filter(kind="case.weekly_summary", occurrence=date(2026, 5, 11)).count() == 1
    at(datetime(2026, 5, 19, 10, tzinfo=LONDON), monkeypatch)
    make_case(people["other_worker"], people["practitioner"])  # opened after the week ended
    reminders_send_due()
    assert not Notification.objects.filter(recipient=people["other_worker"], kind="case.weekly_summary").exists()


@pytest.fixture
def busy_week(people, monkeypatch):
    """A case with a week of work: Monday 2 March to Sunday 8 March 2026."""
    at(datetime(2026, 2, 23, 10, tzinfo=LONDON), monkeypatch)
    case = make_case(people["worker"], people["practitioner"])
    to_intervention(case, people, started_on=date(2026, 2, 25))
    p = people["practitioner"]
    at(datetime(2026, 3, 2, 15, tzinfo=LONDON), monkeypatch)
    record = dict(case=case, user=p, modality="face_to_face", topics=["emotional_regulation"], notes="")
    services.session_record(held_on=date(2026, 3, 2), duration_minutes=60, attendance="attended", **record)
    at(datetime(2026, 3, 4, 15, tzinfo=LONDON), monkeypatch)
    services.session_record(held_on=date(2026, 3, 4), duration_minutes=None, attendance="did_not_attend", **record)
    services.risk_actions_raise(case=case, user=p, reason="Threat disclosed")
    idva = case.risk_actions.get(kind="idva")
    at(datetime(2026, 3, 5, 11, tzinfo=LONDON), monkeypatch)
    services.risk_action_complete(action=idva, user=p, done_on=date(2026, 3, 5), notes="Referred to the IDVA team")
    assessment_complete(
        case=case, user=p, instrument="dash", stage="intake", assessed_on=date(2026, 3, 5), answers=dash(2)
    )
    accommodation_services.accommodation_request(
        case=case,
        user=p,
        needed_from=date(2026, 3, 16),
        reason="Arguments at home",
        risks_and_mitigation="Risks",
        scenario_planning="Plan",
        housing_options_explained=True,
        preferred_area="North",
        exclusion_areas="NW1",
    )
    diary_services.appointment_schedule(
        case=case,
        user=p,
        kind="session",
        starts_at=datetime(2026, 3, 10, 14, tzinfo=LONDON),
        duration_minutes=60,
        modality="face_to_face",
        place="Kentish Town office",
    )
    # Outside the week: the week before, and the week after.
    at(datetime(2026, 3, 9, 11, tzinfo=LONDON), monkeypatch)
    services.session_record(held_on=date(2026, 3, 9), duration_minutes=60, attendance="attended", **record)
    at(datetime(2026, 3, 9, 12, tzinfo=LONDON), monkeypatch)
    return case


def page(client, user, case, week="2026-03-02"):
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    return client.get(reverse("case-weekly-summary", args=[case.pk]), {"week": week})


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_summary_shows_the_weeks_sessions_assessments_risk_and_accommodation(busy_week, people, client):
    response = page(client, people["worker"], busy_week)
    assert response.status_code == 200
    body = text_of(response)
    assert "Week of Monday 2 March 2026" in body and "(so far)" not in body
    assert 'data-testid="sessions-held">1<' in body and 'data-testid="sessions-missed">1<' in body
    assert "Tuesday 10 March 2026, 14:00" in body  # the next session, from the diary
    assert "Session on 2 March: attended" in body and "Session on 4 March: did not attend" in body
    assert "Session on 9 March" not in body  # the week after
    assert "Intervention started" not in body  # the week before
    for section in ("Sessions", "Assessments", "Risk", "Accommodation"):
        assert f'<h3 class="govuk-heading-s">{section}</h3>' in body
    assert "Risk escalated: Threat disclosed. IDVA and MARAC referrals needed." in body
    assert "Refer the partner to the high-risk IDVA service: done" in body
    assert "Temporary accommodation requested from 16 March 2026" in body
    # The read is audited, as every case page.
    assert AuditEvent.objects.filter(
        actor=people["worker"], action=AuditEvent.Action.VIEWED, detail__page="case-weekly-summary"
    ).exists()


def test_only_the_referrer_the_practitioner_and_supervisors_may_read_it(busy_week, people, client, camden):
    assert page(client, people["practitioner"], busy_week).status_code == 200
    assert page(client, UserFactory(role=Role.SUPERVISOR), busy_week).status_code == 200
    # Another social worker of the borough, even with emergency access to the case: not found.
    assert page(client, people["other_worker"], busy_week).status_code == 404
    break_glass.emergency_access_request(case_number=busy_week.pk, user=people["other_worker"], reason="Police call")
    assert page(client, people["other_worker"], busy_week).status_code == 404
    assert page(client, UserFactory(role=Role.PRACTITIONER), busy_week).status_code == 404
    assert page(client, UserFactory(role=Role.BOROUGH_SPOC, borough=camden), busy_week).status_code == 403


def test_an_unknown_week_shows_this_week_and_a_quiet_week_says_so(busy_week, people, client):
    body = text_of(page(client, people["worker"], busy_week, week="not-a-date"))
    assert "Week of Monday 9 March 2026 (so far)" in body
    body = text_of(page(client, people["worker"], busy_week, week="2030-01-01"))  # the future: this week
    assert "Week of Monday 9 March 2026 (so far)" in body
    body = text_of(page(client, people["worker"], busy_week, week="2026-02-16"))  # before the case: its first
    assert "Week of Monday 23 February 2026" in body and "Previous week" not in body


def test_the_page_costs_the_same_queries_for_a_quiet_and_a_busy_week(busy_week, people, client):
    def queries(week):
        with CaptureQueriesContext(connection) as captured:
            assert page(client, people["worker"], busy_week, week=week).status_code == 200
        return len(captured)

    page(client, people["worker"], busy_week)  # warm the session and caches
    busy = queries("2026-03-02")
    quiet = queries("2026-02-23")
    assert busy == quiet


def share_note(case, practitioner, text):
    return case_note_write(
        case=case,
        user=practitioner,
        contact_at=timezone.now(),
        contacted="client",
        method="phone",
        text=text,
        share_with_referrer=True,
    )


@pytest.mark.parametrize(
    "choice, at_once, weekly_summary",
    [(IMMEDIATE, True, True), ("weekly", False, True), (IN_APP, False, False)],
    ids=["immediate", "weekly", "off"],
)
def test_the_referrers_choice_decides_how_progress_updates_reach_them(
    people, monkeypatch, client, choice, at_once, weekly_summary
):
    worker, practitioner = people["worker"], people["practitioner"]
    at(datetime(2026, 3, 2, 10, tzinfo=LONDON), monkeypatch)  # Monday
    case = make_case(worker, practitioner)
    notification_preferences_set(user=worker, choices={"case.progress_update": choice})
    mail.outbox.clear()
    at(datetime(2026, 3, 4, 11, tzinfo=LONDON), monkeypatch)
    note = share_note(case, practitioner, "Canary-progress: came to every session this week.")
    reminders_send_due()
    # In EIP straight away whatever the choice; e-mailed on its own only when asked for.
    [update] = Notification.objects.filter(recipient=worker, kind__startswith="case.progress_update")
    assert update.sent_at is not None and f"#note-{note.pk}" in update.link
    told = [m for m in mail.outbox if "progress update" in m.body]
    assert len(told) == at_once and all("Canary-progress" not in m.body for m in told)
    # The next Monday at 09:00: the week's summary, unless e-mail is off.
    mail.outbox.clear()
    at(datetime(2026, 3, 9, 9, tzinfo=LONDON), monkeypatch)
    reminders_send_due()
    summaries = [m for m in mail.outbox if "weekly summary" in m.body]
    assert len(summaries) == weekly_summary
    # The summary page lists the update that was shared (its words stay on the notes tab).
    body = text_of(page(client, worker, case))
    assert "Progress update shared with the referrer (a case note)" in body


def test_the_settings_page_offers_referrers_the_weekly_summary(people, client):
    client.force_login(people["worker"], backend="eip.people.backends.AccountBackend")
    page_text = " ".join(client.get(reverse("notification-settings")).content.decode().split())
    assert "Only a weekly summary of each case, with its updates" in page_text
    response = client.post(reverse("notification-settings"), {"case.progress_update": "weekly"})
    assert response.status_code == 302
    assert notification_preference(user=people["worker"], kind="case.progress_update") == "weekly"
