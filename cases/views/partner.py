"""The partner support tab (restricted)."""

from django.shortcuts import redirect

from eip import access
from eip.forms_util import error_summary, submit

from .. import forms, services
from .shell import case_for_page, case_page_render


@access.policy("case.view_partner")
def case_partner(request, pk):
    case = case_for_page(request, pk, "case.view_partner")
    can_work = access.allowed(request.user, "case.work", case)
    which = request.POST.get("form")
    form = forms.PartnerContactForm(request.POST if which == "contact" else None) if can_work else None
    supporter_form = (
        forms.PartnerSupporterForm(
            request.POST if which == "supporter" else None,
            initial={"supporter": case.partner_supporter, "version": case.version},
        )
        if can_work
        else None
    )
    if (
        which == "contact"
        and form is not None
        and submit(
            request,
            form,
            lambda d: services.partner_contact_record(case=case, user=request.user, **d),
            "Contact recorded.",
        )
    ):
        return redirect("case-partner", pk=pk)
    if (
        which == "supporter"
        and supporter_form is not None
        and submit(
            request,
            supporter_form,
            lambda d: services.partner_supporter_set(
                case=case, user=request.user, supporter=d["supporter"], expected_version=forms.page_version(d)
            ),
            "Partner support updated.",
        )
    ):
        return redirect("case-partner", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_partner.html",
        "case-partner",
        form=form,
        supporter_form=supporter_form,
        contacts=list(case.partner_contacts.all()),
        partner=case.referral.partner,
        errors=error_summary(*[f for f in (form, supporter_form) if f]),
    )
