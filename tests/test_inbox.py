"""The working inbox: names, risk, tabs, a search that forgives spelling, filters, overdue
and high risk first, and the same number of queries for 3 or 300 referrals."""

import html
from datetime import date, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eip.people.models import Borough, Role
from referrals import services
from referrals.inbox import InboxFilter
from referrals.models import Referral
from tests.factories import UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode())


def rows(response):
    """The references listed, in order."""
    return [row.reference for row in response.context["page"].object_list]


@pytest.fixture
def worker(camden):
    return UserFactory(role=Role.SOCIAL_WORKER, borough=camden)


@pytest.fixture
def practitioner(client):
    user = UserFactory(role=Role.PRACTITIONER)
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    return user


def test_the_inbox_shows_name_risk_and_puts_overdue_then_high_risk_first(client, worker, practitioner):
    long_ago = timezone.now() - timedelta(days=14)
    calm = make_referral(worker, client_first_name="Ann", client_last_name="Calm", dash_score=3)
    risky = make_referral(worker, client_first_name="Bo", client_last_name="Risky", dash_score=14)
    assault = make_referral(
        worker, client_first_name="Cy", client_last_name="Hit", dash_score=2, risk_markers=["first_assault"]
    )
    ordered = make_referral(
        worker, client_first_name="Di", client_last_name="Order", dash_score=1, orders=["bail_conditions"]
    )
    overdue = make_referral(worker, client_first_name="Ed", client_last_name="Late", dash_score=0, now=long_ago)
    response = client.get(reverse("referral-list"))
    page = text(response)
    order = rows(response)
    assert order[0] == overdue.reference
    assert set(order[1:4]) == {risky.reference, assault.reference, ordered.reference}
    assert order[4] == calm.reference
    assert "Bo Risky" in page and "Overdue" in page
    assert page.count("High risk indicated") == 3
    assert "Child in Need" in page  # the team


def test_high_risk_of_a_referral_in_hand_agrees_with_the_inboxs_query(worker):
    # The case overview asks it of the referral it already has; the inbox asks the database.
    from django.db.models import BooleanField, ExpressionWrapper

    from referrals.inbox import HIGH_RISK, high_risk_indicated

    made = [
        make_referral(
            worker,
            dash_completed="no" if score is None else "yes",
            dash_score=score,
            risk_markers=markers,
            orders=orders,
            police_involved="yes" if orders else "no",
        )
        for score, markers, orders in [
            (None, ["verbal_arguments"], []),
            (13, ["verbal_arguments"], []),
            (14, ["verbal_arguments"], []),
            (0, ["verbal_arguments", "first_assault"], []),
            (2, ["verbal_arguments"], ["bail_conditions"]),
            (None, ["verbal_arguments"], ["dvpn_dvpo", "non_molestation"]),
        ]
    ]
    in_database = {  # NULL (no DASH score, nothing else) reads as no
        pk: bool(high)
        for pk, high in Referral.objects.filter(pk__in=[r.pk for r in made])
        .annotate(high=ExpressionWrapper(HIGH_RISK, output_field=BooleanField()))
        .values_list("pk", "high")
    }
    in_hand = {r.pk: high_risk_indicated(Referral.objects.get(pk=r.pk)) for r in made}
    assert in_hand == in_database
    assert list(in_hand.values()) == [False, False, True, True, True, True]


def test_tabs_split_the_referrals_by_where_they_are(client, worker, practitioner):
    new = make_referral(worker)
    acknowledged = make_referral(worker)
    services.referral_acknowledge(referral=acknowledged, user=practitioner, consultation_timeline="Soon")
    asked = make_referral(worker)
    services.referral_request_information(referral=asked, user=practitioner, request="DOB of the children")
    declined = make_referral(worker)
    services.referral_decline(
        referral=declined, user=practitioner, reason="refused", details="", suggested_onward_referrals=""
    )
    expected = {
        "to_acknowledge": [new.reference],
        "awaiting_decision": [acknowledged.reference],
        "more_info": [asked.reference],
        "declined": [declined.reference],
        "accepted": [],
    }
    for tab, references in expected.items():
        response = client.get(reverse("referral-list"), {"tab": tab})
        assert rows(response) == references, tab
    assert rows(client.get(reverse("referral-list"))) == [new.reference]  # the default tab
    tabs = {key: count for key, _, count in client.get(reverse("referral-list")).context["tabs"]}
    # Work waiting is counted; the history (declined, accepted, withdrawn, all) grows without end.
    assert tabs == {
        "to_acknowledge": 1,
        "awaiting_decision": 1,
        "more_info": 1,
        "declined": None,
        "accepted": None,
        "withdrawn": None,
        "all": None,
    }


@pytest.mark.parametrize(
    "search",
    ["Danial Hughs", "hughes", "DANIEL", "Dan", "14/05/1987", "1987-05-14"],
)
def test_a_misspelled_name_a_date_of_birth_or_a_reference_finds_the_client(client, worker, practitioner, search):
    wanted = make_referral(worker)  # Daniel Hughes, born 14 May 1987
    services.referral_acknowledge(referral=wanted, user=practitioner, consultation_timeline="Soon")
    make_referral(worker, client_first_name="Priya", client_last_name="Sharma", client_date_of_birth=date(1990, 1, 1))
    # Searching looks in every tab: this one is no longer waiting to be acknowledged.
    assert rows(client.get(reverse("referral-list"), {"q": search})) == [wanted.reference]


def test_search_by_reference(client, worker, practitioner):
    make_referral(worker)
    second = make_referral(worker)
    assert rows(client.get(reverse("referral-list"), {"q": second.reference})) == [second.reference]
    assert rows(client.get(reverse("referral-list"), {"q": "Nobody Atall"})) == []


def test_filters_by_borough_and_team(client, worker, practitioner, sutton):
    sutton_worker = UserFactory(role=Role.SOCIAL_WORKER, borough=sutton)
    camden_referral = make_referral(worker, team="early_help")
    sutton_referral = make_referral(sutton_worker, team="child_protection")
    assert rows(client.get(reverse("referral-list"), {"borough": sutton.pk})) == [sutton_referral.reference]
    assert rows(client.get(reverse("referral-list"), {"team": "early_help"})) == [camden_referral.reference]
    response = client.get(reverse("referral-list"), {"team": "child_protection", "borough": worker.borough_id})
    assert rows(response) == []
    assert "No referrals match." in text(response)


def test_each_row_names_its_own_referrals_borough(client, worker, practitioner, sutton):
    sutton_referral = make_referral(UserFactory(role=Role.SOCIAL_WORKER, borough=sutton))
    camden_referral = make_referral(worker)
    for sort in ("borough", "-borough"):
        response = client.get(reverse("referral-list"), {"sort": sort})
        named = [(row.reference, row.borough_name) for row in response.context["page"].object_list]
        expected = [(camden_referral.reference, "Camden"), (sutton_referral.reference, "Sutton")]
        assert named == (expected if sort == "borough" else expected[::-1])
        assert '<td class="govuk-table__cell">Sutton</td>' in text(response)


def test_a_borough_spoc_sees_the_same_inbox_for_their_borough_only(client, worker, sutton, camden):
    sutton_worker = UserFactory(role=Role.SOCIAL_WORKER, borough=sutton)
    mine = make_referral(worker)
    make_referral(sutton_worker)
    spoc = UserFactory(role=Role.BOROUGH_SPOC, borough=camden)
    client.force_login(spoc, backend="eip.people.backends.AccountBackend")
    assert rows(client.get(reverse("referral-list"), {"tab": "all"})) == [mine.reference]
    assert rows(client.get(reverse("referral-list"), {"tab": "all", "borough": sutton.pk})) == []


def test_a_column_heading_sorts_the_list_by_it_and_again_the_other_way(client, worker, practitioner):
    zed = make_referral(worker, client_first_name="Ann", client_last_name="Zed", dash_score=20)
    able = make_referral(worker, client_first_name="Bo", client_last_name="Able", dash_score=1)
    late = make_referral(
        worker, client_first_name="Cy", client_last_name="Moss", now=timezone.now() - timedelta(days=14)
    )
    assert rows(client.get(reverse("referral-list"))) == [late.reference, zed.reference, able.reference]
    response = client.get(reverse("referral-list"), {"sort": "client"})
    assert rows(response) == [able.reference, late.reference, zed.reference]
    page = response.content.decode()
    # The heading says how the list is sorted, and its link now sorts the other way.
    assert 'aria-sort="ascending"><a class="govuk-link" href="?sort=-client&amp;page=1">Client' in page
    assert rows(client.get(reverse("referral-list"), {"sort": "-client"})) == [
        zed.reference,
        late.reference,
        able.reference,
    ]
    assert rows(client.get(reverse("referral-list"), {"sort": "nonsense"})) == rows(
        client.get(reverse("referral-list"))
    )


def test_a_page_past_the_end_shows_the_last_page(client, worker, practitioner):
    _many(worker, 59)  # 60 to acknowledge: two pages
    response = client.get(reverse("referral-list"), {"page": 7})
    assert response.status_code == 200
    assert response.context["page"].number == 2 and len(rows(response)) == 10
    assert 'aria-label="Page 2 of 2"' in response.content.decode()
    assert len(rows(client.get(reverse("referral-list"), {"page": "two"}))) == 50


def _many(worker, number):
    """`number` more submitted referrals, written in one statement (the page is measured, not the factory)."""
    template = make_referral(worker)
    now = timezone.now()
    Referral.objects.bulk_create(
        [
            Referral(
                **{
                    f.attname: getattr(template, f.attname)
                    for f in Referral._meta.concrete_fields
                    if f.attname not in ("id", "reference")
                },
                reference=f"EIP-1999-{n:05d}",
            )
            for n in range(number)
        ]
    )
    assert now


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SOCIAL_WORKER])
def test_the_inbox_counts_unread_notifications_once_though_its_table_renders_apart(client, worker, camden, role):
    # A table rendered in a request context of its own (as django-tables2 drew it) ran the
    # context processors (the navigation, with its unread count) a second time.
    viewer = worker if role == Role.SOCIAL_WORKER else UserFactory(role=role, borough=camden)
    make_referral(worker)
    client.force_login(viewer, backend="eip.people.backends.AccountBackend")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("referral-list")).status_code == 200
    unread = [q for q in captured.captured_queries if 'FROM "notifications_notification"' in q["sql"]]
    assert len(unread) == 1


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SUPERVISOR, Role.BOROUGH_SPOC])
def test_the_inbox_makes_the_same_number_of_queries_for_3_or_300_referrals(client, worker, camden, role):
    viewer = UserFactory(role=role, borough=camden)
    client.force_login(viewer, backend="eip.people.backends.AccountBackend")

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("referral-list"), params)
            assert response.status_code == 200
        return len(captured), len(rows(response))

    for _ in range(3):
        make_referral(worker)
    few = queries(), queries(q="hughes"), queries(tab="all", sort="client")
    _many(worker, 297)
    many = queries(), queries(q="hughes"), queries(tab="all", sort="client")
    assert [count for count, _ in many] == [count for count, _ in few]
    assert [shown for _, shown in many] == [50, 50, 50]


def test_the_search_form_is_made_once_and_each_page_fills_its_own(camden, sutton):
    # The form's class is made once for every page shown; what one page typed or chose stays
    # on that page's form.
    searched = InboxFilter(QueryDict(f"q=hughes&borough={camden.pk}"), queryset=Referral.objects.all())
    plain = InboxFilter(None, queryset=Referral.objects.all())
    assert type(searched.form) is type(plain.form)
    assert searched.form["q"].value() == "hughes" and searched.form["borough"].value() == str(camden.pk)
    assert plain.form["q"].value() is None and plain.form["borough"].value() is None
    searched.form.fields["borough"].queryset = Borough.objects.filter(pk=camden.pk)
    assert list(plain.form.fields["borough"].queryset) == [camden, sutton]


def test_the_home_page_counts_what_the_inbox_tabs_list(client, worker, practitioner):
    """The practitioner's home leads to the inbox: its "awaiting a decision" is the inbox's
    "Awaiting decision" tab, not every referral still undecided (new and asked-for ones too)."""
    make_referral(worker)
    acknowledged = make_referral(worker)
    services.referral_acknowledge(referral=acknowledged, user=practitioner, consultation_timeline="Soon")
    asked = make_referral(worker)
    services.referral_request_information(referral=asked, user=practitioner, request="DOB of the children")
    tabs = {key: count for key, _, count in client.get(reverse("referral-list")).context["tabs"]}
    counts = client.get(reverse("home")).context["referral_counts"]
    assert counts["to_acknowledge"] == tabs["to_acknowledge"] == 1
    assert counts["awaiting_decision"] == tabs["awaiting_decision"] == 1
    assert counts["more_info"] == tabs["more_info"] == 1


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.BOROUGH_SPOC])
def test_supervisor_and_spoc_homes_count_each_working_tab(client, worker, practitioner, camden, role):
    """Not one "awaiting a decision" that lumped new and asked-for referrals in with the
    acknowledged: the inbox they lead to splits them into tabs."""
    make_referral(worker)
    acknowledged = make_referral(worker)
    services.referral_acknowledge(referral=acknowledged, user=practitioner, consultation_timeline="Soon")
    asked = make_referral(worker)
    services.referral_request_information(referral=asked, user=practitioner, request="DOB of the children")
    make_referral(worker)
    client.force_login(UserFactory(role=role, borough=camden), backend="eip.people.backends.AccountBackend")
    page = " ".join(text(client.get(reverse("home"))).split())
    assert "2 to acknowledge, 1 awaiting a decision, 1 waiting for more information" in page


def test_the_acknowledge_page_says_when_the_acknowledgement_is_overdue(client, worker, practitioner):
    """It said "It is due by" a day already past, as if there were still time."""
    late = make_referral(worker, now=timezone.now() - timedelta(days=14))
    on_time = make_referral(worker)
    page = " ".join(text(client.get(reverse("referral-acknowledge", args=[late.pk]))).split())
    assert f"It was due by {late.acknowledgement_due:%A} {late.acknowledgement_due.day}" in page
    assert "the acknowledgement is overdue" in page
    page = " ".join(text(client.get(reverse("referral-acknowledge", args=[on_time.pk]))).split())
    assert f"It is due by {on_time.acknowledgement_due:%A} {on_time.acknowledgement_due.day}" in page
    assert "overdue" not in page
