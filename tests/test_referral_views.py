"""The referral screens: validation messages beside fields, nothing typed is lost, drafts,
conflicts, and list pages whose query count does not grow with the number of referrals."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eip.audit.models import AuditEvent
from eip.people.models import Role
from referrals.models import Referral
from tests.factories import UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode())


CHILDREN = {
    "children-TOTAL_FORMS": "1",
    "children-INITIAL_FORMS": "0",
    "children-MIN_NUM_FORMS": "0",
    "children-MAX_NUM_FORMS": "12",
    "children-0-age": "",
    "children-0-plan": "",
}


def step_url(referral, step, *, returning=False):
    url = reverse("referral-step", args=[referral.pk, step])
    return url + ("?return=check" if returning else "")


@pytest.fixture
def worker(camden, client):
    user = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    return user


@pytest.fixture
def draft(worker):
    return make_referral(worker, submit=False)


@pytest.mark.parametrize(
    "step, field, value, message",
    [
        ("client", "client_date_of_birth_1", "13", "Date of birth must be a real date"),
        ("risk", "dash_score", "25", "The DASH score must be 24 or fewer"),
        ("risk", "dash_score", "nine", "Enter the DASH score as a number"),
        ("client-contact", "client_email", "not-an-email", "Enter a valid email address"),
        ("children", "children-0-age", "40", "Enter an age from 0 to 18"),
        ("partner", "partner-date_of_birth_2", "19x0", "Enter a valid year"),
    ],
)
def test_bad_input_is_explained_beside_the_field_and_nothing_typed_is_lost(client, draft, step, field, value, message):
    typed = {
        "client": {"client_first_name": "Danny", "client_date_of_birth_0": "14", "client_date_of_birth_2": "1987"},
        "risk": {"risk_markers_other": "Threats by text"},
        "client-contact": {"client_phone": "07700 900999"},
        "children": {**CHILDREN, "children-0-plan": "cp"},
        "partner": {"partner-first_name": "Chloé", "partner-date_of_birth_0": "2", "partner-date_of_birth_1": "3"},
    }[step]
    before = Referral.objects.values().get(pk=draft.pk)
    response = client.post(step_url(draft, step), {"version": draft.version, **typed, field: value})
    page = text(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert "govuk-error-message" in page  # beside the field, not only in the summary
    assert f'value="{value}"' in page
    for name, kept in typed.items():
        if not name.startswith("children-"):
            assert f'value="{kept}"' in page, name
    assert Referral.objects.values().get(pk=draft.pk) == before  # nothing broken is stored


def test_an_optional_date_is_named_in_its_error_without_optional(client, draft):
    """The partner's date of birth is labelled "Date of birth (optional)"; its error read
    "Date of birth (optional) must be a real date"."""
    typed = {"partner-first_name": "Chloe", "partner-date_of_birth_0": "31", "partner-date_of_birth_1": "2"}
    data = {"version": draft.version, **typed, "partner-date_of_birth_2": "1990"}
    page = text(client.post(step_url(draft, "partner"), data))
    assert "Date of birth must be a real date" in page
    assert "(optional) must" not in page


def test_a_child_with_an_age_but_no_plan_is_asked_for_the_plan(client, draft):
    data = {"version": draft.version, **CHILDREN, "children-0-age": "7"}
    assert "Select whether this child is on a plan" in text(client.post(step_url(draft, "children"), data))


def test_the_first_page_starts_a_draft_and_each_page_leads_to_the_next(client, worker):
    response = client.post(reverse("referral-new"), {"team": "early_help", "referrer_phone": "020 7946 0000"})
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.DRAFT and referral.team == "early_help"
    assert response.url == step_url(referral, "client")
    page = text(client.get(response.url))
    assert f'<a href="{step_url(referral, "about-you")}" class="govuk-back-link">' in page
    # Going back shows what was answered.
    assert 'value="020 7946 0000"' in text(client.get(step_url(referral, "about-you")))


def test_continue_asks_for_the_pages_answers_and_stores_nothing_until_they_are_given(client, draft):
    data = {"version": draft.version, "client_first_name": "", "client_last_name": "Hughes-Smith"}
    response = client.post(step_url(draft, "client"), data)
    page = text(response)
    assert response.status_code == 200 and "Enter the client's first name" in page
    assert 'value="Hughes-Smith"' in page
    assert Referral.objects.get(pk=draft.pk).client_last_name == "Hughes"


def test_save_and_come_back_later_keeps_an_unfinished_page(client, draft):
    data = {"version": draft.version, "action": "save", "client_first_name": "", "client_last_name": "Hughes-Smith"}
    response = client.post(step_url(draft, "client"), data)
    assert response.status_code == 302 and response.url == reverse("referral-edit", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.client_first_name == "" and draft.client_last_name == "Hughes-Smith"
    # Signed out (or timed out) and back: the draft is where it was left.
    client.logout()
    client.force_login(draft.referrer, backend="eip.people.backends.AccountBackend")
    assert 'value="Hughes-Smith"' in text(client.get(step_url(draft, "client")))


def test_check_your_answers_change_links_return_to_check_your_answers(client, draft):
    check = reverse("referral-edit", args=[draft.pk])
    page = text(client.get(check))
    assert "Check your answers before sending the referral" in page
    assert "07700 900456" in page and "Aged 6, Child in Need plan" in page
    change = step_url(draft, "partner", returning=True)
    assert f'href="{change}"' in page
    assert f'<a href="{check}" class="govuk-back-link">' in text(client.get(change))
    partner = {"partner-first_name": "Chloe", "partner-phone": "07700 900999", "partner-lives_with_client": "no"}
    response = client.post(change, {"version": draft.version, **partner})
    assert response.url == check
    assert "07700 900999" in text(client.get(check))
    client.post(check, {"action": "submit"})
    draft.refresh_from_db()
    assert draft.status == Referral.Status.SUBMITTED and draft.partner.phone == "07700 900999"


def test_an_incomplete_referral_is_not_sent_and_each_missing_answer_links_to_its_page(client, worker):
    referral = make_referral(worker, submit=False, client_gender="", case_dynamic="", partner={"lives_with_client": ""})
    response = client.post(reverse("referral-edit", args=[referral.pk]), {"action": "submit"})
    page = text(response)
    assert response.status_code == 400
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.DRAFT
    for message, step in (
        ("Select the client's gender", "client"),
        ("Describe the case in your own words", "request"),
        ("Select whether the partner lives with the client", "partner"),
    ):
        assert f'<a href="{step_url(referral, step, returning=True)}">{message}</a>' in page


@pytest.mark.fault
def test_a_stale_page_is_refused_with_a_clear_message(client, draft):
    url = step_url(draft, "client")
    answers = {"version": str(draft.version), "client_last_name": "Hughes", "action": "save"}
    client.post(url, {**answers, "client_first_name": "First edit"})
    page = text(client.post(url, {**answers, "client_first_name": "Second edit"}))
    assert "Someone else changed this referral" in page
    assert 'value="Second edit"' in page  # what they typed is still on the page
    assert Referral.objects.get().client_first_name == "First edit"


def test_viewing_a_referral_is_audited(client, worker):
    referral = make_referral(worker)
    client.get(reverse("referral-detail", args=[referral.pk]), REMOTE_ADDR="198.51.100.4")
    event = AuditEvent.objects.filter(action="viewed").get()
    assert event.actor == worker and event.record_label == f"Referral {referral.reference}"
    assert event.ip_address == "198.51.100.4"


def test_a_borough_spoc_sees_the_referral_but_not_the_partner(client, worker, camden):
    referral = make_referral(worker)
    spoc = UserFactory(role=Role.BOROUGH_SPOC, borough=camden)
    client.force_login(spoc, backend="eip.people.backends.AccountBackend")
    page = text(client.get(reverse("referral-detail", args=[referral.pk])))
    assert referral.reference in page
    assert "Chloe" not in page and "07700 900456" not in page


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SOCIAL_WORKER, Role.BOROUGH_SPOC])
def test_list_pages_make_the_same_number_of_queries_for_3_or_30_referrals(client, camden, role):
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    viewer = worker if role == Role.SOCIAL_WORKER else UserFactory(role=role, borough=camden)
    client.force_login(viewer, backend="eip.people.backends.AccountBackend")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("referral-list")).status_code == 200
        return len(captured)

    for _ in range(3):
        make_referral(worker)
    queries()  # the first request fills process-wide caches (content types)
    few = queries()
    for _ in range(27):
        make_referral(worker)
    assert queries() == few


def test_a_social_workers_list_reads_the_session_the_person_and_the_page_once_each(client, worker):
    make_referral(worker)
    client.get(reverse("referral-list"))  # the first request fills process-wide caches
    with CaptureQueriesContext(connection) as captured:
        page = text(client.get(reverse("referral-list")))
    assert f"({worker.borough.name})" in page  # the header names the borough: read with the person
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    # Each statement's own table: a subquery's table has an alias ("people_borough" U0).
    tables = [re.search(r'(?:FROM|INTO|UPDATE) "(\w+)"(?! U\d)', sql).group(1) for sql in statements]
    assert tables == [
        "django_session",
        "people_user",
        "referrals_referral",
        "audit_auditevent",
        "notifications_notification",  # the navigation's unread count
        "django_session",  # renewed on every request
    ]


def test_the_form_says_when_the_three_working_days_run_from(client, worker):
    page = text(client.get(reverse("referral-new")))
    assert "within 3 working days of receiving it" in page
    assert "Anything received after 17:00, or on a weekend or bank holiday, counts from the next working day." in page


def test_the_referral_page_ranks_people_already_known_and_linking_is_explained_in_the_audit(client, worker, camden):
    """A second referral spelling the client differently finds the person, with reasons; the
    practitioner's choice is audited with what they were shown."""
    from datetime import date

    from referrals import services
    from referrals.models import Person

    practitioner = UserFactory(role=Role.PRACTITIONER)
    first = make_referral(worker, client_first_name="Mohammed", client_last_name="Khan")
    known = services.referral_link_person(referral=first, user=practitioner, person=None)
    again = make_referral(
        worker,
        client_first_name="Muhammad",
        client_last_name="Khan",
        client_date_of_birth=date(1987, 14 - 9, 14),
        client_phone="+44 7700 900123",
    )
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")
    page = text(client.get(reverse("referral-detail", args=[again.pk])))
    assert "Mohammed Khan, born 14 May 1987" in page
    assert "first name is another spelling of the same name; same surname; same date of birth; same phone" in page
    shown = AuditEvent.objects.filter(record_type="referrals.person", detail__page="referral-detail").get()
    assert shown.detail["listed"] == [str(known.pk)]

    client.post(reverse("referral-person", args=[again.pk]), {"person": str(known.pk)})
    again.refresh_from_db()
    assert again.person == known
    # Linked to the person by name, as the choice was offered, not as "person 12".
    linked = re.sub(r"<[^>]+>", "", text(client.get(reverse("referral-detail", args=[again.pk]))))
    assert "Linked to Mohammed Khan, born 14 May 1987 (2 referrals)" in linked
    linked = AuditEvent.objects.filter(record_id=str(again.pk), detail__event="person linked").get()
    assert linked.actor == practitioner
    assert "first name is another spelling of the same name" in linked.detail["because"]
    assert Person.objects.count() == 1


def test_a_person_not_offered_as_a_candidate_cannot_be_linked(client, worker, camden):
    from datetime import date

    from referrals import services

    practitioner = UserFactory(role=Role.PRACTITIONER)
    other = make_referral(
        worker,
        client_first_name="Priya",
        client_last_name="Sharma",
        client_date_of_birth=date(1991, 1, 1),
        client_phone="020 7946 0999",
        client_postcode="E1 6AN",
    )
    stranger = services.referral_link_person(referral=other, user=practitioner, person=None)
    referral = make_referral(worker)
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")
    response = client.post(reverse("referral-person", args=[referral.pk]), {"person": str(stranger.pk)}, follow=True)
    assert "Select one of the people listed" in text(response)
    referral.refresh_from_db()
    assert referral.person is None


def test_accepting_links_the_person_and_opens_the_case_in_one_confirmed_action(client, worker):
    from cases.models import Case
    from referrals import services

    practitioner = UserFactory(role=Role.PRACTITIONER)
    first = make_referral(worker)
    known = services.referral_link_person(referral=first, user=practitioner, person=None)
    again = make_referral(worker, client_first_name="Danny")
    services.referral_acknowledge(referral=again, user=practitioner, consultation_timeline="Soon")
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")
    url = reverse("referral-accept", args=[again.pk])
    page = text(client.get(url))
    assert "Who is Danny Hughes?" in page and "Daniel Hughes, born 14 May 1987" in page
    # Nothing chosen: the page says so, and nothing is accepted.
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "Select who the client is" in text(refused)
    assert not Case.objects.filter(referral=again).exists()
    response = client.post(url, {"person": str(known.pk)})
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == Referral.Status.ACCEPTED and again.person == known
    assert Case.objects.get(referral=again).person == known


def test_a_refused_acceptance_does_not_keep_the_link(client, worker):
    """Not yet acknowledged: the one action is refused whole."""
    practitioner = UserFactory(role=Role.PRACTITIONER)
    referral = make_referral(worker)
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")
    url = reverse("referral-accept", args=[referral.pk])
    assert "Acknowledge the referral first" in text(client.get(url))
    client.post(url, {"person": "new"})
    referral.refresh_from_db()
    assert referral.person is None and referral.status == Referral.Status.SUBMITTED
