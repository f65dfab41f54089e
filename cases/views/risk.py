"""The risk tab: disclosures and the IDVA and MARAC actions."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from eip import access

from .. import forms, services
from ..models import RiskAction
from .shell import case_for_page, case_form_tab


@access.policy("case.view")
def case_risk(request, pk):
    def context(case):
        # Disclosures and the IDVA and MARAC actions they raise are partner matters.
        show_partner = access.allowed(request.user, "case.view_partner", case)
        return {
            "disclosures": list(case.disclosures.all()) if show_partner else None,
            "risk_actions": list(case.risk_actions.all()) if show_partner else None,
            "done_form": forms.RiskActionDoneForm(),
        }

    return case_form_tab(
        request,
        pk,
        tab="case-risk",
        template="cases/case_risk.html",
        form_class=forms.DisclosureForm,
        perform=lambda case, d: services.disclosure_record(case=case, user=request.user, **d),
        success="Disclosure recorded.",
        context=context,
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
