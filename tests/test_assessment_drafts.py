"""Drafts of the long assessment forms: saved half-way by their author, resumed, refused for
malformed values only, locked and validated only on completion, never counted until then."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, AssessmentDraft
from cases.models import Case
from eip.people.models import Role
from evaluation.report import month_period, soag
from tests.assessment_factories import dash
from tests.assessment_factories import soag as soag_answers
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Pat Practitioner"),
        "cover": UserFactory(role=Role.PRACTITIONER, full_name="Cora Cover"),
    }


@pytest.fixture
def case(people):
    case = make_case(people["worker"], people["practitioner"])
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=date(2026, 1, 12))
    return Case.objects.get(pk=case.pk)


def checked(page) -> dict[str, str]:
    """The radio answers a page shows as chosen."""
    return dict(re.findall(r'name="([^"]+)"[^>]*?value="([^"]*)"\s*checked="checked"', page))


def date_boxes(page, name) -> list[str]:
    return [re.search(rf'name="{name}_{i}"[^>]*?value="([^"]*)"', page, re.S).group(1) for i in range(3)]


def half_dash():
    return {code: answer for code, answer in dash(yes=6).items() if int(code.split("-")[1]) <= 12}


def test_a_half_done_dash_is_saved_as_a_draft_and_resumed_by_its_author(case, people, client_for):
    draft = services.assessment_draft_save(
        case=case, user=people["practitioner"], instrument="dash", stage="intake", answers=half_dash()
    )
    assert draft.content["answers"]["dash-3"] == {"rating": "yes", "source": "victim"}
    assert not Assessment.objects.filter(case=case).exists()

    client = client_for(people["practitioner"])
    schedule = client.get(reverse("case-assessments", args=[case.pk])).content.decode()
    assert 'data-testid="draft"' in schedule and "Continue draft" in schedule
    form = client.get(reverse("assessment-new", args=[case.pk, "dash", "intake"])).content.decode()
    assert checked(form)["dash-3-rating"] == "yes" and len(checked(form)) == 12
    assert "You are continuing your draft" in form

    # Saving again through the form replaces the draft's content; nothing is locked.
    data = {"assessed_on_0": "", "assessed_on_1": "", "assessed_on_2": "", "save_draft": "1"}
    data.update({f"{code}-rating": a["rating"] for code, a in dash(yes=6).items()})
    response = client.post(reverse("assessment-new", args=[case.pk, "dash", "intake"]), data)
    assert response.status_code == 302
    assert AssessmentDraft.objects.get(pk=draft.pk).content["answers"]["dash-24"] == {"rating": "no"}
    assert not Assessment.objects.filter(case=case).exists()


def test_only_the_author_continues_a_draft_and_others_on_the_case_see_it_exists(case, people, client_for):
    services.assessment_draft_save(
        case=case, user=people["practitioner"], instrument="dash", stage="intake", answers=half_dash()
    )
    with pytest.raises(services.AssessmentError, match="Pat Practitioner started a draft"):
        services.assessment_draft_save(
            case=case, user=people["cover"], instrument="dash", stage="intake", answers=dash(yes=2)
        )
    # Covering: the case is theirs now.
    Case.objects.filter(pk=case.pk).update(practitioner=people["cover"])
    client = client_for(people["cover"])
    schedule = client.get(reverse("case-assessments", args=[case.pk])).content.decode()
    assert "started by Pat Practitioner" in schedule and "Continue draft" not in schedule
    form = client.get(reverse("assessment-new", args=[case.pk, "dash", "intake"])).content.decode()
    assert "Draft, started by Pat Practitioner" in form and "Save as draft" not in form
    assert checked(form) == {}  # the author's answers stay theirs


def test_a_draft_refuses_malformed_values_beside_the_field_but_not_missing_ones(case, people, client_for):
    with pytest.raises(services.AssessmentIncomplete) as refused:
        services.assessment_draft_save(
            case=case,
            user=people["practitioner"],
            instrument="needs",
            stage="intake",
            answers={"housing": {"user_score": 11}},
        )
    assert set(refused.value.errors) == {"housing-user_score"}
    client = client_for(people["practitioner"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("assessment-new", args=[case.pk, "soag", "intake"]),
        {
            "assessed_on_0": tomorrow.day,
            "assessed_on_1": tomorrow.month,
            "assessed_on_2": tomorrow.year,
            "physical-rating": "high",
            "save_draft": "1",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The date of the assessment must be today or in the past" in page
    assert checked(page) == {"physical-rating": "high"}  # nothing typed is lost
    assert not AssessmentDraft.objects.exists()


def test_completing_validates_locks_and_replaces_the_draft_and_only_then_the_report_counts_it(case, people):
    period = month_period(2026, 1)
    before = soag(period)
    partial = soag_answers(physical="high")
    del partial["sexual"]
    services.assessment_draft_save(
        case=case,
        user=people["practitioner"],
        instrument="soag",
        stage="intake",
        answers=partial,
        assessed_on=date(2026, 1, 14),
    )
    assert soag(period) == before  # a draft is never counted
    with pytest.raises(services.AssessmentIncomplete) as incomplete:
        services.assessment_complete(
            case=case,
            user=people["practitioner"],
            instrument="soag",
            stage="intake",
            assessed_on=date(2026, 1, 14),
            answers=partial,
        )
    assert "sexual-rating" in incomplete.value.errors
    assert AssessmentDraft.objects.filter(case=case).exists()  # the failed lock keeps the draft

    services.assessment_complete(
        case=case,
        user=people["practitioner"],
        instrument="soag",
        stage="intake",
        assessed_on=date(2026, 1, 14),
        answers=soag_answers(physical="high"),
    )
    assert not AssessmentDraft.objects.filter(case=case).exists()
    assert soag(period) != before
    with pytest.raises(services.AssessmentError, match="already been completed"):
        services.assessment_draft_save(
            case=case, user=people["practitioner"], instrument="soag", stage="intake", answers=partial
        )


def test_a_new_assessment_starts_dated_today_and_a_resumed_draft_keeps_its_date(case, people, client_for):
    client = client_for(people["practitioner"])
    today = timezone.localdate()
    page = client.get(reverse("assessment-new", args=[case.pk, "soag", "intake"])).content.decode()
    assert date_boxes(page, "assessed_on") == [str(today.day), str(today.month), str(today.year)]
    services.assessment_draft_save(
        case=case,
        user=people["practitioner"],
        instrument="soag",
        stage="intake",
        answers={},
        assessed_on=date(2026, 1, 14),
    )
    page = client.get(reverse("assessment-new", args=[case.pk, "soag", "intake"])).content.decode()
    assert date_boxes(page, "assessed_on") == ["14", "1", "2026"]


@pytest.mark.parametrize(
    "form_path, field",
    [
        ("cases.forms.SessionForm", "held_on"),
        ("cases.forms.MeetingForm", "held_on"),
        ("cases.forms.PartnerContactForm", "contacted_on"),
        ("cases.forms.RiskActionDoneForm", "done_on"),
        ("case_notes.forms.CaseNoteForm", "contact_day"),
        ("accommodation.forms.EndForm", "ended_on"),
    ],
)
def test_the_date_of_something_that_just_happened_starts_at_today(form_path, field):
    from django.utils.module_loading import import_string

    form_class = import_string(form_path)
    assert form_class.base_fields[field].initial() == timezone.localdate()
