"""The case's data-quality tab: what the monthly report and the evaluation will miss for the case,
each gap linked to where it is put right; and the two records the report counts that only this
page takes (why a suitable case has not started; an assessed accommodation need), recorded through
the same services the historical importer calls."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from assessments.services import assessment_complete
from cases import services as case_services
from cases.models import Case
from eip.people.models import Role
from evaluation import services
from evaluation.models import AccommodationNeed, AwaitingStart
from evaluation.quality import case_data_gaps
from evaluation.report import Period, monitoring_report
from tests.assessment_factories import soag
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(camden):
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER)
    return practitioner, make_case(worker, practitioner)


def _date(prefix, day):
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def _this_month():
    today = timezone.localdate()
    return Period(today.replace(day=1), today), today


def test_the_practitioner_records_why_a_case_has_not_started_and_the_report_counts_it(world, client_for):
    practitioner, case = world
    period, today = _this_month()
    url = reverse("case-data-quality", args=[case.pk])
    before = monitoring_report(period=period)["suitable_not_started"]
    assert before["not_recorded"] == 1 and before["being_contacted"] == 0
    page = client_for(practitioner).get(url).content.decode()
    assert "Why the intervention has not started is not recorded" in page and 'href="#awaiting-start"' not in page
    assert f"{url}#awaiting-start" in page

    response = client_for(practitioner).post(
        url, {"form": "waiting", "waiting-state": "being_contacted", **_date("waiting-recorded_on", today)}
    )
    assert response.status_code == 302
    assert AwaitingStart.objects.get().state == "being_contacted"
    after = monitoring_report(period=period)["suitable_not_started"]
    assert after["not_recorded"] == 0 and after["being_contacted"] == 1
    page = client_for(practitioner).get(url).content.decode()
    assert "Why the intervention has not started is not recorded" not in page
    assert f"Being contacted to start from {today:%-d %B %Y}" in page
    assert "Not started yet: being contacted to start" in case.events.latest("pk").summary


def test_a_missing_answer_is_named_beside_its_field_and_what_was_typed_stays(world, client_for):
    practitioner, case = world
    url = reverse("case-data-quality", args=[case.pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = client_for(practitioner).post(url, {"form": "waiting", **_date("waiting-recorded_on", tomorrow)})
    body = page.content.decode()
    assert page.status_code == 200 and not AwaitingStart.objects.exists()
    assert "govuk-error-summary" in body and "Select why the intervention has not started" in body
    assert f'value="{tomorrow.day}"' in body  # the date typed is still there
    page = client_for(practitioner).post(
        url, {"form": "need", "need-outcome": "not_needed", **_date("need-outcome_on", date(2021, 1, 5))}
    )
    body = page.content.decode()
    assert "Enter the date assessed as needing accommodation" in body and not AccommodationNeed.objects.exists()
    assert re.search(r'value="not_needed"\s+checked', body)
    # The service's own rule, beside its field: the outcome cannot come before the assessment.
    page = client_for(practitioner).post(
        url,
        {
            "form": "need",
            "need-outcome": "found_other",
            **_date("need-assessed_on", date(2021, 2, 1)),
            **_date("need-outcome_on", date(2021, 1, 5)),
        },
    )
    assert "The date of the outcome must be the same as or after the date assessed" in page.content.decode()
    assert not AccommodationNeed.objects.exists()


def test_an_accommodation_need_and_its_outcome_reach_the_report(world, client_for):
    practitioner, case = world
    period, today = _this_month()
    url = reverse("case-data-quality", args=[case.pk])
    client_for(practitioner).post(
        url, {"form": "need", "need-outcome": "in_process", **_date("need-assessed_on", today)}
    )
    need = AccommodationNeed.objects.get()
    assert monitoring_report(period=period)["accommodation_needs"]["in_process"] == 1
    # Found a private let with support: recorded on the need, counted as found other accommodation.
    response = client_for(practitioner).post(
        url, {"form": f"outcome-{need.pk}", f"need-{need.pk}-outcome": "found_other"}
    )
    assert "Enter the date of the outcome" in response.content.decode()
    prefix = f"need-{need.pk}"
    client_for(practitioner).post(
        url, {"form": f"outcome-{need.pk}", f"{prefix}-outcome": "found_other", **_date(f"{prefix}-outcome_on", today)}
    )
    need.refresh_from_db()
    assert (need.outcome, need.outcome_on) == ("found_other", today)
    figures = monitoring_report(period=period)
    assert figures["accommodation_needs"]["found_other_accommodation"] == 1
    assert figures["monitoring"]["assessed_as_requiring_accommodation"] == 1


def test_the_supervisor_reads_the_gaps_and_cannot_record(world, client_for):
    _, case = world
    supervisor = UserFactory(role=Role.SUPERVISOR)
    url = reverse("case-data-quality", args=[case.pk])
    page = client_for(supervisor).get(url).content.decode()
    assert "What the reports will miss for this case" in page and 'value="waiting"' not in page
    today = timezone.localdate()
    posted = client_for(supervisor).post(
        url, {"form": "waiting", "waiting-state": "refused", **_date("waiting-recorded_on", today)}
    )
    assert posted.status_code == 403 and not AwaitingStart.objects.exists()


def test_the_panel_names_each_gap_with_where_to_fix_it(world):
    practitioner, case = world
    case.referral.client_ethnicity = "not_known"
    case.referral.save()
    Case.objects.filter(pk=case.pk).update(stage="intervention", intervention_started_on=date(2021, 1, 4))
    case.refresh_from_db()
    intake = assessment_complete(
        case=case, user=practitioner, instrument="soag", stage="intake", assessed_on=date(2021, 1, 5),
        answers=soag(sexual="dont_know"),
    )  # fmt: skip
    case_services.onward_referral_record(case=case, user=practitioner, service="dvpp", made_on=date(2021, 1, 6))
    gaps = {gap.what: gap for gap in case_data_gaps(case=case, user=practitioner)}
    assert gaps["Ethnicity not known"].href == reverse("referral-detail", args=[case.referral_id])
    assert "Severity of Abuse Grid: intake not done" not in gaps
    assert gaps["Needs Analysis Matrix: intake not done"].href == reverse(
        "assessment-new", args=[case.pk, "needs", "intake"]
    )
    dont_know = gaps["Severity of Abuse Grid (intake): ‘don't know’ for Sexual abuse"]
    assert dont_know.href == reverse("assessment-detail", args=[case.pk, intake.pk])
    onward = gaps[
        "Onward referral to Domestic violence perpetrator programme (DVPP) (6 January 2021): outcome not recorded"
    ]
    assert onward.href == reverse("case-onward", args=[case.pk])
    # Started, so "why not started" is no longer asked.
    assert not any("has not started" in what for what in gaps)


def test_a_missing_assessment_sends_each_reader_where_they_may_go(world, client_for):
    """Supervisors read, practitioners do the work: the supervisor is sent to the case's
    assessments, not to a form that refuses them."""
    practitioner, case = world
    supervisor = UserFactory(role=Role.SUPERVISOR)
    Case.objects.filter(pk=case.pk).update(stage="intervention", intervention_started_on=date(2021, 1, 4))
    url = reverse("case-data-quality", args=[case.pk])
    start = reverse("assessment-new", args=[case.pk, "needs", "intake"])
    assert f'href="{start}"' in client_for(practitioner).get(url).content.decode()
    page = client_for(supervisor).get(url).content.decode()
    assert "Needs Analysis Matrix: intake not done" in page
    assert "/new/" not in page and client_for(supervisor).get(start).status_code == 403
    assert f'href="{reverse("case-assessments", args=[case.pk])}">Go to assessments' in page


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_makes_the_same_number_of_queries_for_one_gap_or_many(world, client_for):
    practitioner, case = world
    client = client_for(practitioner)
    url = reverse("case-data-quality", args=[case.pk])
    _page_queries(client, url)  # warm the session and the DASH questions' cache, if any
    few = _page_queries(client, url)
    Case.objects.filter(pk=case.pk).update(stage="intervention", intervention_started_on=date(2021, 1, 4))
    case.refresh_from_db()
    for day, stage in ((5, "intake"), (6, "mid")):
        assessment_complete(
            case=case, user=practitioner, instrument="soag", stage=stage, assessed_on=date(2021, 1, day),
            answers=soag(sexual="dont_know", physical="dont_know"),
        )  # fmt: skip
        case_services.onward_referral_record(case=case, user=practitioner, service="dvpp", made_on=date(2021, 1, day))
        services.accommodation_need_record(case=case, user=practitioner, assessed_on=date(2021, 1, day))
    services.awaiting_start_record(case=case, user=practitioner, state="refused", recorded_on=date(2021, 1, 2))
    many = _page_queries(client, url)
    assert len(case_data_gaps(case=case, user=practitioner)) >= 8
    assert many == few


def test_the_services_refuse_what_the_report_could_not_count(world):
    practitioner, case = world
    Case.objects.filter(pk=case.pk).update(intervention_started_on=date(2021, 1, 4))
    with pytest.raises(services.EvaluationRecordError, match="The intervention started on 4 January 2021"):
        services.awaiting_start_record(case=case, user=practitioner, state="due_to_start", recorded_on=date(2021, 1, 5))
    with pytest.raises(services.EvaluationRecordIncomplete) as incomplete:
        services.accommodation_need_record(
            case=case,
            user=practitioner,
            assessed_on=date(2021, 1, 5),
            outcome="in_process",
            outcome_on=date(2021, 1, 6),
        )
    assert incomplete.value.errors == {
        "outcome_on": "Leave the date of the outcome empty while the client is still being placed"
    }


def test_before_locking_the_form_names_each_dont_know_and_missing_answer(world, client_for):
    practitioner, case = world
    Case.objects.filter(pk=case.pk).update(stage="intervention", intervention_started_on=date(2021, 1, 4))
    client = client_for(practitioner)
    url = reverse("assessment-new", args=[case.pk, "soag", "intake"])
    form = {
        **_date("assessed_on", date(2021, 1, 5)),
        "physical-rating": "high",
        "sexual-rating": "dont_know",
        "jcc-rating": "dont_know",
    }
    page = client.post(url, form).content.decode()
    assert not Assessment.objects.exists()
    check = page[page.index('data-testid="check-before-locking"') :]
    assert "2 answers ‘Don't know’" in check
    assert 'href="#id_sexual-rating_1">Sexual abuse</a>' in check and 'id="id_sexual-rating_1"' in page
    # The missing answer is named in the error summary, linked to its field, and beside it.
    assert '<a href="#id_harassment-rating_1">Select a severity for harassment and stalking</a>' in page
    assert 'id="id_harassment-rating_1_error"' in page
    assert 'name="gaps_seen" value="id_sexual-rating_1,id_jcc-rating_1"' in page
    # Answered now, and one "don't know" found out: the check has been seen for the rest, so it locks.
    form |= {"harassment-rating": "none", "jcc-rating": "high", "gaps_seen": "id_sexual-rating_1,id_jcc-rating_1"}
    assert client.post(url, form).status_code == 302
    assert Assessment.objects.get().answers.get(item="sexual").rating == "dont_know"


def test_a_new_dont_know_after_the_check_is_shown_again(world, client_for):
    practitioner, case = world
    Case.objects.filter(pk=case.pk).update(stage="intervention", intervention_started_on=date(2021, 1, 4))
    url = reverse("assessment-new", args=[case.pk, "soag", "intake"])
    ratings = {f"{code}-rating": "none" for code in ("physical", "sexual", "harassment", "jcc")}
    form = {**_date("assessed_on", date(2021, 1, 5)), **ratings, "sexual-rating": "dont_know"}
    page = client_for(practitioner).post(
        url, form | {"physical-rating": "dont_know", "gaps_seen": "id_sexual-rating_1"}
    )
    assert page.status_code == 200 and "Physical abuse</a>" in page.content.decode()
    # Nothing unknown: no check step at all.
    assert client_for(practitioner).post(url, form | {"sexual-rating": "none"}).status_code == 302


def test_a_need_left_in_process_on_a_closed_case_is_settled_after_closure(world, client_for):
    practitioner, case = world
    need = services.accommodation_need_record(case=case, user=practitioner, assessed_on=date(2021, 1, 5))
    Case.objects.filter(pk=case.pk).update(
        stage="closed", closure_reason="did_not_engage", closed_at=timezone.now(), intervention_started_on=None
    )
    url = reverse("case-data-quality", args=[case.pk])
    page = client_for(practitioner).get(url).content.decode()
    assert "Outcome of the accommodation need not recorded" in page and f'value="outcome-{need.pk}"' in page
    prefix = f"need-{need.pk}"
    settled = {f"{prefix}-outcome": "not_needed", **_date(f"{prefix}-outcome_on", date(2021, 2, 1))}
    client_for(practitioner).post(url, {"form": f"outcome-{need.pk}", **settled})
    need.refresh_from_db()
    assert need.outcome == "not_needed"
    assert "Outcome of the accommodation need not recorded" not in client_for(practitioner).get(url).content.decode()
