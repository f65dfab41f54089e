"""The risk tab: disclosures and the IDVA and MARAC actions."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from eip import access
from eip.forms_util import error_summary, submit

from .. import forms, services
from ..models import RiskAction
from .shell import case_for_page, case_page_render


@access.policy("case.view")
def case_risk(request, pk):
    case = case_for_page(request, pk)
    show_partner = access.allowed(request.user, "case.view_partner", case)
    form = forms.DisclosureForm(request.POST or None) if access.allowed(request.user, "case.work", case) else None
    if (
        request.method == "POST"
        and form is not None
        and submit(
            request,
            form,
            lambda d: services.disclosure_record(case=case, user=request.user, **d),
            "Disclosure recorded.",
        )
    ):
        return redirect("case-risk", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_risk.html",
        "case-risk",
        form=form,
        # Disclosures and the IDVA and MARAC actions they raise are partner matters.
        disclosures=list(case.disclosures.all()) if show_partner else None,
        risk_actions=list(case.risk_actions.all()) if show_partner else None,
        done_form=forms.RiskActionDoneForm(),
        errors=error_summary(form) if form else [],
    )


@require_POST
@access.policy("case.work")
def risk_action_done(request, pk, action_pk):
    case = case_for_page(request, pk, "case.work", audit=False)
    action = RiskAction.objects.filter(case=case, pk=action_pk).first()
    form = forms.RiskActionDoneForm(request.POST)
    if action and form.is_valid():
        try:
            services.risk_action_complete(action=action, user=request.user, **form.cleaned_data)
            messages.success(request, f"{action.get_kind_display()}: marked as done.")
        except services.CaseError as refused:
            messages.error(request, getattr(refused, "errors", {}).get("notes", str(refused)))
    else:
        messages.error(request, "Enter the date it was done.")
    return redirect("case-risk", pk=pk)
