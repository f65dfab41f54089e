from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone

from cases.views.shell import case_for_page, case_page_render
from eip import access
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.forms_util import error_summary

from . import charts, services
from .forms import AssessmentForm, initial_from, initial_from_draft
from .instruments import Instrument, Stage
from .models import Assessment
from .rules import record_action
from .selectors import change_over_time, draft_for, gaps_in, schedule_for_case


@access.policy("assessment.view")
def case_assessments(request, pk):
    case = case_for_page(request, pk, "assessment.view")
    change = change_over_time(case=case)
    return case_page_render(
        request,
        case,
        "assessments/case_assessments.html",
        "case-assessments",
        schedule=schedule_for_case(case=case),
        stages=Stage.choices,
        change=change,
        soag_chart=charts.soag_chart(change["soag"]),
        needs_chart=charts.needs_chart(change["needs"]),
        can_record=access.allowed(request.user, "assessment.record", case),
        can_record_dash=access.allowed(request.user, "assessment.record_dash", case),
    )


def _errors_beside_fields(form, errors):
    # The instrument's field names hold a hyphen ("sexual-rating"): not a form prefix.
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)


def _gaps_to_check(form) -> list[tuple[str, str]]:
    """The "don't know" answers not yet shown to the practitioner in this form's check step.
    Seen once (the same answers), they may be locked; any new one is shown again."""
    unknown = form.dont_know()
    seen = set(filter(None, form.cleaned_data.get("gaps_seen", "").split(",")))
    return unknown if {field for field, _ in unknown} - seen else []


def _draft_save(request, case, form, save_draft):
    """Save as draft: only malformed values are refused; the completeness rules wait."""
    if not form.is_valid():
        return None
    try:
        save_draft(form.service_arguments())
    except services.AssessmentIncomplete as incomplete:
        _errors_beside_fields(form, incomplete.errors)
    except services.AssessmentError as refused:
        form.add_error(None, str(refused))
    else:
        messages.success(
            request, "Draft saved. It is not locked or counted until you complete it. Only you can continue it."
        )
        return redirect("case-assessments", pk=case.pk)
    return None


def _form_page(
    request,
    case,
    form,
    heading,
    instrument,
    perform,
    success,
    current="case-assessments",
    save_draft=None,
    draft=None,
):
    check = []
    if request.method == "POST" and save_draft and "save_draft" in request.POST:
        if response := _draft_save(request, case, form, save_draft):
            return response
    elif request.method == "POST" and form.is_valid() and (check := _gaps_to_check(form)):
        # Before locking: say which answers are "don't know" (and which are missing), so the
        # practitioner can fix them first or lock knowingly.
        _errors_beside_fields(form, services.answers_missing(instrument=instrument, answers=form.answers()))
        form.data = form.data.copy()
        form.data["gaps_seen"] = ",".join(field for field, _ in check)
    elif request.method == "POST" and form.is_valid():
        try:
            assessment = perform(form.service_arguments())
        except services.AssessmentIncomplete as incomplete:
            _errors_beside_fields(form, incomplete.errors)
        except services.AssessmentError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, success)
            gaps = gaps_in(assessment)
            if gaps:
                messages.warning(
                    request, "Gap recorded: " + "; ".join(gaps) + ". Find out at the next session if you can."
                )
            return redirect("assessment-detail", pk=case.pk, assessment_pk=assessment.pk)
    return case_page_render(
        request,
        case,
        "assessments/assessment_form.html",
        current,
        form=form,
        heading=heading,
        instrument=instrument,
        errors=error_summary(form),
        check=check,
        can_draft=save_draft is not None and (draft is None or draft.started_by_id == request.user.pk),
        draft=draft,
    )


@access.policy("assessment.record_dash")  # the broadest role set; the instrument's own rule is asked below
def assessment_new(request, pk, instrument, stage):
    if instrument not in Instrument.values or stage not in Stage.values:
        raise Http404
    case = case_for_page(request, pk, record_action(instrument))
    draft = draft_for(case=case, instrument=instrument, stage=stage)
    if draft is not None and draft.started_by_id == request.user.pk:
        initial = initial_from_draft(draft)
    else:
        # An assessment is usually recorded the day it is done.
        initial = {"assessed_on": timezone.localdate()}
    form = AssessmentForm(request.POST or None, instrument=instrument, initial=initial)
    return _form_page(
        request,
        case,
        form,
        f"{Instrument(instrument).label}: {Stage(stage).label.lower()}",
        instrument,
        lambda args: services.assessment_complete(
            case=case, user=request.user, instrument=instrument, stage=stage, **args
        ),
        f"{Instrument(instrument).label} ({Stage(stage).label.lower()}) completed and locked.",
        save_draft=lambda args: services.assessment_draft_save(
            case=case, user=request.user, instrument=instrument, stage=stage, **args
        ),
        draft=draft,
    )


@access.policy("assessment.view")
def assessment_detail(request, pk, assessment_pk):
    case = case_for_page(request, pk, "assessment.view", audit=False)
    assessment = (
        Assessment.objects.filter(case=case, pk=assessment_pk)
        .select_related("completed_by", "supersedes")
        .prefetch_related("answers")
        .first()
    )
    if assessment is None:
        raise Http404
    audit_record(actor=request.user, action=AuditEvent.Action.VIEWED, record=assessment)
    versions = (
        Assessment.objects.filter(case=case, instrument=assessment.instrument, stage=assessment.stage)
        .select_related("completed_by")
        .order_by("-version")
    )
    return case_page_render(
        request,
        case,
        "assessments/assessment_detail.html",
        "case-assessments",
        assessment=assessment,
        versions=list(versions),
        gaps=gaps_in(assessment),
        can_correct=assessment.is_current
        and case.is_open
        and access.allowed(request.user, record_action(assessment.instrument), case),
    )


@access.policy("assessment.record_dash")
def assessment_correct(request, pk, assessment_pk):
    original = Assessment.objects.filter(case_id=pk, pk=assessment_pk).first()
    if original is None:
        raise Http404
    case = case_for_page(request, pk, record_action(original.instrument))
    form = AssessmentForm(
        request.POST or None, instrument=original.instrument, correcting=True, initial=initial_from(original)
    )
    return _form_page(
        request,
        case,
        form,
        f"Correct the {original.get_instrument_display()} ({original.get_stage_display().lower()})",
        original.instrument,
        lambda args: services.assessment_correct(
            assessment=original,
            user=request.user,
            reason=form.cleaned_data.get("correction_reason", ""),
            **args,
        ),
        "Correction saved as a new version. The original is kept.",
    )
