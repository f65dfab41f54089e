"""The onward referrals tab."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from eip import access

from .. import forms, kernel, services
from ..models import OnwardReferral
from .shell import case_for_page, case_form_tab


@access.policy("case.view")
def case_onward(request, pk):
    def context(case):
        today = timezone.localdate()
        referrals = case.onward_referrals.all()
        if not access.allowed(request.user, "case.view_partner", case):
            # Services for the partner or the children are partner matters, outcome and all.
            referrals = referrals.exclude(service__in=OnwardReferral.PARTNER_SERVICES)
        return {
            "onward": [{"referral": o, "weeks_waiting": services.weeks_waiting(o, today)} for o in referrals],
            "update_form": forms.OnwardReferralUpdateForm(),
        }

    return case_form_tab(
        request,
        pk,
        tab="case-onward",
        template="cases/case_onward.html",
        form_class=forms.OnwardReferralForm,
        perform=lambda case, d: services.onward_referral_record(case=case, user=request.user, **d),
        success="Onward referral recorded.",
        context=context,
    )


@require_POST
@access.policy("case.work")
def onward_update(request, pk, onward_pk):
    case = case_for_page(request, pk, "case.work", audit=False)
    onward = OnwardReferral.objects.filter(case=case, pk=onward_pk).first()
    form = forms.OnwardReferralUpdateForm(request.POST)
    if onward and form.is_valid():
        data = form.cleaned_data
        try:
            services.onward_referral_update(
                onward=onward,
                user=request.user,
                status=data["status"],
                outcome=data["outcome"],
                expected_version=forms.page_version(data),
            )
        except kernel.CaseConflict as conflict:
            messages.error(request, str(conflict))
        else:
            messages.success(request, f"{onward.get_service_display()}: status updated.")
    else:
        messages.error(request, "Select a status.")
    return redirect("case-onward", pk=pk)
