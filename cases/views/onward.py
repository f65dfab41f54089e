"""The onward referrals tab."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from eip import access
from eip.forms_util import error_summary, submit

from .. import forms, kernel, services
from ..models import OnwardReferral
from .shell import case_for_page, case_page_render


@access.policy("case.view")
def case_onward(request, pk):
    case = case_for_page(request, pk)
    form = forms.OnwardReferralForm(request.POST or None) if access.allowed(request.user, "case.work", case) else None
    if (
        request.method == "POST"
        and form is not None
        and submit(
            request,
            form,
            lambda d: services.onward_referral_record(case=case, user=request.user, **d),
            "Onward referral recorded.",
        )
    ):
        return redirect("case-onward", pk=pk)
    today = timezone.localdate()
    referrals = case.onward_referrals.all()
    show_partner = access.allowed(request.user, "case.view_partner", case)
    if not show_partner:
        # Services for the partner or the children are partner matters, outcome and all.
        referrals = referrals.exclude(service__in=OnwardReferral.PARTNER_SERVICES)
    onward = [{"referral": o, "weeks_waiting": services.weeks_waiting(o, today)} for o in referrals]
    return case_page_render(
        request,
        case,
        "cases/case_onward.html",
        "case-onward",
        form=form,
        onward=onward,
        update_form=forms.OnwardReferralUpdateForm(),
        errors=error_summary(form) if form else [],
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
