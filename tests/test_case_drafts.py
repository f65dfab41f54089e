"""Drafts of the plan and the closure: saved half-way by their author and resumed, seen by
others only as "Draft saved by ...", refused for values that could never be right and not
for missing ones, removed when the form is completed, deleted under retention and given
(the closure's) in a subject access export."""

import html
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import AssessmentDraft
from cases import services
from cases.models import Case, CaseDraft
from cases.retention import case_anonymise
from data_protection.selectors import subject_access_export
from eip.audit.models import AuditEvent
from eip.people.models import Role
from tests.assessment_factories import dash
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db

PLAN_FORM = {"form": "plan", "actions-TOTAL_FORMS": "2", "actions-INITIAL_FORMS": "0", "version": "0"}
CLOSE_FORM = {"reason": "", "exit_summary": "", "onward_plan": "", "no_exit_assessment_reason": ""}


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor"),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Pat Practitioner"),
        "cover": UserFactory(role=Role.PRACTITIONER, full_name="Cora Cover"),
        "spoc": UserFactory(role=Role.BOROUGH_SPOC, borough=camden),
    }


@pytest.fixture
def case(people):
    return make_case(people["worker"], people["practitioner"])


def page(client, name, case):
    return html.unescape(client.get(reverse(name, args=[case.pk])).content.decode())


def test_a_half_written_plan_is_saved_as_a_draft_and_resumed_by_its_author(case, people, client_for):
    client = client_for(people["practitioner"])
    response = client.post(
        reverse("case-plan", args=[case.pk]),
        {
            **PLAN_FORM,
            "risks": "",  # required to complete, not to save a draft
            "safety_planning": "Partner has a code word",
            "actions-0-action": "Refer to the IDVA",
            "actions-0-due_0": "9",
            "actions-0-due_1": "1",
            "actions-0-due_2": "2026",
            "save_draft": "1",
        },
    )
    assert response.status_code == 302
    draft = CaseDraft.objects.get(case=case, form="plan")
    assert draft.started_by == people["practitioner"]
    assert draft.content["actions"] == [{"action": "Refer to the IDVA", "owner": "", "due": "2026-01-09"}]
    assert not case.risk_plans.exists()
    assert AuditEvent.objects.filter(record_type="cases.casedraft", record_id=str(draft.pk), action="changed").exists()

    resumed = page(client, "case-plan", case)
    assert "You are continuing your draft of the plan" in resumed
    assert "Partner has a code word" in resumed and 'value="Refer to the IDVA"' in resumed
    assert 'name="actions-0-due_0" value="9"' in resumed.replace("  ", " ")
    assert "Save as draft" in resumed

    # Completing validates, writes version 1 and removes the draft.
    incomplete = client.post(
        reverse("case-plan", args=[case.pk]), {**PLAN_FORM, "safety_planning": "Partner has a code word"}
    )
    assert "Describe the risks" in incomplete.content.decode()
    assert CaseDraft.objects.filter(pk=draft.pk).exists()  # a refused completion keeps the draft
    done = client.post(reverse("case-plan", args=[case.pk]), {**PLAN_FORM, "risks": "Escalating arguments"})
    assert done.status_code == 302
    assert case.risk_plans.get().risks == "Escalating arguments"
    assert not CaseDraft.objects.filter(case=case).exists()


def test_only_the_author_continues_a_draft_and_others_see_only_that_it_exists(case, people, client_for):
    services.plan_draft_save(case=case, user=people["practitioner"], risks="DraftRiskCanary", based_on_version=0)
    services.closure_draft_save(case=case, user=people["practitioner"], exit_summary="DraftSummaryCanary")
    with pytest.raises(services.CaseError, match="Pat Practitioner started a draft"):
        services.plan_draft_save(case=case, user=people["cover"], risks="Mine")
    with pytest.raises(services.CaseError, match="Pat Practitioner started a draft"):
        services.closure_draft_save(case=case, user=people["cover"], exit_summary="Mine")

    Case.objects.filter(pk=case.pk).update(practitioner=people["cover"])  # covering: the case is theirs now
    client = client_for(people["cover"])
    for name in ("case-plan", "case-close"):
        shown = page(client, name, case)
        assert "saved by Pat Practitioner on" in shown and "Only they can continue it" in shown
        assert "Canary" not in shown and "Save as draft" not in shown
    hand_made = client.post(reverse("case-close", args=[case.pk]), {**CLOSE_FORM, "save_draft": "1", "version": "0"})
    assert "only they can continue it" in html.unescape(hand_made.content.decode())
    assert CaseDraft.objects.get(case=case, form="closure").content["exit_summary"] == "DraftSummaryCanary"

    # A borough SPOC reading the plan learns a draft exists, never what it says.
    spoc_page = page(client_for(people["spoc"]), "case-plan", case)
    assert "Draft of the plan saved by Pat Practitioner" in spoc_page and "Canary" not in spoc_page

    # The covering practitioner completes the plan: the author's draft is replaced.
    services.risk_plan_revise(case=case, user=people["cover"], risks="Cover's plan")
    assert not CaseDraft.objects.filter(case=case, form="plan").exists()


def test_a_draft_refuses_values_that_could_never_be_right_beside_the_field_and_keeps_the_rest(case, people, client_for):
    client = client_for(people["practitioner"])
    refused = client.post(
        reverse("case-plan", args=[case.pk]),
        {**PLAN_FORM, "risks": "Typed so far", "change_note": "x" * 301, "save_draft": "1"},
    )
    shown = html.unescape(refused.content.decode())
    assert refused.status_code == 200
    assert "Say what changed in 300 characters or fewer" in shown and 'href="#id_change_note"' in shown
    assert "Typed so far" in shown
    assert not CaseDraft.objects.exists()

    refused = client.post(
        reverse("case-close", args=[case.pk]),
        {**CLOSE_FORM, "reason": "moved_to_mars", "exit_summary": "Half a summary", "save_draft": "1", "version": "0"},
    )
    shown = html.unescape(refused.content.decode())
    assert "Select a valid choice" in shown and "Half a summary" in shown
    with pytest.raises(services.CaseIncomplete) as incomplete:
        services.closure_draft_save(case=case, user=people["practitioner"], reason="moved_to_mars")
    assert set(incomplete.value.errors) == {"reason"}
    assert not CaseDraft.objects.exists()

    # Missing fields are fine in a draft: only a reason chosen.
    saved = client.post(
        reverse("case-close", args=[case.pk]),
        {**CLOSE_FORM, "reason": "dropped_out", "save_draft": "1", "version": "0"},
    )
    assert saved.status_code == 302
    assert CaseDraft.objects.get(case=case, form="closure").content["reason"] == "dropped_out"
    assert Case.objects.get(pk=case.pk).is_open


def test_completing_the_closure_removes_the_drafts_and_a_refused_closure_keeps_them(case, people, client_for):
    p = people["practitioner"]
    services.plan_draft_save(case=case, user=p, risks="Half a plan", based_on_version=0)
    services.closure_draft_save(case=case, user=p, reason="dropped_out", exit_summary="Stopped coming")
    client = client_for(p)
    resumed = page(client, "case-close", case)
    assert "You are continuing your draft of the closure" in resumed and "Stopped coming" in resumed
    version = str(Case.objects.get(pk=case.pk).version)
    refused = client.post(
        reverse("case-close", args=[case.pk]),
        {**CLOSE_FORM, "reason": "dropped_out", "exit_summary": "Stopped coming", "version": version},
    )
    assert "Write the onward plan" in refused.content.decode()
    assert CaseDraft.objects.filter(case=case).count() == 2
    closed = client.post(
        reverse("case-close", args=[case.pk]),
        {
            **CLOSE_FORM,
            "reason": "dropped_out",
            "exit_summary": "Stopped coming",
            "onward_plan": "None",
            "no_exit_assessment_reason": "Not contactable",
            "version": version,
        },
    )
    assert closed.status_code == 302
    assert not Case.objects.get(pk=case.pk).is_open
    assert not CaseDraft.objects.filter(case=case).exists()
    with pytest.raises(services.CaseError, match="already closed"):
        services.closure_draft_save(case=case, user=p, exit_summary="Late")


def test_a_resumed_plan_draft_says_when_a_newer_plan_was_saved_since(case, people, client_for):
    services.risk_plan_revise(case=case, user=people["cover"], risks="Version one")
    services.plan_draft_save(case=case, user=people["practitioner"], risks="My revision", based_on_version=1)
    services.risk_plan_revise(case=case, user=people["cover"], risks="Version two", change_note="New incident")
    # Cover's revision removed the draft: a draft is of the next version, and there is a new one.
    assert not CaseDraft.objects.exists()

    services.plan_draft_save(case=case, user=people["practitioner"], risks="My revision", based_on_version=1)
    shown = page(client_for(people["practitioner"]), "case-plan", case)
    assert "Version 2 of the plan was saved after you started this draft" in shown
    assert "My revision" in shown and '<input type="hidden" name="version" value="2"' in shown


def test_retention_deletes_every_draft_with_the_case(case, people):
    p = people["practitioner"]
    services.plan_draft_save(case=case, user=p, safety_planning="Refuge near DraftCanary")
    services.closure_draft_save(case=case, user=p, exit_summary="DraftCanary")
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=date(2026, 1, 12))
    assessment_services.assessment_draft_save(
        case=case, user=p, instrument="dash", stage="intake", answers={**dash(yes=2)}, notes="DraftCanary"
    )
    Case.objects.filter(pk=case.pk).update(
        stage=Case.Stage.DISENGAGED, closure_reason="dropped_out", closed_at=timezone.now()
    )
    case_anonymise(case=Case.objects.get(pk=case.pk))
    assert not CaseDraft.objects.exists() and not AssessmentDraft.objects.exists()


def test_a_subject_access_export_gives_the_closure_draft_and_withholds_the_plan_draft(case, people):
    p = people["practitioner"]
    services.plan_draft_save(case=case, user=p, risks="PlanDraftCanary")
    services.closure_draft_save(case=case, user=p, reason="dropped_out", exit_summary="Stopped coming in March")
    export = subject_access_export(case=Case.objects.get(pk=case.pk))
    closure = dict(export["closure"])
    assert closure["Draft"].startswith("Not final")
    assert closure["Reason"] == "Client dropped out" or closure["Reason"] == Case.ClosureReason("dropped_out").label
    assert closure["Exit summary"] == "Stopped coming in March"
    assert "PlanDraftCanary" not in str(export)


@pytest.mark.parametrize("name", ["case-plan", "case-close"])
def test_the_plan_and_closure_pages_make_the_same_number_of_queries_with_drafts_and_more_plans(
    name, case, people, client_for
):
    supervisor = UserFactory(role=Role.SUPERVISOR)

    def queries(user):
        client = client_for(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name, args=[case.pk])).status_code == 200
        return len(captured)

    services.risk_plan_revise(case=case, user=people["practitioner"], risks="Version one")
    few = {who: queries(who) for who in (people["practitioner"], supervisor)}
    for number in range(2, 8):
        services.risk_plan_revise(case=case, user=supervisor, risks=f"Version {number}", change_note="More")
    services.plan_draft_save(case=case, user=people["practitioner"], risks="Draft", based_on_version=3)
    services.closure_draft_save(case=case, user=people["practitioner"], exit_summary="Draft")
    # The author's page resumes the drafts; the supervisor's shows someone else's: notices only.
    assert {who: queries(who) for who in few} == few


def test_a_subject_access_export_gives_a_needs_draft_marked_as_such_and_withholds_a_dash_draft(case, people):
    p = people["practitioner"]
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=date(2026, 1, 12))
    assessment_services.assessment_draft_save(
        case=case, user=p, instrument="needs", stage="intake", answers={"housing": {"user_score": 3}}
    )
    assessment_services.assessment_draft_save(
        case=case, user=p, instrument="dash", stage="intake", answers=dash(yes=2), notes="DashDraftCanary"
    )
    export = subject_access_export(case=Case.objects.get(pk=case.pk))
    (draft,) = export["assessments"]
    assert "Needs" in draft["instrument"]
    assert draft["stage"].endswith("(draft, not final)") and draft["summary"].startswith("Being completed")
    assert draft["scores"] == [("Housing", "you 3, practitioner — (0 to 10)")]
    assert "DashDraftCanary" not in str(export)
