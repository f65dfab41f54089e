"""Closed cases found and reopened, cases reassigned by a supervisor, and cover while a
practitioner is away: who may open a case, where its reminders go, how the report counts it."""

import html
from datetime import timedelta
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, CaseReassignment
from cases.services.cover import absence_end, absence_set
from eip.audit.models import AuditEvent
from eip.notifications.models import Notification
from eip.notifications.services import notification_schedule
from eip.notifications.tasks import notification_deliver
from eip.people.models import Role
from evaluation.report import month_period, pathways_and_outcomes
from referrals.duty import intake_duty_recipients, intake_duty_set
from referrals.models import Referral
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db
SIGN_IN = {"backend": "eip.people.backends.AccountBackend"}


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor"),
        "alex": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
        "jo": UserFactory(role=Role.PRACTITIONER, full_name="Jo Colleague"),
        "supervisor": UserFactory(role=Role.SUPERVISOR, full_name="Pat Supervisor"),
    }


def browser(client, user):
    client.logout()
    client.force_login(user, **SIGN_IN)
    return client


def close(case, user, reason="did_not_engage"):
    return services.case_close(
        case=case, user=user, reason=reason, exit_summary="s", onward_plan="p", no_exit_assessment_reason="Left"
    )


def more_cases(case, count):
    """`count` further cases held like `case`, made directly: the flow that opens a case is
    tested elsewhere, and a caseload of 60 made through it would cost the suite a minute."""
    made = []
    for n in range(count):
        referral = Referral.objects.get(pk=case.referral_id)
        referral.pk = referral.id = None
        referral.reference = f"EIP-T-{uuid4().hex[:12]}"
        referral.client_last_name = f"Client{n}"
        referral.save()
        made.append(
            Case.objects.create(
                referral=referral,
                person=case.person,
                borough=case.borough,
                referrer=case.referrer,
                practitioner=case.practitioner,
                opened_at=case.opened_at,
            )
        )
    return made


def reminder(case, user, key):
    return notification_schedule(
        recipients=[user],
        kind="case.meeting_overdue",
        key=key,
        subject=case,
        link=reverse("case-meetings", args=[case.pk]),
        due_at=timezone.now() + timedelta(days=2),
        message=f"No professionals meeting has been recorded for case {case.reference}.",
    )[0]


# --- closed cases -------------------------------------------------------------------------


def test_a_closed_case_is_found_by_name_and_reopened_and_the_report_no_longer_counts_its_exit(
    people, client, django_capture_on_commit_callbacks
):
    alex = people["alex"]
    case = make_case(people["worker"], alex, client_last_name="Hughes")
    close(case, alex)
    period = month_period(timezone.localdate().year, timezone.localdate().month)
    assert pathways_and_outcomes(period)["outcomes"]["did_not_engage"] == 1
    referrals_before = Referral.objects.count()

    page = browser(client, alex)
    assert case.reference not in page.get(reverse("case-list")).content.decode()  # open cases by default
    found = page.get(reverse("case-list"), {"search": "hughes"}).content.decode()
    assert case.reference in found and "Closed" in found
    assert case.reference in page.get(reverse("case-list"), {"status": "closed"}).content.decode()
    assert case.reference not in page.get(reverse("case-list"), {"search": "hughes", "status": "open"}).content.decode()
    assert "Reopen the case" in page.get(reverse("case-close", args=[case.pk])).content.decode()

    url = reverse("case-reopen", args=[case.pk])
    refused = page.post(url, {"reason": " ", "version": 2})
    assert "Say why the case is being reopened" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(url, {"reason": "Sam rang: the client asked to start again", "version": 2})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_open and case.stage == Case.Stage.AWAITING_CONSULTATION
    assert (case.closed_at, case.closure_reason) == (None, "")
    reopening = case.reopenings.get()
    assert (reopening.closure_reason, reopening.reason) == (
        "did_not_engage",
        "Sam rang: the client asked to start again",
    )
    assert CaseEvent.objects.filter(case=case, kind="reopened").exists()
    assert AuditEvent.objects.filter(record_id=str(case.pk), detail__event="reopened").exists()
    told = set(Notification.objects.filter(kind="case.reopened").values_list("recipient", flat=True))
    assert told == {people["supervisor"].pk, people["worker"].pk}
    # The report: no new referral, the earlier exit no longer counted; it counts once it closes again.
    assert Referral.objects.count() == referrals_before
    assert pathways_and_outcomes(period)["outcomes"]["did_not_engage"] == 0
    close(case, alex, reason="dropped_out")
    assert pathways_and_outcomes(period)["outcomes"] == {"completed": 0, "dropped_out": 1, "did_not_engage": 0}


def test_only_a_closed_case_of_ones_own_may_be_reopened(people, client):
    alex, jo = people["alex"], people["jo"]
    case = make_case(people["worker"], alex)
    with pytest.raises(services.CaseError, match="The case is open"):
        services.case_reopen(case=case, user=alex, reason="x")
    close(case, alex)
    assert browser(client, jo).get(reverse("case-reopen", args=[case.pk])).status_code == 404
    assert browser(client, people["supervisor"]).get(reverse("case-reopen", args=[case.pk])).status_code == 403
    # The same person with another case open: work on that one instead.
    again = make_case(people["worker"], alex)
    Case.objects.filter(pk=again.pk).update(person=case.person)
    with pytest.raises(services.CaseError, match="another open case"):
        services.case_reopen(case=case, user=alex, reason="x")


# --- reassignment -----------------------------------------------------------------------


def test_reassigning_part_of_a_caseload_moves_the_cases_their_reminders_and_access(
    people, client, django_capture_on_commit_callbacks
):
    alex, jo, supervisor = people["alex"], people["jo"], people["supervisor"]
    first = make_case(people["worker"], alex)
    second, kept = more_cases(first, 2)
    pending = reminder(first, alex, f"case:{first.pk}:meeting-due:x")
    mine_already = reminder(second, alex, f"case:{second.pk}:meeting-due:y")
    reminder(second, jo, f"case:{second.pk}:meeting-due:y")  # Jo was to get this one anyway
    other = reminder(kept, alex, f"case:{kept.pk}:meeting-due:z")

    page = browser(client, supervisor)
    url = reverse("caseload-reassign") + f"?practitioner={alex.pk}"
    listed = page.get(url).content.decode()
    assert first.reference in listed and kept.reference in listed
    missing = page.post(url, {"cases": [first.pk, second.pk], "to_practitioner": jo.pk, "reason": ""})
    assert "Say why the cases are being reassigned" in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page.post(url, {"cases": [first.pk, second.pk], "to_practitioner": jo.pk, "reason": "Alex moves team"})

    assert set(Case.objects.filter(practitioner=jo).values_list("pk", flat=True)) == {first.pk, second.pk}
    assert Case.objects.get(pk=kept.pk).practitioner == alex
    pending.refresh_from_db()
    mine_already.refresh_from_db()
    assert pending.recipient == jo and pending.cancelled_at is None
    assert mine_already.cancelled_at is not None  # Jo has the same reminder: sent once, not twice
    assert Notification.objects.get(pk=other.pk).recipient == alex
    assert CaseReassignment.objects.filter(from_practitioner=alex, to_practitioner=jo).count() == 2
    assert CaseEvent.objects.filter(kind="reassigned").count() == 2
    assert Notification.objects.filter(kind="case.reassigned", recipient=jo).count() == 1
    assert Notification.objects.filter(kind="case.reassigned", recipient=people["worker"]).count() == 2

    assert browser(client, alex).get(reverse("case-detail", args=[first.pk])).status_code == 404
    assert client.get(reverse("case-detail", args=[kept.pk])).status_code == 200
    assert browser(client, jo).get(reverse("case-detail", args=[first.pk])).status_code == 200


def test_one_case_is_reassigned_from_its_page(people, client):
    alex, jo = people["alex"], people["jo"]
    case = make_case(people["worker"], alex)
    page = browser(client, people["supervisor"])
    assert "reassign" in page.get(reverse("case-detail", args=[case.pk])).content.decode()
    # One case is "the case" when something is missing, not "the cases" of a whole caseload.
    empty = {"to_practitioner": "", "reason": ""}
    missing = html.unescape(page.post(reverse("case-reassign", args=[case.pk]), empty).content.decode())
    assert "Choose the practitioner who will hold the case<" in missing
    assert "Say why the case is being reassigned" in missing
    response = page.post(reverse("case-reassign", args=[case.pk]), {"to_practitioner": jo.pk, "reason": "Leave"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).practitioner == jo
    with pytest.raises(services.CaseError, match="already holds"):
        services.case_reassign(case=case, to_practitioner=jo, user=people["supervisor"], reason="again")


def test_the_reassignment_page_costs_the_same_queries_for_3_and_60_cases(people, client):
    alex = people["alex"]
    first = make_case(people["worker"], alex)
    more_cases(first, 2)
    page = browser(client, people["supervisor"])
    url = reverse("caseload-reassign") + f"?practitioner={alex.pk}"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert page.get(url).status_code == 200
        return len(captured)

    small = queries()
    more_cases(first, 57)
    large = queries()
    assert large == small, (small, large)
    assert page.get(url).content.decode().count('name="cases"') == 60


# --- away and cover -----------------------------------------------------------------------


def test_cover_works_the_cases_and_receives_reminders_and_intake_duty_only_while_it_lasts(people, client):
    alex, jo = people["alex"], people["jo"]
    case = make_case(people["worker"], alex)
    intake_duty_set(practitioner=alex, on_duty=True, user=alex)
    assert browser(client, jo).get(reverse("case-detail", args=[case.pk])).status_code == 404

    today = timezone.localdate()
    absence = absence_set(practitioner=alex, cover=jo, starts_on=today, ends_on=today + timedelta(days=3), user=alex)
    jo = type(jo).objects.get(pk=jo.pk)  # a fresh request's user
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 200
    assert case.reference in client.get(reverse("case-list")).content.decode()
    assert intake_duty_recipients() == [jo]

    due = notification_schedule(
        recipients=[alex],
        kind="case.meeting_overdue",
        key="due-now",
        subject=case,
        link=reverse("case-meetings", args=[case.pk]),
        due_at=timezone.now(),
        message=f"A meeting is due on case {case.reference}.",
    )[0]
    notification_deliver(due.pk)
    notification_deliver(due.pk)  # delivered twice by a repeating worker: the cover is told once
    copies = Notification.objects.filter(recipient=jo, key="due-now")
    assert copies.count() == 1 and copies.get().message.startswith("Covering for Alex Morgan:")
    notification_deliver(copies.get().pk)
    assert copies.get().sent_at is not None

    absence_end(absence=absence, user=people["supervisor"])
    assert browser(client, jo).get(reverse("case-detail", args=[case.pk])).status_code == 404
    assert intake_duty_recipients() == [alex]


def test_who_someone_covers_today_is_every_absence_of_today_with_them_as_an_active_cover(people):
    """people_covered_by() reads with its own SQL (every case page asks it): it answers what
    absences_on() says, across the first and last days away, future, past and cancelled
    absences, another colleague's cover and a cover whose account was switched off."""
    from eip.people.cover import absences_on, people_covered_by
    from eip.people.models import Absence

    alex, jo, supervisor = people["alex"], people["jo"], people["supervisor"]
    others = [UserFactory(role=Role.PRACTITIONER) for _ in range(6)]
    off = UserFactory(role=Role.PRACTITIONER, is_active=False)
    today = timezone.localdate()
    day = timedelta(days=1)

    def away(practitioner, cover, starts_on, ends_on, **extra):
        Absence.objects.create(
            practitioner=practitioner, cover=cover, starts_on=starts_on, ends_on=ends_on, set_by=supervisor, **extra
        )

    away(others[0], jo, today, today)  # one day, today
    away(others[1], jo, today - 3 * day, today)  # last day today
    away(others[2], jo, today + day, today + 3 * day)  # not yet
    away(others[3], jo, today - 3 * day, today - day)  # over
    away(others[4], jo, today - day, today + day, cancelled_at=timezone.now())  # ended early
    away(others[5], alex, today - day, today + day)  # someone else covers
    away(alex, jo, today - 9 * day, today + 9 * day)
    away(others[5], off, today, today)  # a cover no longer able to sign in covers nobody

    def orm(user, on):
        rows = absences_on(on).filter(cover_id=user.pk, cover__is_active=True)
        return list(rows.values_list("practitioner_id", flat=True))

    for user in (jo, alex, off, supervisor):
        for on in (today - 4 * day, today - day, today, today + day, today + 4 * day):
            fresh = type(user).objects.get(pk=user.pk)
            assert people_covered_by(user=fresh, day=on) == orm(user, on), (user, on)
    assert people_covered_by(user=type(jo).objects.get(pk=jo.pk)) == [alex.pk, others[1].pk, others[0].pk]


def test_absence_form_refuses_cover_by_oneself_and_dates_the_wrong_way_round(people, client):
    alex = people["alex"]
    page = browser(client, alex)
    today = timezone.localdate()

    def date_fields(prefix, day):
        return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}

    response = page.post(
        reverse("absence-list"),
        {**date_fields("starts_on", today + timedelta(days=3)), **date_fields("ends_on", today), "cover": alex.pk},
    )
    body = response.content.decode()
    assert "Choose someone else to cover" in body or "Choose the practitioner who will cover" in body
    assert "The last day away must be on or after the first" in body
    response = page.post(
        reverse("absence-list"),
        {**date_fields("starts_on", today), **date_fields("ends_on", today), "cover": people["jo"].pk},
    )
    assert response.status_code == 302
    assert "Jo Colleague" in page.get(reverse("absence-list")).content.decode()


def test_a_new_referral_of_someone_whose_case_closed_lately_offers_to_reopen_it(people, client, camden):
    from referrals import services as referral_services
    from tests.referral_factories import make_referral

    alex, jo = people["alex"], people["jo"]
    case = make_case(people["worker"], alex)
    close(case, alex)
    other_worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Kim Other")
    again = make_referral(other_worker)
    referral_services.referral_acknowledge(referral=again, user=jo, consultation_timeline="Soon")
    url = reverse("referral-accept", args=[again.pk])
    page = browser(client, jo)
    # Choosing the known person leads to the offer rather than a new case.
    response = page.post(url, {"person": case.person_id})
    assert response.status_code == 302 and not Case.objects.filter(referral=again).exists()
    offer = page.get(url).content.decode()
    assert f"Reopen case {case.reference}" in offer
    assert "Choose whether to reopen" in page.post(url, {}).content.decode()
    page.post(url, {"outcome": "reopen", "reopen_reason": ""})

    case.refresh_from_db()
    again.refresh_from_db()
    assert case.is_open and case.practitioner == jo and case.referrer == other_worker
    assert again.status == "accepted" and not Case.objects.filter(referral=again).exists()
    assert case.reopenings.get().new_referral == again
    assert browser(client, other_worker).get(reverse("case-detail", args=[case.pk])).status_code == 200
    # Older than six months: a new case, no offer.
    Case.objects.filter(pk=case.pk).update(
        stage="closed", closure_reason="completed", closed_at=timezone.now() - timedelta(days=200)
    )
    third = make_referral(other_worker)
    third.person = case.person
    third.save()
    assert referral_services.referral_reopenable_case(referral=third) is None
