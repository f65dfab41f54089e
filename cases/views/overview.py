"""The case overview tab: the timeline, and the accessibility details edited from it."""

from django.core.paginator import Paginator
from django.shortcuts import redirect

from eip import access
from eip.forms_util import error_summary, submit

from .. import forms, services
from ..models import Case
from .shell import case_for_page, case_page_render


@access.policy("case.view")
def case_detail(request, pk):
    case = case_for_page(request, pk)
    show_partner = access.allowed(request.user, "case.view_partner", case)
    events = case.events.select_related("actor")
    if not show_partner:
        events = events.filter(partner_related=False)
    events = Paginator(events, 30).get_page(request.GET.get("page"))
    return case_page_render(
        request,
        case,
        "cases/case_detail.html",
        "case-detail",
        events=events,
        accessibility_form=forms.AccessibilityForm(instance=case),
        # IDVA and MARAC actions are partner matters.
        open_risk_actions=list(case.risk_actions.filter(done_on__isnull=True)) if show_partner else [],
    )


@access.policy("case.work")
def case_accessibility(request, pk):
    case = case_for_page(request, pk, "case.work")
    form = forms.AccessibilityForm(request.POST or None, instance=Case.objects.get(pk=case.pk))
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.accessibility_update(
            case=case,
            user=request.user,
            adaptations=d["accessibility_adaptations"],
            interpreter_used=d["interpreter_used"],
            interpreter_language=d["interpreter_language"],
            expected_version=forms.page_version(d),
        ),
        "Accessibility adaptations saved.",
    ):
        return redirect("case-detail", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_form_page.html",
        "case-detail",
        form=form,
        heading="Accessibility and interpreter",
        button="Save",
        errors=error_summary(form),
    )
