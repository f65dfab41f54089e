"""The consent tab: consent recorded and withdrawn, and the intervention started."""

from django.shortcuts import redirect
from django.utils import timezone

from eip import access
from eip.forms_util import error_summary, submit

from .. import forms, services
from ..models import Case, Consent
from .shell import case_for_page, case_page_render


@access.policy("case.view")
def case_consent(request, pk):
    case = case_for_page(request, pk)
    can_record = access.allowed(request.user, "case.consent", case)
    form = forms.ConsentForm(request.POST or None) if can_record else None
    start_form = forms.InterventionStartForm(
        request.POST if request.POST.get("form") == "start" else None,
        initial={"started_on": timezone.localdate()},
    )
    if (
        request.method == "POST"
        and can_record
        and request.POST.get("form") != "start"
        and submit(
            request,
            form,
            lambda d: services.consent_record(case=case, user=request.user, **d),
            "Consent recorded.",
        )
    ):
        return redirect("case-consent", pk=pk)
    if request.method == "POST" and request.POST.get("form") == "start":
        access.require(request.user, "case.work", case)
        if submit(
            request,
            start_form,
            lambda d: services.intervention_start(case=case, user=request.user, started_on=d["started_on"]),
            "The intervention has started.",
        ):
            return redirect("case-detail", pk=pk)
        form = forms.ConsentForm() if can_record else None
    consents = list(case.consents.select_related("recorded_by"))
    show_partner = access.allowed(request.user, "case.view_partner", case)
    return case_page_render(
        request,
        case,
        "cases/case_consent.html",
        "case-consent",
        form=form,
        consents=consents,
        start_form=start_form,
        blockers=services.intervention_blockers(case) if case.stage == Case.Stage.AWAITING_CONSENT else [],
        show_partner=show_partner,
        errors=error_summary(*[f for f in (form, start_form) if f]),
    )


@access.policy("case.consent")
def consent_withdraw(request, pk, consent_pk):
    case = case_for_page(request, pk, "case.consent")
    consent = Consent.objects.filter(case=case, pk=consent_pk, withdrawn_on__isnull=True).first()
    if consent is None:
        return redirect("case-consent", pk=pk)
    form = forms.ConsentWithdrawalForm(request.POST or None)
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.consent_withdraw(
            consent=consent, user=request.user, withdrawn_on=d["withdrawn_on"], notes=d["notes"]
        ),
        "Withdrawal recorded. The practitioner and social worker have been told.",
    ):
        return redirect("case-consent", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_form_page.html",
        "case-consent",
        form=form,
        heading=f"Record withdrawal of the {consent.get_party_display().lower()}'s consent",
        button="Record the withdrawal",
        errors=error_summary(form),
    )
