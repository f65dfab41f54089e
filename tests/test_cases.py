"""Case-work rules: the lifecycle and what it refuses, versioned plans, consent, weekly
meetings and their reminders, risk escalation, onward referrals, closure, the caseload."""

import html
import re
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import calendar, kernel, services
from cases.models import Case, CaseEvent, RiskAction
from cases.selectors import caseload_for_user, due_items
from cases.services import accessibility as accessibility_services
from eip.audit.models import AuditEvent
from eip.notifications.models import Notification
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from referrals import services as referral_services
from tests.factories import UserFactory
from tests.referral_factories import make_case, make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
St = Case.Stage


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor"),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
    }


@pytest.fixture
def case(people):
    return make_case(people["worker"], people["practitioner"])


def consent(case, user, party, given_on=date(2026, 1, 5)):
    return services.consent_record(
        case=case,
        user=user,
        party=party,
        given_on=given_on,
        method="written",
        obtained_by="Sam Okafor, social worker",
        sharing="Practitioner, social worker",
    )


def plan(case, user, **extra):
    return services.risk_plan_revise(
        case=case,
        user=user,
        risks="Escalating arguments",
        actions=[{"action": "Safety plan", "owner": "SW", "due": date(2026, 1, 9)}],
        safety_planning="Partner has a code word",
        **extra,
    )


def to_consent_stage(case, p):
    c = services.consultation_schedule(
        case=case,
        user=p,
        scheduled_at=datetime(2026, 1, 5, 10, tzinfo=LONDON),
        modality="video",
        attendees="Sam Okafor",
    )
    return services.consultation_record_outcome(consultation=c, user=p, outcome="suitable")


def to_intervention(case, people, started_on=date(2026, 1, 12)):
    p, w = people["practitioner"], people["worker"]
    to_consent_stage(case, p)
    plan(case, p)
    consent(case, w, "client")
    consent(case, w, "partner")
    return services.intervention_start(case=case, user=p, started_on=started_on)


def test_no_intervention_without_both_consents_and_a_plan(case, people):
    p, w = people["practitioner"], people["worker"]
    with pytest.raises(services.CaseError, match="while the case is ‘awaiting consultation’"):
        services.intervention_start(case=case, user=p, started_on=date(2026, 1, 12))
    to_consent_stage(case, p)
    with pytest.raises(services.CaseError) as refused:
        services.intervention_start(case=case, user=p, started_on=date(2026, 1, 12))
    message = str(refused.value)
    assert "Record the client's consent" in message and "Record the partner's consent" in message
    assert "Write the Risk Management and Intervention Plan" in message
    consent(case, w, "client")
    plan(case, p)
    with pytest.raises(services.CaseError, match="Record the partner's consent"):
        services.intervention_start(case=case, user=p, started_on=date(2026, 1, 12))
    consent(case, w, "partner")
    started = services.intervention_start(case=case, user=p, started_on=date(2026, 1, 12))
    assert started.stage == St.INTERVENTION and started.intervention_started_on == date(2026, 1, 12)


def test_not_suitable_closes_the_case_and_onward_referrals_count_as_following_consultation(case, people):
    p = people["practitioner"]
    c = services.consultation_schedule(
        case=case,
        user=p,
        scheduled_at=datetime(2026, 1, 5, 10, tzinfo=LONDON),
        modality="telephone",
        attendees="SW",
    )
    with pytest.raises(services.CaseIncomplete) as missing:
        services.consultation_record_outcome(consultation=c, user=p, outcome="not_suitable")
    assert "not_suitable_reason" in missing.value.errors
    closed = services.consultation_record_outcome(
        consultation=c, user=p, outcome="not_suitable", not_suitable_reason="risk_too_high"
    )
    assert closed.stage == St.NOT_SUITABLE and closed.closure_reason == "unsuitable" and closed.closed_at
    onward = services.onward_referral_record(case=closed, user=p, service="dvpp", made_on=date(2026, 1, 6))
    assert onward.following_consultation


def test_each_plan_revision_is_a_new_version_and_the_old_one_is_kept(case, people):
    p = people["practitioner"]
    first = plan(case, p)
    with pytest.raises(services.CaseIncomplete) as missing:
        plan(case, p)
    assert "change_note" in missing.value.errors
    second = services.risk_plan_revise(case=case, user=p, risks="Risk reduced", change_note="After week 2")
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.risks == "Escalating arguments" and second.risks == "Risk reduced"
    assert first.actions == [{"action": "Safety plan", "owner": "SW", "due": "2026-01-09"}]


def test_a_plan_action_needs_an_owner_and_a_date(case, people):
    with pytest.raises(services.CaseIncomplete) as missing:
        services.risk_plan_revise(
            case=case,
            user=people["practitioner"],
            risks="R",
            actions=[{"action": "Call", "owner": "", "due": None}],
        )
    assert "actions-0-action" in missing.value.errors


def test_withdrawn_consent_pauses_the_intervention_and_tells_both_workers(case, people):
    to_intervention(case, people)
    partner_consent = case.consents.get(party="partner", withdrawn_on__isnull=True)
    with pytest.raises(services.CaseIncomplete):
        consent(case, people["worker"], "partner")  # one live consent per person
    paused = services.consent_withdraw(
        consent=partner_consent,
        user=people["worker"],
        withdrawn_on=date(2026, 1, 20),
        notes="Partner asked to stop",
    )
    assert paused.stage == St.AWAITING_CONSENT
    told = Notification.objects.filter(kind="case.consent_withdrawn").values_list("recipient", flat=True)
    assert set(told) == {people["worker"].pk, people["practitioner"].pk}
    with pytest.raises(services.CaseError, match="Record the partner's consent"):
        services.intervention_start(case=case, user=people["practitioner"], started_on=date(2026, 1, 21))
    consent(case, people["worker"], "partner", given_on=date(2026, 1, 22))
    resumed = services.intervention_start(case=case, user=people["practitioner"], started_on=date(2026, 1, 22))
    assert resumed.stage == St.INTERVENTION
    assert resumed.intervention_started_on == date(2026, 1, 12)  # the first start is kept


def test_a_week_without_a_meeting_is_overdue_and_reminded_once(case, people, monkeypatch):
    to_intervention(case, people, started_on=date(2026, 1, 12))
    row = caseload_for_user(user=people["practitioner"]).get(pk=case.pk)
    meeting_due = [i for i in due_items(row, today=date(2026, 1, 19)) if i.what == "Professionals meeting"][0]
    assert meeting_due.due == date(2026, 1, 19) and not meeting_due.overdue
    overdue = [i for i in due_items(row, today=date(2026, 1, 20)) if i.what == "Professionals meeting"][0]
    assert overdue.overdue
    mail.outbox.clear()
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 1, 20, 9, 5, tzinfo=LONDON))
    reminders_send_due()
    reminders_send_due()
    meeting_mail = [m for m in mail.outbox if "No professionals meeting" in m.body]
    reminded = sorted(m.to[0] for m in meeting_mail)
    assert reminded == sorted([people["worker"].email, people["practitioner"].email])
    # The same sweep also sends the intake-assessment reminder: a different duty, due the same day.
    assert any("intake assessments" in m.body for m in mail.outbox)


def test_recording_a_meeting_clears_the_flag_and_sets_the_next_due_date(case, people, monkeypatch):
    to_intervention(case, people, started_on=date(2026, 1, 12))
    services.meeting_record(
        case=case,
        user=people["practitioner"],
        held_on=date(2026, 1, 16),
        attendees="Alex, Sam",
        progress_update="Engaging well",
        send_progress_update=True,
    )
    row = caseload_for_user(user=people["practitioner"]).get(pk=case.pk)
    meeting = [i for i in due_items(row, today=date(2026, 1, 20)) if i.what == "Professionals meeting"][0]
    assert meeting.due == date(2026, 1, 23) and not meeting.overdue
    # The reminder for the original due date is cancelled; the next is for 23 January.
    pending = Notification.objects.filter(kind="case.meeting_overdue", cancelled_at__isnull=True)
    assert {n.key.rsplit(":", 1)[-1] for n in pending} == {"2026-01-23"}
    update = Notification.objects.get(kind="case.progress_update")
    assert update.recipient == people["worker"]


def test_a_meeting_progress_update_emails_the_referrer_only_a_link(case, people, client):
    to_intervention(case, people, started_on=date(2026, 1, 12))
    mail.outbox.clear()
    meeting = services.meeting_record(
        case=case,
        user=people["practitioner"],
        held_on=date(2026, 1, 16),
        attendees="Alex, Sam",
        progress_update="Canary-progress: opened up about the arguments at home",
        send_progress_update=True,
    )
    reminders_send_due()
    [email] = [m for m in mail.outbox if "progress update" in m.body]
    assert email.to == [people["worker"].email]
    link = f"/cases/{case.pk}/meetings/#meeting-{meeting.pk}"
    assert case.reference in email.body and link in email.body
    assert "Canary-progress" not in email.subject + email.body
    # The social worker follows the link and reads the update inside EIP; the read is audited.
    client.force_login(people["worker"], backend="eip.people.backends.AccountBackend")
    page = client.get(link.split("#")[0])
    assert page.status_code == 200 and f'id="meeting-{meeting.pk}"' in page.content.decode()
    assert "Canary-progress" in page.content.decode()
    assert AuditEvent.objects.filter(actor=people["worker"], detail__page="case-meetings").exists()


def test_a_disclosure_that_raises_risk_opens_idva_and_marac_actions_until_done(case, people):
    p = people["practitioner"]
    services.disclosure_record(
        case=case, user=p, disclosed_on=date(2026, 1, 14), description="Threat to kill", escalate=True
    )
    services.disclosure_record(
        case=case, user=p, disclosed_on=date(2026, 1, 15), description="Further threat", escalate=True
    )
    open_actions = case.risk_actions.filter(done_on__isnull=True)
    assert sorted(open_actions.values_list("kind", flat=True)) == ["idva", "marac"]
    row = caseload_for_user(user=p).get(pk=case.pk)
    assert due_items(row)[0].what == "IDVA and MARAC referrals" and due_items(row)[0].overdue
    marac = open_actions.get(kind="marac")
    with pytest.raises(services.CaseIncomplete):
        services.risk_action_complete(action=marac, user=p, done_on=date(2026, 1, 16), notes="")
    services.risk_action_complete(action=marac, user=p, done_on=date(2026, 1, 16), notes="Listed for MARAC 21 Jan")
    assert list(case.risk_actions.filter(done_on__isnull=True).values_list("kind", flat=True)) == ["idva"]
    assert RiskAction.objects.filter(case=case).count() == 2


def test_time_held_waiting_for_a_dvpp_place_is_counted(case, people):
    p = people["practitioner"]
    onward = services.onward_referral_record(case=case, user=p, service="dvpp", made_on=date(2026, 1, 5))
    assert services.weeks_waiting(onward, today=date(2026, 4, 6)) == 13
    services.onward_referral_update(
        onward=onward, user=p, status="accepted", outcome="Place offered", on=date(2026, 2, 2)
    )
    onward.refresh_from_db()
    assert services.weeks_waiting(onward, today=date(2026, 4, 6)) == 4


def test_closure_needs_a_reason_a_summary_a_plan_and_the_exit_assessments_or_why_not(case, people):
    p = people["practitioner"]
    to_intervention(case, people)
    with pytest.raises(services.CaseIncomplete) as missing:
        services.case_close(case=case, user=p, reason="completed", exit_summary="", onward_plan="")
    assert set(missing.value.errors) == {"reason", "exit_summary", "onward_plan", "no_exit_assessment_reason"}
    services.risk_actions_raise(case=case, user=p, reason="New disclosure")
    with pytest.raises(services.CaseIncomplete) as open_actions:
        services.case_close(
            case=case,
            user=p,
            reason="did_not_engage",
            exit_summary="s",
            onward_plan="p",
            no_exit_assessment_reason="n",
        )
    assert "Finish the open risk actions" in open_actions.value.errors["risk_actions"]
    for action in case.risk_actions.all():
        services.risk_action_complete(action=action, user=p, done_on=date(2026, 1, 20), notes="Done")
    assert "only from the exit stage" in missing.value.errors["reason"]
    services.exit_start(case=case, user=p)
    closed = services.case_close(
        case=case,
        user=p,
        reason="completed",
        exit_summary="Completed 6 weeks",
        onward_plan="DVPP in March",
        no_exit_assessment_reason="Client moved away",
    )
    assert closed.stage == St.CLOSED and closed.closed_at
    assert not Notification.objects.filter(
        subject_id=case.pk, kind="case.meeting_overdue", sent_at__isnull=True, cancelled_at__isnull=True
    ).exists()
    with pytest.raises(services.CaseError, match="already closed"):
        services.case_close(case=closed, user=p, reason="completed", exit_summary="x", onward_plan="y")


@pytest.mark.parametrize(
    "reason, stage",
    [
        ("dropped_out", St.DISENGAGED),
        ("did_not_engage", St.DISENGAGED),
        ("higher_risk_service", St.CLOSED),
        ("unsuitable", St.NOT_SUITABLE),
    ],
)
def test_closure_reasons_lead_to_their_stage(case, people, reason, stage):
    closed = services.case_close(
        case=case,
        user=people["practitioner"],
        reason=reason,
        exit_summary="s",
        onward_plan="p",
        no_exit_assessment_reason="Did not attend",
    )
    assert closed.stage == stage


def test_every_step_is_on_the_timeline_without_partner_details(case, people):
    to_intervention(case, people)
    services.partner_contact_record(
        case=case,
        user=people["practitioner"],
        contacted_on=date(2026, 1, 14),
        by="Sam",
        notes="Chloe feels safer at 12 Example Road",
    )
    summaries = list(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))
    assert len(summaries) >= 7
    assert not any("Chloe" in s or "Example Road" in s or "code word" in s for s in summaries)


def test_the_calendar_invitation_opens_in_outlook_and_names_no_one(case, people):
    ics = calendar.invitation(
        uid="eip-consultation-1",
        start=datetime(2026, 1, 5, 10, tzinfo=LONDON),
        minutes=60,
        summary="Case consultation EIP-2026-0001",
        description="Details are in EIP.",
        organiser_email="a@eip.test",
        attendee_emails=["b@eip.test"],
    )
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert "METHOD:REQUEST" in ics and "DTSTART:20260105T100000Z" in ics and "DTEND:20260105T110000Z" in ics
    assert "ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:b@eip.test" in ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))


def test_the_invitation_download_carries_the_reference_not_the_names(client, case, people):
    p = people["practitioner"]
    c = services.consultation_schedule(
        case=case,
        user=p,
        scheduled_at=datetime(2026, 1, 5, 10, tzinfo=LONDON),
        modality="video",
        attendees="Sam",
    )
    client.force_login(p, backend="eip.people.backends.AccountBackend")
    response = client.get(reverse("consultation-invitation", args=[case.pk, c.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert case.reference in body and "Daniel" not in body and "Chloe" not in body


def test_a_borough_spoc_does_not_see_safety_planning(client, case, people, camden):
    plan(case, people["practitioner"])
    spoc = UserFactory(role=Role.BOROUGH_SPOC, borough=camden)
    client.force_login(spoc, backend="eip.people.backends.AccountBackend")
    page = client.get(reverse("case-plan", args=[case.pk])).content.decode()
    assert "Escalating arguments" in page and "code word" not in page


def test_the_caseload_makes_the_same_number_of_queries_for_3_or_20_cases(client, people):
    p, w = people["practitioner"], people["worker"]
    client.force_login(p, backend="eip.people.backends.AccountBackend")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("case-list")).status_code == 200
        return len(captured)

    for _ in range(3):
        to_intervention(make_case(w, p), people)
    few = queries()
    for _ in range(17):
        c = make_case(w, p)
        services.disclosure_record(case=c, user=p, disclosed_on=date(2026, 1, 14), description="x", escalate=True)
    assert queries() == few


def test_the_caseload_counts_its_cases_and_the_overdue_ones_with_the_page_itself(client, people):
    p, w = people["practitioner"], people["worker"]
    make_case(w, p)  # its consultation not yet due
    late = make_case(w, p)
    services.disclosure_record(case=late, user=p, disclosed_on=date(2026, 1, 14), description="x", escalate=True)
    client.force_login(p, backend="eip.people.backends.AccountBackend")
    client.get(reverse("case-list"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("case-list"))
    sql = [q["sql"] for q in captured.captured_queries]
    assert (response.context["page"].paginator.count, response.context["overdue_count"]) == (2, 1)
    assert [row["case"].pk for row in response.context["rows"]][0] == late.pk
    assert not [q for q in sql if q.startswith("SELECT COUNT(") and 'FROM "cases_case"' in q]
    # session, user, cover, the page with its counts and its cases' due facts, audit, unread
    # notifications, and the session's expiry saved (3).
    assert len(sql) == 9, "\n".join(sql)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "search=Smith&status=closed&stage=exit",
        "status=all",
        "search=%3Cb%3E%22x%22",
        # Each field's error: a null character typed, a choice not offered, a practitioner not listed.
        "search=a%00b&status=bogus&stage=bogus&practitioner=bogus",
        "practitioner=999999&stage=",
    ],
)
@pytest.mark.parametrize("team", [False, True])
def test_the_caseload_filter_form_draws_what_crispy_forms_gds_drew(people, query, team):
    # The form is drawn in Python for speed: the same GOV.UK markup (labels, hint, error messages
    # and their aria-describedby, values chosen, names and ids) as crispy-forms-gds drew from the
    # layout it had, whitespace apart.
    from crispy_forms_gds.helper import FormHelper
    from crispy_forms_gds.layout import Field, Layout, Size
    from django.http import QueryDict
    from django.template import engines

    from cases.caseload_page import caseload_filter_fields
    from cases.forms import CaseloadFilterForm

    def form():
        bound = CaseloadFilterForm(QueryDict(query) or None, show_practitioner=team)
        bound.is_valid()
        return bound

    crispy = form()
    crispy.helper = FormHelper()
    crispy.helper.form_tag = False
    crispy.helper.disable_csrf = True
    fields = [Field.text("search"), Field.radios("status", legend_size=Size.SMALL, inline=True), Field.select("stage")]
    crispy.helper.layout = Layout(*fields, *([Field.select("practitioner")] if team else []))
    drawn = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}").render({"form": crispy})

    def markup(html):
        html = re.sub(r"\s+", " ", html)
        return re.sub(r"\s*(<|>)\s*", r"\1", html).replace(' ">', '">').replace(" >", ">").strip()

    assert markup(str(caseload_filter_fields(form()))) == markup(drawn)
    if "bogus" in query:
        assert markup(drawn).count('class="govuk-error-message"') == (4 if team else 3)


def test_the_caseload_compiles_its_overdue_condition_once_a_day_not_on_every_page(client, people):
    # Building and compiling the condition's subqueries cost more than running the page's queries.
    from cases.selectors.caseload import _overdue_sql

    p, w = people["practitioner"], people["worker"]
    to_intervention(make_case(w, p), people)
    client.force_login(p, backend="eip.people.backends.AccountBackend")
    _overdue_sql.cache_clear()
    for _ in range(3):
        assert client.get(reverse("case-list")).status_code == 200
    assert (_overdue_sql.cache_info().misses, _overdue_sql.cache_info().hits) == (1, 2)


def test_a_case_page_makes_the_same_number_of_queries_however_long_its_history(client, case, people):
    p = people["practitioner"]
    to_intervention(case, people)
    client.force_login(p, backend="eip.people.backends.AccountBackend")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("case-detail", args=[case.pk])).status_code == 200
        return len(captured)

    few = queries()
    for day in range(1, 25):
        services.session_record(
            case=case,
            user=p,
            held_on=date(2026, 1, 12) + timedelta(days=day),
            modality="video",
            duration_minutes=60,
            attendance="attended",
            topics=["communication"],
            notes="",
        )
    assert queries() == few


def test_the_case_overview_counts_its_timeline_with_the_page_and_reuses_the_gates_referral(client, case, people):
    # Each query is a round trip: on a busy server they, more than the work, set the page's time.
    p = people["practitioner"]
    to_intervention(case, people)
    client.force_login(p, backend="eip.people.backends.AccountBackend")
    client.get(reverse("case-detail", args=[case.pk]))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("case-detail", args=[case.pk]))
    sql = [q["sql"] for q in captured.captured_queries]
    assert response.context["events"].paginator.count == case.events.count() > 0
    assert not [q for q in sql if q.startswith('SELECT COUNT(*) AS "__count" FROM "cases_caseevent"')]
    referral_reads = [q for q in sql if q.endswith(f'"referrals_referral"."id" = {case.referral_id} LIMIT 21')]
    assert not referral_reads, referral_reads  # the gate's join brought it with the case
    assert not [q for q in sql if 'FROM "cases_riskaction"' in q]  # none open: the due facts say so
    assert not [q for q in sql if '"referrals_person"' in q]  # only the subject access export reads it
    assert response.context["summary"]["referral"].high_risk is False
    # session, user, case (the gate: whom the practitioner covers is read within it), audit, due
    # facts, timeline page with its count, the card's lists (plan, children, other referrals,
    # consents: one query), unread notifications, undelivered messages, and the session's expiry
    # saved (3).
    assert not [q for q in sql if q.startswith('SELECT "people_absence"')]  # their own case: no cover asked
    assert len(sql) == 12, "\n".join(sql)


def test_the_case_overview_reads_consents_and_the_plan_only_when_the_due_facts_find_them(client, case, people):
    p = people["practitioner"]
    client.force_login(p, backend="eip.people.backends.AccountBackend")

    def overview():
        client.get(reverse("case-detail", args=[case.pk]))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("case-detail", args=[case.pk]))
        return response, [q["sql"] for q in captured.captured_queries]

    response, sql = overview()
    assert response.context["summary"]["consents"] == []
    assert response.context["summary"]["next_actions"] == []
    card = [q for q in sql if "SELECT 'referral'" in q]  # the card's lists, in one query
    assert len(card) == 1 and "SELECT 'child'" in card[0]
    assert "SELECT 'consent'" not in card[0]  # the due facts found none live
    assert "SELECT 'plan'" not in card[0]  # nor a plan
    assert not [q for q in sql if 'FROM "cases_consent"' in q or 'FROM "cases_riskplan"' in q]
    # session, user, case (the gate), audit, due facts, timeline page with its count, the card's
    # lists, unread notifications, undelivered messages, and the session's expiry saved (3).
    assert len(sql) == 12, "\n".join(sql)
    to_consent_stage(case, p)
    plan(case, p)
    consent(case, people["worker"], "client")
    response, sql = overview()
    assert [c.party for c in response.context["summary"]["consents"]] == ["client"]
    assert response.context["summary"]["next_actions"]
    (card,) = [q for q in sql if "SELECT 'referral'" in q]
    assert "SELECT 'consent'" in card and "SELECT 'plan'" in card
    assert len(sql) == 12, "\n".join(sql)  # the same queries as before they were written


def test_the_timeline_pages_with_its_count_from_the_first_page_to_past_the_end(client, case, people):
    from cases.models import CaseEvent

    p = people["practitioner"]
    CaseEvent.objects.bulk_create(CaseEvent(case=case, kind="note", summary=f"Event {n}") for n in range(70))
    total = case.events.count()  # 70 and the case's own
    client.force_login(p, backend="eip.people.backends.AccountBackend")

    def page(number):
        events = client.get(reverse("case-detail", args=[case.pk]), {"page": number}).context["events"]
        return events.number, len(events.object_list), events.paginator.count

    assert page(1) == (1, 30, total)
    assert page(3) == (3, total - 60, total)
    assert page(99) == (3, total - 60, total)  # past the end: the last page, as Paginator.get_page
    assert page("x") == (1, 30, total)
    # A page number whose rows would start beyond the database's largest number (it answered
    # 500: "bigint out of range") is just past the end.
    assert page("1" + "0" * 30) == (3, total - 60, total)
    assert client.get(reverse("case-list"), {"page": "9" * 30}).status_code == 200


def test_a_dash_score_at_the_marac_threshold_opens_idva_and_marac_actions(people):
    high = make_case(people["worker"], people["practitioner"], dash_score=14)
    below = make_case(people["worker"], people["practitioner"], dash_score=13)
    assert sorted(high.risk_actions.values_list("kind", flat=True)) == ["idva", "marac"]
    assert not below.risk_actions.exists()


def test_the_invitation_is_emailed_to_practitioner_and_social_worker_as_an_attachment(
    case, people, django_capture_on_commit_callbacks
):
    p = people["practitioner"]
    services.consultation_schedule(
        case=case,
        user=p,
        scheduled_at=datetime(2026, 1, 5, 10, tzinfo=LONDON),
        modality="video",
        attendees="Sam",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(case=case, user=p, what="consultation")
    (message,) = mail.outbox
    assert sorted(message.to) == sorted([p.email, people["worker"].email])
    (name, content, mimetype) = message.attachments[0]
    assert name == "invitation.ics" and mimetype.startswith("text/calendar")
    assert "DTSTART:20260105T100000Z" in content and "Daniel" not in content


# --- two people editing the same case ----------------------------------------------------
# Forms that overwrite the case's own fields carry the version the page was drawn from; the
# second of two saves from the same version is refused, nothing is overwritten, and what the
# second person typed comes back on the page for them to check and enter again.

STALE = (
    "Someone else changed this case while you were editing. Your changes have not been saved: "
    "check the current record and enter them again."
)


def accessibility(typed):
    return "case-accessibility", {"accessibility_adaptations": typed, "interpreter_language": ""}


def supporter(typed):
    return "case-partner", {"form": "supporter", "supporter": typed}


def closure(typed):
    return "case-close", {
        "reason": "did_not_engage",
        "exit_summary": typed,
        "onward_plan": "None needed",
        "no_exit_assessment_reason": "Did not attend",
    }


def signed_in(user):
    from django.test import Client

    browser = Client()
    browser.force_login(user, backend="eip.people.backends.AccountBackend")
    return browser


def version_on(response) -> str:
    """The one hidden case version on the page: the form sends it back with the save."""
    (version,) = re.findall(r'<input type="hidden" name="version" value="(\d+)"', response.content.decode())
    return version


def stored(case):
    case.refresh_from_db()
    return {
        field: getattr(case, field)
        for field in (
            "accessibility_adaptations",
            "partner_supporter",
            "stage",
            "exit_summary",
            "closed_at",
            "version",
        )
    }


@pytest.fixture
def colleague(people):
    # A colleague covering the practitioner (marked away) may work their cases, alongside them.
    from eip.people.models import Absence

    jo = UserFactory(role=Role.PRACTITIONER, full_name="Jo Bell")
    Absence.objects.create(
        practitioner=people["practitioner"],
        cover=jo,
        starts_on=date(2020, 1, 1),
        ends_on=date(2099, 12, 31),
        set_by=people["practitioner"],
    )
    return jo


@pytest.mark.parametrize(
    "first, second",
    [
        (accessibility("Easy-read materials"), accessibility("Shorter sessions on Tuesdays")),
        (supporter("Family support worker"), supporter("IDVA from the Solace service")),
        (accessibility("Easy-read materials"), closure("Did not engage after the second week")),
    ],
    ids=["accessibility", "partner-supporter", "closure-after-accessibility"],
)
@pytest.mark.fault
def test_the_second_of_two_saves_from_the_same_page_is_refused_and_keeps_what_was_typed(
    case, people, colleague, first, second
):
    (first_page, first_data), (second_page, second_data) = first, second
    alex, jo = signed_in(people["practitioner"]), signed_in(colleague)
    # Both open their page while the case is at the same version.
    jo_version = version_on(jo.get(reverse(first_page, args=[case.pk])))
    alex_version = version_on(alex.get(reverse(second_page, args=[case.pk])))
    assert jo_version == alex_version == str(case.version)

    saved = jo.post(reverse(first_page, args=[case.pk]), {**first_data, "version": jo_version})
    assert saved.status_code == 302, "the first save goes through"
    after_first = stored(case)
    assert after_first["version"] == int(jo_version) + 1
    events = CaseEvent.objects.filter(case=case).count()

    refused = alex.post(reverse(second_page, args=[case.pk]), {**second_data, "version": alex_version})

    assert refused.status_code == 200
    page = html.unescape(refused.content.decode())
    assert STALE in page
    typed = next(
        second_data[f] for f in ("accessibility_adaptations", "supporter", "at", "exit_summary") if f in second_data
    )
    if second_page == "case-meetings":
        assert f'value="{typed}"' in page
    else:
        assert typed in page  # what Alex typed is still on the page...
    assert stored(case) == after_first  # ...and nothing of it reached the record
    assert CaseEvent.objects.filter(case=case).count() == events
    # The page still carries the version it was drawn from: saving it again is refused again.
    assert version_on(refused) == alex_version
    again = alex.post(reverse(second_page, args=[case.pk]), {**second_data, "version": alex_version})
    assert STALE in html.unescape(again.content.decode())
    assert stored(case) == after_first


def test_after_opening_the_current_record_the_change_can_be_saved(case, people, colleague):
    alex, jo = signed_in(people["practitioner"]), signed_in(colleague)
    url = reverse("case-accessibility", args=[case.pk])
    stale = version_on(alex.get(url))
    jo.post(url, {**accessibility("Easy-read materials")[1], "version": version_on(jo.get(url))})
    alex.post(url, {**accessibility("Shorter sessions")[1], "version": stale})

    current = alex.get(url)
    assert "Easy-read materials" in current.content.decode()  # Jo's change is what Alex now sees
    saved = alex.post(url, {**accessibility("Shorter sessions")[1], "version": version_on(current)})

    assert saved.status_code == 302
    assert stored(case)["accessibility_adaptations"] == "Shorter sessions"
    assert stored(case)["version"] == int(stale) + 2


@pytest.mark.parametrize("version", [None, "", "not-a-number", "-1", "1\x00", "²", "9" * 5000])
def test_a_save_without_a_usable_version_counts_as_out_of_date(case, people, version):
    url = reverse("case-accessibility", args=[case.pk])
    data = accessibility("Shorter sessions")[1]
    if version is not None:
        data["version"] = version
    before = stored(case)

    page = html.unescape(signed_in(people["practitioner"]).post(url, data).content.decode())

    assert STALE in page and "Shorter sessions" in page
    assert stored(case) == before


@pytest.mark.fault
def test_a_closure_sent_after_someone_else_closed_the_case_says_so(case, people, colleague):
    alex, jo = signed_in(people["practitioner"]), signed_in(colleague)
    url = reverse("case-close", args=[case.pk])
    version = version_on(alex.get(url))
    jo.post(url, {**closure("Jo's summary")[1], "version": version_on(jo.get(url))})
    closed = stored(case)

    page = html.unescape(alex.post(url, {**closure("Alex's summary")[1], "version": version}).content.decode())

    assert "Someone else closed this case while you were editing" in page
    assert stored(case) == closed and closed["exit_summary"] == "Jo's summary"


@pytest.mark.parametrize(
    "save",
    [
        lambda case, user, version: services.accessibility_update(
            case=case,
            user=user,
            adaptations="Shorter sessions",
            interpreter_used=False,
            interpreter_language="",
            expected_version=version,
        ),
        lambda case, user, version: services.partner_supporter_set(
            case=case, user=user, supporter="IDVA", expected_version=version
        ),
        lambda case, user, version: services.case_close(
            case=case,
            user=user,
            reason="did_not_engage",
            exit_summary="s",
            onward_plan="p",
            no_exit_assessment_reason="n",
            expected_version=version,
        ),
    ],
    ids=["accessibility_update", "partner_supporter_set", "case_close"],
)
def test_each_service_refuses_an_out_of_date_version_and_bumps_it_on_save(case, people, save):
    p = people["practitioner"]
    start = case.version
    with pytest.raises(kernel.CaseConflict, match="Someone else changed this case"):
        save(case, p, start - 1)
    assert stored(case)["version"] == start
    save(case, p, start)
    assert stored(case)["version"] == start + 1
    with pytest.raises(services.CaseError):  # the same version again: out of date (or closed)
        save(case, p, start)


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_from_the_same_version_cannot_both_win(people, monkeypatch):
    """The version is checked under the row lock: the second save waits for the first to
    commit, then sees the new version and is refused (no window between check and write)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; the race needs PostgreSQL row locks")
    case = make_case(people["worker"], people["practitioner"])
    version = case.version
    first_holds_the_lock, results = threading.Event(), {}
    real_event = accessibility_services.case_event_record

    def slow_event(*args, **kwargs):
        real_event(*args, **kwargs)
        if threading.current_thread().name == "first":
            first_holds_the_lock.set()
            time.sleep(0.5)  # still inside the transaction, holding the row lock

    def save(name, adaptations):
        try:
            services.accessibility_update(
                case=case,
                user=people["practitioner"],
                adaptations=adaptations,
                interpreter_used=False,
                interpreter_language="",
                expected_version=version,
            )
            results[name] = "saved"
        except kernel.CaseConflict:
            results[name] = "refused"
        finally:
            connection.close()

    monkeypatch.setattr(accessibility_services, "case_event_record", slow_event)
    first = threading.Thread(target=save, args=("first", "From the first"), name="first")
    second = threading.Thread(target=save, args=("second", "From the second"), name="second")
    first.start()
    assert first_holds_the_lock.wait(timeout=10)
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)

    assert results == {"first": "saved", "second": "refused"}
    case.refresh_from_db()
    assert case.accessibility_adaptations == "From the first" and case.version == version + 1


@pytest.mark.fault
def test_a_plan_revision_typed_over_an_older_plan_is_refused(case, people, colleague):
    """Plans are versioned rows: without this, a revision started from version 1 would quietly
    become the current plan over a colleague's version 2."""
    services.risk_plan_revise(case=case, user=people["practitioner"], risks="First assessment of risk")
    alex, jo = signed_in(people["practitioner"]), signed_in(colleague)
    url = reverse("case-plan", args=[case.pk])
    plan_versions = {
        who: re.findall(r'<input type="hidden" name="version" value="(\d+)"', page.get(url).content.decode())
        for who, page in (("alex", alex), ("jo", jo))
    }
    assert plan_versions["alex"] == plan_versions["jo"] == ["1"]
    form = {"form": "plan", "actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0", "version": "1"}
    assert jo.post(url, {**form, "risks": "Jo's revision", "change_note": "New incident"}).status_code == 302
    refused = alex.post(url, {**form, "risks": "Alex's revision", "change_note": "Court date"})
    page = html.unescape(refused.content.decode())
    assert refused.status_code == 200 and "Someone else saved a newer version of the plan" in page
    assert "Alex's revision" in page  # what Alex typed is still there
    assert [p.risks for p in case.risk_plans.order_by("version")] == ["First assessment of risk", "Jo's revision"]


@pytest.mark.fault
def test_an_onward_referral_update_from_an_older_page_is_refused(case, people, colleague):
    onward = services.onward_referral_record(
        case=case, user=people["practitioner"], service="dvpp", service_other="", made_on=date(2026, 1, 10)
    )
    alex, jo = signed_in(people["practitioner"]), signed_in(colleague)
    url = reverse("onward-update", args=[case.pk, onward.pk])
    shown = str(onward.version)
    jo.post(url, {"status": "accepted", "outcome": "Starts Monday", "version": shown})
    response = alex.post(url, {"status": "declined", "outcome": "No place", "version": shown}, follow=True)
    assert "Someone else updated the" in html.unescape(response.content.decode())
    onward.refresh_from_db()
    assert (onward.status, onward.outcome, onward.version) == ("accepted", "Starts Monday", 2)


def test_the_caseload_puts_overdue_cases_first_and_counts_them_across_every_page(client, people):
    # 55 new cases (nothing overdue) opened before 5 with open IDVA/MARAC actions (overdue):
    # ordered by opening alone, the overdue five would all fall on page 2.
    p, w = people["practitioner"], people["worker"]
    for _ in range(55):
        make_case(w, p)
    late = []
    for _ in range(5):
        c = make_case(w, p)
        services.disclosure_record(case=c, user=p, disclosed_on=date(2026, 1, 14), description="x", escalate=True)
        late.append(c.pk)
    client.force_login(p, backend="eip.people.backends.AccountBackend")
    first = client.get(reverse("case-list"))
    assert first.context["page"].paginator.count == 60
    assert [row["case"].pk for row in first.context["rows"][:5]] == late
    assert not any(any(i.overdue for i in row["due"]) for row in first.context["rows"][5:])
    assert first.context["overdue_count"] == 5
    assert "5 cases with something overdue" in first.content.decode()
    second = client.get(reverse("case-list") + "?page=2")
    assert len(second.context["rows"]) == 10 and second.context["overdue_count"] == 5


def test_a_caseload_row_shows_the_case_its_client_stage_weeks_open_and_what_is_due(client, people, monkeypatch):
    # The rows are written in Python (for speed): what each cell says, escaped, and its link.
    from django.conf import settings
    from django.utils import timezone

    from eip.workdays import add_working_days

    p, w = people["practitioner"], people["worker"]
    waiting = make_case(w, p, client_first_name="<b>Dan</b>", client_last_name="O'Neil & Co")
    Case.objects.filter(pk=waiting.pk).update(opened_at=datetime(2026, 1, 5, 10, tzinfo=LONDON))
    closed = make_case(w, p)
    services.case_close(
        case=closed, user=p, reason="unsuitable", exit_summary="s", onward_plan="p", no_exit_assessment_reason="Left"
    )
    # Closed at 00:30 on 2 June in London, still 1 June in UTC.
    june = datetime(2026, 6, 1, 23, 30, tzinfo=ZoneInfo("UTC"))
    Case.objects.filter(pk=closed.pk).update(opened_at=datetime(2026, 4, 1, 10, tzinfo=LONDON), closed_at=june)
    client.force_login(p, backend="eip.people.backends.AccountBackend")
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 1, 27, 12, tzinfo=LONDON))
    page = client.get(reverse("case-list"), {"status": "all"}).content.decode()
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page, re.S)[1:]
    cells = [re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row, re.S) for row in rows]
    due = add_working_days(date(2026, 1, 5), settings.EIP_CONSULTATION_WORKING_DAYS)
    assert cells[0] == [
        f'<a class="govuk-link" href="{reverse("case-detail", args=[waiting.pk])}">{waiting.referral.reference}</a>',
        "&lt;b&gt;Dan&lt;/b&gt; O&#x27;Neil &amp; Co",
        "Awaiting consultation",
        "3",  # 22 days
        '<div><strong class="govuk-tag govuk-tag--red">Overdue</strong> Arrange the case consultation, '
        f"{due.day} {due:%b}</div>",
    ]
    tag = '<strong class="govuk-tag govuk-tag--grey">Closed</strong>'
    assert cells[1][2:] == [f"{tag} 2 Jun 2026: not suitable", "8", "—"]  # 62 days open


def test_the_caseload_pages_from_the_first_page_to_past_the_end(client, people):
    p, w = people["practitioner"], people["worker"]
    client.force_login(p, backend="eip.people.backends.AccountBackend")
    empty = client.get(reverse("case-list"), {"page": 5})
    assert (empty.context["page"].number, empty.context["rows"]) == (1, [])
    assert "No open cases match." in empty.content.decode()
    opened = [make_case(w, p).pk for _ in range(53)]
    late = make_case(w, p)
    services.disclosure_record(case=late, user=p, disclosed_on=date(2026, 1, 14), description="x", escalate=True)

    def page(number):
        response = client.get(reverse("case-list"), {"page": number})
        shown = response.context["page"]
        pks = [row["case"].pk for row in response.context["rows"]]
        return shown.number, pks, shown.paginator.count, response.context["overdue_count"]

    first, second = page(1), page(2)
    assert first[1:] == ([late.pk, *opened[:49]], 54, 1)  # overdue first, then oldest first
    assert second[1:] == (opened[49:], 54, 1)
    assert page(99) == page("9" * 30) == second  # past the end: the last page, as Paginator.get_page
    assert page("x") == page(0) == first
    # A list that can hold nothing is an empty first page, as the ORM would give it.
    from cases.selectors import caseload_page

    nothing = caseload_page(Case.objects.none(), partner_matters=True, number=3)
    assert (nothing.number, list(nothing.object_list), nothing.paginator.count) == (1, [], 0)
    assert nothing.counts == {"overdue": 0}


def test_the_caseloads_overdue_query_agrees_with_what_is_due_on_each_case(people, camden):
    """The SQL condition that orders and counts the caseload says "overdue" of a case exactly
    when due_items() shows something overdue on it, day by day across deadlines, weekends and
    the Christmas bank holidays."""
    from accommodation.models import Fund, Placement
    from cases.selectors import caseload_page
    from tests.accommodation_factories import case_ready_for_accommodation, propose, request_for

    p, w = people["practitioner"], people["worker"]
    housing = UserFactory(role=Role.HOUSING_SPOC, borough=camden)
    camden.housing_spoc = housing
    camden.save()
    Fund.objects.all().delete()
    Fund.objects.create(name="Phase 1", total="14000.00", places=10)

    waiting = make_case(w, p)  # consultation due 5 working days after opening
    Case.objects.filter(pk=waiting.pk).update(opened_at=datetime(2026, 12, 18, 17, 30, tzinfo=LONDON))
    to_intervention(make_case(w, p), people, started_on=date(2026, 12, 14))
    met = to_intervention(make_case(w, p), people, started_on=date(2026, 12, 14))
    services.meeting_record(case=met, user=p, held_on=date(2026, 12, 21), attendees="Sam")
    escalated = make_case(w, p)
    services.disclosure_record(case=escalated, user=p, disclosed_on=date(2026, 1, 14), description="x", escalate=True)
    housed = case_ready_for_accommodation(w, p)
    placement = propose(request_for(housed, p), housing, start_on=date(2026, 12, 1), planned_end_on=date(2026, 12, 29))
    Placement.objects.filter(pk=placement.pk).update(status="approved")
    closing = to_intervention(make_case(w, p), people, started_on=date(2026, 12, 1))
    services.exit_start(case=closing, user=p)
    Case.objects.filter(pk=closing.pk).update(exit_started_on=date(2026, 12, 16))

    cases = caseload_for_user(user=p)
    checked = 0
    for partner_matters in (True, False):
        for offset in range(0, 40):
            today = date(2026, 12, 10) + timedelta(days=offset)
            page = caseload_page(cases, partner_matters=partner_matters, number=1, per_page=500, today=today)
            annotated, total, overdue = page.object_list, page.paginator.count, page.counts["overdue"]
            expected = {
                c.pk: any(i.overdue for i in due_items(c, today, partner_matters=partner_matters)) for c in annotated
            }
            assert {c.pk: c.has_overdue for c in annotated} == expected, today
            assert (total, overdue) == (len(expected), sum(expected.values()))
            checked += sum(expected.values())
    assert checked > 0


def test_an_attended_session_needs_its_length_whoever_records_it(case, people):
    # The rule lives in the service, so the importer, the admin or an API cannot skip it.
    to_intervention(case, people)
    with pytest.raises(services.CaseIncomplete) as refused:
        services.session_record(
            case=case,
            user=people["practitioner"],
            held_on=date(2026, 1, 13),
            modality="video",
            duration_minutes=None,
            attendance="attended",
            topics=[],
            notes="",
        )
    assert refused.value.errors == {"duration_minutes": "Enter how long the session lasted"}
    missed = services.session_record(
        case=case,
        user=people["practitioner"],
        held_on=date(2026, 1, 14),
        modality="video",
        duration_minutes=None,
        attendance="did_not_attend",
        topics=[],
        notes="",
    )
    assert missed.duration_minutes is None


def test_the_overview_leads_with_the_client_at_a_glance_and_children_only_for_partner_roles(people, camden):
    case = make_case(people["worker"], people["practitioner"], dash_score=15, client_safe_contact_times="After 6pm")
    page = reverse("case-detail", args=[case.pk])

    def card(user):
        client = Client()
        client.force_login(user, backend="eip.people.backends.AccountBackend")
        response = client.get(page)
        assert response.status_code == 200
        text = response.content.decode()
        return text[text.index('data-testid="client-summary"') : text.index('data-testid="timeline"')]

    seen = card(people["practitioner"])
    for detail in ("Daniel Hughes", "14 May 1987", "07700 900123", "12 Example Road", "After 6pm", "Child in Need"):
        assert detail in seen, detail
    assert "High risk indicated" in seen
    assert reverse("referral-detail", args=[case.referral_id]) in seen
    assert 'data-testid="summary-children"' in seen and "Age 6" in seen

    spoc = card(UserFactory(role=Role.BOROUGH_SPOC, borough=camden))
    assert "Daniel Hughes" in spoc and "07700 900123" in spoc
    assert 'data-testid="summary-children"' not in spoc and "Age 6" not in spoc
    assert "Chloe" not in spoc and "07700 900456" not in spoc


def test_the_overview_links_every_other_referral_of_the_same_person_the_user_may_open(people, camden):
    case = make_case(people["worker"], people["practitioner"])
    other_worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    again = make_referral(other_worker)
    referral_services.referral_acknowledge(referral=again, user=people["practitioner"], consultation_timeline="Soon")
    referral_services.referral_link_person(referral=again, user=people["practitioner"], person=case.person)
    again.refresh_from_db()

    def card(user):
        client = Client()
        client.force_login(user, backend="eip.people.backends.AccountBackend")
        return client.get(reverse("case-detail", args=[case.pk])).content.decode()

    practitioner_sees = card(people["practitioner"])
    assert (
        f'href="{reverse("referral-detail", args=[again.pk])}">{again.reference}</a> (acknowledged)'
        in practitioner_sees
    )
    # The referring social worker may see the case, not the other worker's referral: its reference only.
    worker_sees = card(people["worker"])
    assert f"{again.reference} (acknowledged)" in worker_sees
    assert reverse("referral-detail", args=[again.pk]) not in worker_sees


def test_a_case_page_reads_its_case_by_a_statement_compiled_once_not_on_every_page(client, case, people):
    # Building and compiling the gate's four joins cost more than running them, on every case page.
    from cases.selectors.gate import _case_statement

    client.force_login(people["practitioner"], backend="eip.people.backends.AccountBackend")
    _case_statement.cache_clear()
    for tab in ("case-detail", "case-plan", "case-detail"):
        assert client.get(reverse(tab, args=[case.pk])).status_code == 200
    assert (_case_statement.cache_info().misses, _case_statement.cache_info().hits) == (1, 2)


def test_the_gate_gives_a_case_with_its_referral_and_people_to_its_practitioner_their_cover_and_supervisors(
    case, people, django_assert_num_queries
):
    from django.http import Http404

    from cases.selectors import case_get_for_user, case_list_for_user
    from cases.services.cover import absence_set

    holder, colleague = people["practitioner"], UserFactory(role=Role.PRACTITIONER)
    supervisor = UserFactory(role=Role.SUPERVISOR)
    for user in (holder, supervisor):
        got = case_get_for_user(user=user, pk=case.pk)
        assert got == case_list_for_user(user=user).get(pk=case.pk)
        with django_assert_num_queries(0):  # read with the case
            assert (got.reference, got.borough.name, got.practitioner, got.referrer) == (
                case.referral.reference,
                case.borough.name,
                holder,
                people["worker"],
            )
        assert got.referral.risk_markers == case.referral.risk_markers  # a JSON field, decoded as the ORM does
    with pytest.raises(Http404):
        case_get_for_user(user=colleague, pk=case.pk)
    with pytest.raises(Http404):
        case_get_for_user(user=holder, pk=case.pk + 1000)
    today = timezone.localdate()
    absence_set(practitioner=holder, cover=colleague, starts_on=today, ends_on=today, user=holder)
    colleague = type(colleague).objects.get(pk=colleague.pk)  # a fresh request's user
    assert case_get_for_user(user=colleague, pk=case.pk) == case


def test_plan_actions_are_due_by_a_date_written_as_people_read_dates(client, case, people):
    """The plan's actions came out as stored ("by 2026-01-09") on the overview and the plan page."""
    p = people["practitioner"]
    plan(case, p)
    client.force_login(p, backend="eip.people.backends.AccountBackend")
    for name in ("case-detail", "case-plan"):
        page = html.unescape(client.get(reverse(name, args=[case.pk])).content.decode())
        assert "Safety plan — SW, by 9 Jan 2026" in page, name
        assert "2026-01-09" not in page, name
