"""Finding 5 of the security probe: nothing the app answers may be kept in a browser or proxy
cache — case pages, partner details, PDFs, calendar files and exports included."""

import pytest
from django.urls import reverse

from eip.people.models import Role

# The URL x role table's records and addresses, so this walk covers what that table covers.
from tests.test_access import DENIED, EXPECTED, NOT_FOUND, OK, REDIRECT, _url_for, walk  # noqa: F401

pytestmark = pytest.mark.django_db

REPORT = "?date_from_0=1&date_from_1=1&date_from_2=2026&date_to_0=31&date_to_1=1&date_to_2=2026"

# (url name, who asks, query string, the content type that proves the real thing was served)
REPRESENTATIVE = [
    ("case-detail", Role.PRACTITIONER, "", "text/html"),
    ("case-partner", Role.SOCIAL_WORKER, "", "text/html"),
    ("referral-detail", Role.BOROUGH_SPOC, "", "text/html"),
    ("assessment-detail", Role.PRACTITIONER, "", "text/html"),
    ("audit-log", Role.SUPERVISOR, "", "text/html"),
    ("housing-request", Role.HOUSING_SPOC, "", "text/html"),
    ("finance-placement", Role.FINANCE, "", "text/html"),
    ("agreement-pdf", Role.HOUSING_SPOC, "", "application/pdf"),
    ("sar-download", Role.SUPERVISOR, "", "application/pdf"),
    ("risk-pack-marac", Role.PRACTITIONER, "", "application/pdf"),
    ("consultation-invitation", Role.SOCIAL_WORKER, "", "text/calendar"),
    ("appointment-invitation", Role.SOCIAL_WORKER, "", "text/calendar"),
    ("diary", Role.SUPERVISOR, "", "text/html"),
    ("monitoring-report", Role.PROGRAMME_MANAGER, REPORT, "text/html"),
    ("monitoring-report", Role.PROGRAMME_MANAGER, REPORT + "&format=csv", "text/csv"),
    ("monitoring-report", Role.PROGRAMME_MANAGER, REPORT + "&format=json", "application/json"),
    ("monitoring-report", Role.SUPERVISOR, REPORT + "&format=pdf", "application/pdf"),
    ("evaluation-export-referrals", Role.EVALUATOR, "", "text/csv"),
    ("evaluation-export-assessments", Role.EVALUATOR, "", "text/csv"),
    ("evaluation-export-events", Role.EVALUATOR, "", "text/csv"),
    ("evaluation-export-case-weeks", Role.EVALUATOR, "", "text/csv"),
    ("evaluation-export-partner-outcomes", Role.EVALUATOR, "", "text/csv"),
]


@pytest.mark.probe(5)
@pytest.mark.parametrize(("name", "role", "query", "content_type"), REPRESENTATIVE)
def test_case_data_pages_files_and_exports_are_never_cached(name, role, query, content_type, walk, client):  # noqa: F811
    users, records = walk
    client.force_login(users[role], backend="eip.people.backends.AccountBackend")
    response = client.get(_url_for(name, users[role], None, records) + query)
    assert response.status_code == OK and response["Content-Type"].startswith(content_type)
    assert response["Cache-Control"] == "no-store"
    if response.streaming:
        b"".join(response.streaming_content)


@pytest.mark.probe(5)
def test_every_url_answers_no_store_whoever_asks(walk, client):  # noqa: F811
    """Each URL of the URL x role table, asked by a role it serves, a role it refuses and
    someone signed out: every answer (page, redirect, refusal) says no-store."""
    users, records = walk
    for name, (method, by_role, _) in sorted(EXPECTED.items()):
        served = [role for role in Role if by_role[role] in (OK, REDIRECT)]
        refused = [role for role in Role if by_role[role] in (DENIED, NOT_FOUND)]
        for role in [*served[:1], *refused[:1], None]:
            if role is None:
                client.logout()
            else:
                client.force_login(users[role], backend="eip.people.backends.AccountBackend")
            url = _url_for(name, users.get(role), users[Role.PRACTITIONER], records)
            response = getattr(client, method.lower())(url)
            if response.streaming:
                b"".join(response.streaming_content)
            assert response.get("Cache-Control") == "no-store", (name, role, response.status_code)


def test_error_pages_and_the_admin_site_are_not_cached_either(users, client):
    client.force_login(users[Role.PRACTITIONER], backend="eip.people.backends.AccountBackend")
    assert client.get("/cases/999999/")["Cache-Control"] == "no-store"
    client.force_login(users[Role.ADMINISTRATOR], backend="eip.people.backends.AccountBackend")
    assert client.get("/admin/people/user/")["Cache-Control"] == "no-store"


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/dist/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_sign_in_page_is_not_cached(client):
    assert client.get(reverse("login"))["Cache-Control"] == "no-store"
