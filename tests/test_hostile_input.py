"""Property-based tests: malformed and hostile values thrown at the forms and the report
command. The app answers with clear errors or stores exactly what was typed, never breaks,
and escapes everything it shows."""

import html

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eip.people.models import Role, User
from referrals.models import Referral
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_referral

HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '" onmouseover="alert(1)',
            "'; DROP TABLE referrals_referral; --",
            "{{ settings.SECRET_KEY }}",
            "{% debug %}",
            "\x00",
            "\u202e\u0645",
            "../../etc/passwd",
            "A" * 5000,
            "-1",
            "1e309",
            "NaN",
            "2021-02-30",
            "٣",
            "\ud7ff",
        ]
    ),
)
# Derandomised: CI runs the same 40 hostile examples each time; failures it finds are pinned with @example.
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@pytest.fixture
def worker_client(db):
    camden = BoroughFactory(name="Camden", code="camden")
    client = Client()
    client.force_login(
        UserFactory(role=Role.SOCIAL_WORKER, borough=camden), backend="eip.people.backends.AccountBackend"
    )
    return client


@pytest.mark.django_db
@SETTINGS
@given(first_name=HOSTILE, dash_score=HOSTILE, day=HOSTILE, case_dynamic=HOSTILE, child_age=HOSTILE)
# Found by hypothesis on CI: a huge day overflowed inside date() instead of failing validation.
@example(first_name="", dash_score="", day="2200000000", case_dynamic="", child_age="")
def test_the_referral_form_never_breaks_and_escapes_what_it_shows(
    worker_client, first_name, dash_score, day, case_dynamic, child_age
):
    worker = User.objects.get(role=Role.SOCIAL_WORKER)
    draft = Referral.objects.filter(status="draft").first() or make_referral(worker, submit=False)
    pages = {
        "client": {
            "client_first_name": first_name,
            "client_date_of_birth_0": day,
            "client_date_of_birth_1": "5",
            "client_date_of_birth_2": "1987",
        },
        "risk": {"dash_score": dash_score},
        "request": {"case_dynamic": case_dynamic},
        "children": {
            "children-TOTAL_FORMS": "1",
            "children-INITIAL_FORMS": "0",
            "children-MIN_NUM_FORMS": "0",
            "children-MAX_NUM_FORMS": "12",
            "children-0-age": child_age,
            "children-0-plan": "cin",
        },
    }
    for step, data in pages.items():
        before = Referral.objects.values().get(pk=draft.pk)
        url = reverse("referral-step", args=[draft.pk, step])
        response = worker_client.post(url, {**data, "version": str(before["version"]), "action": "save"})
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            page = response.content.decode()
            assert "govuk-error-summary" in page
            assert "<script>alert(1)</script>" not in page and 'onmouseover="alert' not in page
            assert Referral.objects.values().get(pk=draft.pk) == before  # nothing half-stored
            continue
        raw = worker_client.get(response.url).content.decode()  # Check your answers shows it all
        assert "<script>alert(1)</script>" not in raw and 'onmouseover="alert' not in raw
        if step == "client":
            stored = Referral.objects.get(pk=draft.pk)
            assert stored.client_first_name == first_name.strip().replace("\x00", "") or "\x00" in first_name
            if first_name.strip() and "\x00" not in first_name:
                assert first_name.strip() in html.unescape(raw)


@SETTINGS
@given(date_from=HOSTILE, date_to=HOSTILE)
@pytest.mark.django_db
def test_the_report_command_explains_bad_dates(date_from, date_to):
    try:
        call_command("mopac_report", "--from", date_from, "--to", date_to, "--format", "json", "--output", "/dev/null")
    except CommandError as error:
        assert str(error)  # a sentence, not a traceback
