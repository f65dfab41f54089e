"""The diary: sessions and professionals meetings planned ahead (moved, cancelled with a reason,
recorded as held through the case's own records), their calendar invitations, and everything
due across a caseload grouped Overdue / Today / This week / Later on the working-day calendar."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.services import assessment_complete
from cases import services as case_services
from cases.models import CaseEvent, InterventionSession, ProfessionalsMeeting
from cases.selectors import case_with_due_facts, due_items
from diary import services
from diary.models import Appointment
from diary.selectors import diary_for
from eip import outbound
from eip.audit.models import AuditEvent
from eip.notifications.models import Notification
from eip.people.models import Absence, Role
from referrals.duty import intake_duty_includes, intake_duty_recipients, intake_duty_set
from tests.assessment_factories import dash
from tests.factories import UserFactory
from tests.referral_factories import make_case, make_referral
from tests.test_cases import to_intervention

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
SIGN_IN = {"backend": "eip.people.backends.AccountBackend"}


def at(*args):
    return datetime(*args, tzinfo=LONDON)


def freeze(monkeypatch, moment):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor"),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
        "colleague": UserFactory(role=Role.PRACTITIONER, full_name="Jo Colleague"),
        "supervisor": UserFactory(role=Role.SUPERVISOR, full_name="Pat Supervisor"),
    }


@pytest.fixture
def monday(monkeypatch):
    """Monday 7 December 2026, 09:00 in London (the working week runs to Monday 14th)."""
    freeze(monkeypatch, at(2026, 12, 7, 9))
    return date(2026, 12, 7)


@pytest.fixture
def case(people, monday):
    case = make_case(people["worker"], people["practitioner"])
    return to_intervention(case, people, started_on=monday)


def plan(case, user, when, kind="session", **extra):
    return services.appointment_schedule(
        case=case,
        user=user,
        kind=kind,
        starts_at=when,
        duration_minutes=extra.pop("duration_minutes", 60),
        modality=extra.pop("modality", "video"),
        place=extra.pop("place", "https://video.example/room-7"),
    )


def group_of(diary, reference, text):
    for key, _, entries in diary.groups:
        if any(e.reference == reference and text in e.what for e in entries):
            return key
    return None


def form_data(day, **fields):
    return {"day_0": day.day, "day_1": day.month, "day_2": day.year, **fields}


def test_a_session_planned_from_the_diary_shows_under_its_day_and_on_the_sessions_tab(client, case, people, monday):
    p = people["practitioner"]
    client.force_login(p, **SIGN_IN)
    page = client.get(reverse("appointment-schedule")).content.decode()
    assert case.reference in page  # the practitioner's own open cases to choose from
    response = client.post(
        reverse("appointment-schedule"),
        form_data(
            monday,
            case=case.pk,
            kind="session",
            at="14:30",
            duration_minutes="50",
            modality="video",
            place="Video link in the text message",
        ),
    )
    assert response.status_code == 302 and response.url == reverse("diary")
    appointment = Appointment.objects.get()
    assert (appointment.kind, appointment.modality, appointment.duration_minutes) == ("session", "video", 50)
    assert appointment.starts_at == at(2026, 12, 7, 14, 30)
    today = client.get(reverse("diary")).content.decode()
    section = today.split('data-testid="diary-today"')[1].split("</table>")[0]
    assert case.reference in section and "14:30" in section and "Session with the client (video)" in section
    tab = client.get(reverse("case-sessions", args=[case.pk])).content.decode()
    assert 'data-testid="planned-session"' in tab and "Video link in the text message" in tab
    assert CaseEvent.objects.filter(case=case, kind="appointment_planned").exists()


def test_bad_input_is_answered_beside_the_field_and_kept(client, case, people, monday):
    client.force_login(people["practitioner"], **SIGN_IN)
    url = reverse("appointment-schedule") + f"?case={case.pk}&kind=session"
    response = client.post(
        url,
        form_data(
            monday - timedelta(days=1),
            case=case.pk,
            kind="session",
            at="25:99",
            duration_minutes="50",
            modality="video",
            place="Room 4",
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Enter a time, for example 14:30 or 2:30pm" in page
    assert 'value="Room 4"' in page
    response = client.post(
        url,
        form_data(
            monday - timedelta(days=1),
            case=case.pk,
            kind="session",
            at="10:00",
            duration_minutes="50",
            modality="video",
            place="Room 4",
        ),
    )
    assert "The date and time must be in the future" in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_diary_groups_overdue_today_this_week_and_later_on_working_days(case, people, monday, monkeypatch):
    p = people["practitioner"]
    plan(case, p, at(2026, 12, 7, 15))  # today
    plan(case, p, at(2026, 12, 14, 10))  # Monday next week: the 5th working day ahead
    plan(case, p, at(2026, 12, 15, 10))  # the 6th: later
    meeting = plan(case, p, at(2026, 12, 8, 11), kind="meeting")
    other = make_case(people["worker"], people["colleague"])  # a colleague's: not in this diary
    intake_duty_set(practitioner=p, on_duty=True, user=p)
    waiting = make_referral(people["worker"])  # the inbox: in the diary of those on intake duty
    diary = diary_for(user=p)
    assert diary.week_ends == date(2026, 12, 14)
    assert [e.at.hour for e in diary.today_items if e.appointment_id] == [15]
    assert [e.due for e in diary.this_week if e.appointment_id] == [date(2026, 12, 8), date(2026, 12, 14)]
    assert [e.due for e in diary.later if e.appointment_id] == [date(2026, 12, 15)]
    assert group_of(diary, case.reference, "Professionals meeting (") == "this-week"
    assert group_of(diary, other.reference, "") is None
    assert group_of(diary, waiting.reference, "Acknowledge the referral") == "this-week"  # due in 3 working days
    # Friday 18 December: the working week ahead runs over Christmas and Boxing Day (observed 28th).
    freeze(monkeypatch, at(2026, 12, 18, 9))
    diary = diary_for(user=p)
    assert diary.week_ends == date(2026, 12, 29)  # 21-24, then 29th (25th, 28th off)
    assert group_of(diary, case.reference, "Record whether it was held: Session") == "overdue"
    assert group_of(diary, waiting.reference, "Acknowledge the referral") == "overdue"
    # The weekly meeting planned for the 8th was never recorded: both show as overdue.
    assert group_of(diary, case.reference, "Record whether it was held: Professionals meeting") == "overdue"
    assert any(e.what == "Professionals meeting" and e.overdue for e in diary.overdue)
    # Each links to where it is done.
    held = next(e for e in diary.overdue if e.appointment_id == meeting.pk)
    assert held.url == reverse("appointment-held", args=[meeting.pk])
    assert next(e for e in diary.overdue if e.what == "Professionals meeting").url == reverse(
        "case-meetings", args=[case.pk]
    )


def test_recording_a_session_as_held_makes_its_attendance_record_prefilled_from_the_plan(
    client, case, people, monday, monkeypatch
):
    p = people["practitioner"]
    appointment = plan(case, p, at(2026, 12, 7, 14), duration_minutes=45, modality="telephone")
    client.force_login(p, **SIGN_IN)
    url = reverse("appointment-held", args=[appointment.pk])
    form = client.get(url).content.decode()
    assert 'value="45"' in form
    assert re.search(r'value="telephone"[^>]*checked', form)
    assert re.search(r'name="held_on_0"[^>]*value="7"', form)
    freeze(monkeypatch, at(2026, 12, 7, 15))
    client.force_login(p, **SIGN_IN)  # hours later: the idle sign-out has passed
    response = client.post(
        url,
        {
            "sequence": "0",
            "held_on_0": "7",
            "held_on_1": "12",
            "held_on_2": "2026",
            "modality": "telephone",
            "attendance": "attended",
            "duration_minutes": "45",
            "topics": ["communication"],
            "notes": "Went well",
        },
    )
    assert response.status_code == 302 and response.url == reverse("case-sessions", args=[case.pk])
    session = InterventionSession.objects.get(case=case)
    assert (session.held_on, session.modality, session.duration_minutes) == (date(2026, 12, 7), "telephone", 45)
    appointment.refresh_from_db()
    assert appointment.status == "recorded" and appointment.session == session
    assert group_of(diary_for(user=p), case.reference, "Session") is None
    # It cannot be recorded twice.
    again = client.post(url, {"sequence": "0"})
    assert again.status_code == 404


def test_a_meeting_recorded_as_held_counts_for_the_weekly_duty_and_its_reminders(case, people, monday, monkeypatch):
    p = people["practitioner"]
    appointment = plan(case, p, at(2026, 12, 11, 10), kind="meeting")
    freeze(monkeypatch, at(2026, 12, 11, 11))
    meeting = services.appointment_record_held(
        appointment=appointment, user=p, expected_sequence=0, held_on=date(2026, 12, 11), attendees="Alex, Sam"
    )
    assert isinstance(meeting, ProfessionalsMeeting) and meeting.held_on == date(2026, 12, 11)
    due = [i for i in due_items(case_with_due_facts(case=case)) if i.what == "Professionals meeting"]
    assert due[0].due == date(2026, 12, 18) and not due[0].overdue
    # The reminder moved on to the week now due, for the practitioner and the social worker.
    reminders = Notification.objects.filter(key=f"case:{case.pk}:meeting-due:2026-12-18")
    assert {n.recipient for n in reminders} == {p, people["worker"]}


def test_moving_and_cancelling_update_the_same_calendar_event(client, case, people, monday):
    p = people["practitioner"]
    appointment = plan(case, p, at(2026, 12, 9, 10), kind="meeting", place="Camden Family Centre, 3 Any Street")
    client.force_login(p, **SIGN_IN)
    ics = client.get(reverse("appointment-invitation", args=[appointment.pk])).content.decode()
    assert "METHOD:REQUEST" in ics and "SEQUENCE:0" in ics and "DTSTART:20261209T100000Z" in ics
    assert f"SUMMARY:Professionals meeting {case.reference}" in ics
    assert f"mailto:{people['worker'].email}" in ics  # the social worker is invited to the meeting
    for absent in ("Daniel", "Chloe", "Camden Family Centre", case.referral.client_last_name):
        assert absent not in ics
    response = client.post(
        reverse("appointment-reschedule", args=[appointment.pk]),
        form_data(
            date(2026, 12, 10), at="11:00", duration_minutes="45", modality="face_to_face", place="", sequence="0"
        ),
    )
    assert response.status_code == 302
    ics = client.get(reverse("appointment-invitation", args=[appointment.pk])).content.decode()
    assert "SEQUENCE:1" in ics and "DTSTART:20261210T110000Z" in ics
    uid = f"UID:eip-appointment-{appointment.pk}@"
    assert uid in ics
    # A page showing the old time cannot move it again over the new one.
    stale = client.post(
        reverse("appointment-cancel", args=[appointment.pk]), {"reason": "Social worker off sick", "sequence": "0"}
    )
    assert "Someone else changed this" in stale.content.decode()
    empty = client.post(reverse("appointment-cancel", args=[appointment.pk]), {"reason": " ", "sequence": "1"})
    assert "Say why it is cancelled" in empty.content.decode()
    client.post(
        reverse("appointment-cancel", args=[appointment.pk]), {"reason": "Social worker off sick", "sequence": "1"}
    )
    appointment.refresh_from_db()
    assert appointment.status == "cancelled" and appointment.cancelled_reason == "Social worker off sick"
    ics = client.get(reverse("appointment-invitation", args=[appointment.pk])).content.decode()
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics and "SEQUENCE:2" in ics and uid in ics
    assert group_of(diary_for(user=p), case.reference, "Professionals meeting (") is None
    kinds = list(CaseEvent.objects.filter(case=case, kind__startswith="appointment").values_list("kind", flat=True))
    assert sorted(kinds) == ["appointment_cancelled", "appointment_moved", "appointment_planned"]
    assert "sick" not in " ".join(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))


def test_the_invitation_download_passes_the_outbound_guard_and_is_audited(client, case, people, monday):
    appointment = plan(case, people["practitioner"], at(2026, 12, 9, 10))
    client.force_login(people["worker"], **SIGN_IN)
    response = client.get(reverse("appointment-invitation", args=[appointment.pk]))
    assert response.status_code == 200 and outbound.is_released(response)
    assert response["Content-Type"].startswith("text/calendar")
    row = AuditEvent.objects.filter(actor=people["worker"], action=AuditEvent.Action.EXPORTED).get()
    assert row.detail["document"] == "session invitation"


def test_a_supervisor_sees_the_team_diary_and_can_choose_a_practitioner(client, case, people, monday):
    plan(case, people["practitioner"], at(2026, 12, 8, 10))
    theirs = to_intervention(make_case(people["worker"], people["colleague"]), people, started_on=monday)
    plan(theirs, people["colleague"], at(2026, 12, 8, 12))
    client.force_login(people["supervisor"], **SIGN_IN)
    team = client.get(reverse("diary")).content.decode()
    assert case.reference in team and theirs.reference in team and "Jo Colleague" in team
    one = client.get(reverse("diary"), {"practitioner": people["colleague"].pk}).content.decode()
    assert theirs.reference in one and case.reference not in one
    assert "Plan a session or meeting" not in one  # supervisors read, they do not plan
    audit = AuditEvent.objects.filter(actor=people["supervisor"], record_type="cases.case").order_by("pk").last()
    assert audit.detail["listed"] == [str(theirs.pk)]


def test_a_day_with_many_referrals_to_acknowledge_is_one_entry_leading_to_the_inbox(case, people, monday):
    """A few are listed by reference; a day of dozens (London at scale) is one entry."""
    p = people["practitioner"]
    intake_duty_set(practitioner=p, on_duty=True, user=p)
    few = [make_referral(people["worker"]) for _ in range(5)]
    diary = diary_for(user=p)
    assert all(group_of(diary, r.reference, "Acknowledge the referral (team inbox)") == "this-week" for r in few)
    more = make_referral(people["worker"])  # a sixth due the same day
    diary = diary_for(user=type(p).objects.get(pk=p.pk))
    entry = next(e for e in diary.this_week if e.what.startswith("Acknowledge"))
    assert entry.what == "Acknowledge 6 referrals (team inbox)" and entry.reference == "6 referrals"
    assert entry.url == reverse("referral-list") + "?tab=to_acknowledge"
    assert not any(e.reference in {r.reference for r in [*few, more]} for e in diary.this_week)


def test_the_team_diary_shows_the_first_rows_of_each_group_until_a_practitioner_is_chosen(
    client, case, people, monday, monkeypatch
):
    """The whole programme's diary runs to thousands of rows; a practitioner's is shown whole."""
    monkeypatch.setattr("diary.views.TEAM_DIARY_ROWS", 2)
    p, colleague = people["practitioner"], people["colleague"]
    for hour in (10, 11, 12):
        plan(case, p, at(2026, 12, 8, hour))
    theirs = to_intervention(make_case(people["worker"], colleague), people, started_on=monday)
    plan(theirs, colleague, at(2026, 12, 8, 13))
    client.force_login(people["supervisor"], **SIGN_IN)
    team = client.get(reverse("diary")).content.decode()
    week = team.split('data-testid="diary-this-week"')[1].split("</table>")[0]
    body_rows = '<tr class="govuk-table__row"><td'
    assert week.count(body_rows) == 2 and "10:00" in week and "11:00" in week and "12:00" not in week
    audit = AuditEvent.objects.filter(actor=people["supervisor"], record_type="cases.case").order_by("pk").last()
    assert theirs.reference not in week and str(theirs.pk) not in audit.detail["listed"]  # not shown, not audited

    def week_rows(practitioner):
        page = client.get(reverse("diary"), {"practitioner": practitioner.pk}).content.decode()
        assert "more are not" not in page
        return page.split('data-testid="diary-this-week"')[1].split("</table>")[0].count(body_rows)

    mine, theirs_rows = week_rows(p), week_rows(colleague)
    assert mine >= 3 and theirs_rows >= 1  # each practitioner's diary is whole
    left_out = mine + theirs_rows - 2
    assert f"The first 2 are shown and {left_out} more are not: choose a practitioner to see all of theirs." in team


def test_only_the_practitioner_team_plans_and_only_on_open_cases(client, case, people, monday):
    client.force_login(people["worker"], **SIGN_IN)
    assert client.get(reverse("appointment-schedule") + f"?case={case.pk}").status_code == 403
    appointment = plan(case, people["practitioner"], at(2026, 12, 9, 10))
    assert client.post(reverse("appointment-cancel", args=[appointment.pk]), {"reason": "x"}).status_code == 403
    with pytest.raises(case_services.CaseError):
        services.appointment_record_held(appointment=appointment, user=people["practitioner"], held_on=date(2099, 1, 1))


def test_the_diary_makes_the_same_number_of_queries_for_3_or_60_cases(client, people, monday):
    p, w = people["practitioner"], people["worker"]
    intake_duty_set(practitioner=p, on_duty=True, user=p)  # so the waiting referrals are listed too
    client.force_login(p, **SIGN_IN)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("diary")).status_code == 200
        return len(captured)

    def varied(n):
        for i in range(n):
            case = make_case(w, p)
            if i % 3 == 0:
                case = to_intervention(case, people, started_on=monday)
                plan(case, p, at(2026, 12, 8 + i % 5, 10), kind="meeting" if i % 2 else "session")
                assessment_complete(
                    case=case, user=p, instrument="dash", stage="intake", assessed_on=monday, answers=dash(2)
                )
            elif i % 3 == 1:
                case_services.consultation_schedule(
                    case=case, user=p, scheduled_at=at(2026, 12, 9, 10), modality="video", attendees="SW"
                )
            make_referral(w)

    def reads():
        user = type(p).objects.get(pk=p.pk)  # as a request has it: not yet knowing whom they cover
        with CaptureQueriesContext(connection) as captured:
            diary_for(user=user)
        return len(captured)

    varied(3)
    few, few_reads = queries(), reads()
    varied(57)
    many, many_reads = queries(), reads()
    assert many == few
    # The diary's own reads: who they cover; who is told of new referrals (those on intake duty,
    # then whoever covers them); then the cases with their planned sessions and meetings and
    # their due facts, and the referrals waiting for acknowledgement, in one.
    assert many_reads == few_reads == 4
    page = client.get(reverse("diary")).content.decode()
    assert page.count("Record as held") >= 19


def test_referrals_waiting_for_acknowledgement_are_in_the_diaries_of_those_told_of_new_referrals(
    client, case, people, monday
):
    """Not in every practitioner's: at London's scale that buried each one's own work under every
    waiting referral. In the diary of whoever is told of new referrals and reminded to acknowledge
    them (intake duty, or cover), and in the supervisor's team view; the inbox lists them for all."""
    p, colleague, supervisor = people["practitioner"], people["colleague"], people["supervisor"]
    waiting = make_referral(people["worker"])

    def lists(user, practitioner=None):
        user = type(user).objects.get(pk=user.pk)  # as a request has it: whom they cover not yet known
        if user.role == Role.PRACTITIONER:  # the diary's quick answer is the rule's own
            told = {recipient.pk for recipient in intake_duty_recipients()}
            assert intake_duty_includes(user=user) == (user.pk in told)
        return group_of(diary_for(user=user, practitioner=practitioner), waiting.reference, "Acknowledge") is not None

    intake_duty_set(practitioner=colleague, on_duty=True, user=supervisor)
    assert lists(colleague) and lists(supervisor)
    assert not lists(p)
    # A supervisor choosing one practitioner sees that practitioner's diary as they do.
    assert lists(supervisor, practitioner=colleague) and not lists(supervisor, practitioner=p)
    client.force_login(p, **SIGN_IN)
    page = client.get(reverse("diary")).content.decode()
    assert waiting.reference not in page and "Referrals waiting for acknowledgement are in the" in page
    # The colleague on duty is away today and Alex covers them: Alex is told, so Alex's diary lists it.
    Absence.objects.create(practitioner=colleague, cover=p, starts_on=monday, ends_on=monday, set_by=supervisor)
    assert lists(p) and not lists(colleague)
    page = client.get(reverse("diary")).content.decode()
    assert waiting.reference in page and "you are told of new referrals" in page
    # Nobody on duty: the supervisors are told (their team view lists it), not each practitioner...
    Absence.objects.all().delete()
    intake_duty_set(practitioner=colleague, on_duty=False, user=supervisor)
    assert lists(supervisor) and not lists(p) and not lists(colleague)
    # ...and with no supervisor either, every practitioner, so that no referral is seen by no one.
    type(supervisor).objects.filter(pk=supervisor.pk).update(is_active=False)
    assert lists(p) and lists(colleague)


def test_what_was_typed_is_shown_as_text_in_the_diary(client, case, people, monday):
    plan(case, people["practitioner"], at(2026, 12, 8, 10), place='<script>alert("x")</script> & room 2')
    case.referral.client_last_name = "O'Neill <b>Smith</b>"
    case.referral.save(update_fields=["client_last_name"])
    client.force_login(people["practitioner"], **SIGN_IN)
    page = client.get(reverse("diary")).content.decode()
    assert "<script>alert" not in page and "<b>Smith" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; room 2" in page
    assert "O&#x27;Neill &lt;b&gt;Smith&lt;/b&gt;" in page


def test_closing_a_case_cancels_what_was_planned_on_it(case, people, monday):
    p = people["practitioner"]
    planned = plan(case, p, at(2026, 12, 9, 10))
    case_services.case_close(
        case=case,
        user=p,
        reason="did_not_engage",
        exit_summary="Did not attend",
        onward_plan="None",
        no_exit_assessment_reason="Did not attend",
    )
    planned.refresh_from_db()
    assert planned.status == "cancelled" and planned.cancelled_reason == "The case closed." and planned.sequence == 1
    assert CaseEvent.objects.filter(case=case, kind="appointment_cancelled").exists()


def test_the_diary_read_again_shows_what_changed_in_between(client, case, people, monday):
    # Each reading shows the records as they are then, and a colleague's diary their own cases.
    p = people["practitioner"]
    client.force_login(p, **SIGN_IN)
    assert "Record as held" not in client.get(reverse("diary")).content.decode()
    plan(case, p, at(2026, 12, 8, 10), place="Room 4")
    page = client.get(reverse("diary")).content.decode()
    assert "Record as held" in page and "Room 4" in page
    services.appointment_cancel(appointment=case.appointments.get(), user=p, reason="Unwell")
    assert "Room 4" not in client.get(reverse("diary")).content.decode()
    client.force_login(people["colleague"], **SIGN_IN)
    assert case.referral.reference not in client.get(reverse("diary")).content.decode()
