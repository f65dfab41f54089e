"""Reassigning one case, or part or all of a practitioner's caseload (supervisors)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from eip import access
from eip.audit.services import audit_list_viewed
from eip.forms_util import error_summary, submit

from .. import forms, services
from ..models import Case
from .shell import case_for_page, case_page_render


@access.policy("case.reassign")
def case_reassign(request, pk):
    case = case_for_page(request, pk, "case.reassign")
    form = forms.CaseReassignForm(request.POST or None, but=case.practitioner)
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.case_reassign(
            case=case, to_practitioner=d["to_practitioner"], user=request.user, reason=d["reason"]
        ),
        "The case has been reassigned. The new practitioner and the social worker have been told.",
    ):
        return redirect("case-detail", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_reassign.html",
        "case-detail",
        form=form,
        history=case.reassignments.select_related("from_practitioner", "to_practitioner", "by"),
        errors=error_summary(form),
    )


@access.policy("case.reassign")
def caseload_reassign(request):
    chooser = forms.CaseloadChooseForm(request.GET or None)
    giving = chooser.cleaned_data.get("practitioner") if chooser.is_valid() else None
    form = None
    cases = []
    if giving is not None:
        # What a row shows, in one query however long the caseload.
        held = (
            Case.objects.filter(practitioner=giving, stage__in=Case.ACTIVE_STAGES)
            .select_related("referral")
            .only("pk", "stage", "referral__reference", "referral__client_first_name", "referral__client_last_name")
            .order_by("opened_at")
        )
        form = forms.CaseloadReassignForm(request.POST or None, cases=held, but=giving)
        if request.method == "POST" and submit(
            request,
            form,
            lambda d: services.cases_reassign(
                cases=list(d["cases"]), to_practitioner=d["to_practitioner"], user=request.user, reason=d["reason"]
            ),
            "The cases have been reassigned. The new practitioner and the social workers have been told.",
        ):
            return redirect(f"{reverse('caseload-reassign')}?practitioner={giving.pk}")
        cases = list(held)
        form.fields["cases"].queryset = held
        form.fields["cases"].choices = [(case.pk, form.fields["cases"].label_from_instance(case)) for case in cases]
        audit_list_viewed(
            actor=request.user,
            model=Case,
            ids=[case.pk for case in cases],
            label=f"Cases held by {giving.full_name}, to reassign",
            page="caseload-reassign",
        )
    elif request.method == "POST":
        messages.error(request, "Choose whose cases you are moving.")
    return render(
        request,
        "cases/caseload_reassign.html",
        {
            "chooser": chooser,
            "giving": giving,
            "form": form,
            "cases": cases,
            "errors": error_summary(form) if form else [],
        },
    )
