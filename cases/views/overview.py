"""The case overview tab: the client at a glance, the timeline, and the accessibility details
edited from it."""

from django.shortcuts import redirect
from django.utils import timezone

from eip import access
from eip.forms_util import error_summary, submit
from eip.paging import page_counted
from referrals.inbox import high_risk_indicated
from referrals.models import Referral

from .. import forms, services
from ..models import Case
from ..selectors import case_with_due_facts
from .shell import case_for_page, case_page_render


@access.policy("case.view")
def case_detail(request, pk):
    case = case_with_due_facts(case=case_for_page(request, pk))
    show_partner = access.allowed(request.user, "case.view_partner", case)
    events = case.events.select_related("actor")
    if not show_partner:
        events = events.filter(partner_related=False)
    events = page_counted(events, 30, request.GET.get("page"))
    return case_page_render(
        request,
        case,
        "cases/case_detail.html",
        "case-detail",
        events=events,
        summary=_client_summary(request.user, case, show_partner=show_partner),
        accessibility_form=forms.AccessibilityForm(instance=case),
        # IDVA and MARAC actions are partner matters; listed only when the due facts count some.
        open_risk_actions=(
            list(case.risk_actions.filter(done_on__isnull=True)) if show_partner and case.open_risk_actions else []
        ),
    )


def _age(born, today):
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _client_summary(user, case, *, show_partner):
    """What a colleague needs first: the client as referred, the risk at referral, the plan's
    next actions and the consent in force. A fixed handful of queries, however long the case.
    Children only for those who may see partner matters; the referral's risk only for those the
    referral's own page would show it to."""
    # The referral the gate fetched with the case; its referrer and borough are the case's own
    # (a case keeps its referral's), so they too are already loaded.
    referral = case.referral
    if referral.referrer_id == case.referrer_id:
        referral.referrer = case.referrer
    if referral.borough_id == case.borough_id:
        referral.borough = case.borough
    referral.high_risk = high_risk_indicated(referral)  # the inbox's own rule
    others = Referral.objects.filter(person_id=case.person_id).exclude(pk=referral.pk).exclude(status="draft")
    born = referral.client_date_of_birth
    plan = case.risk_plans.first() if case.has_plan else None  # the due facts say whether one is written
    return {
        "referral": referral,
        "age": _age(born, timezone.localdate()) if born else None,
        "can_open_referral": access.allowed(user, "referral.view", referral),
        "children": list(referral.children.all()) if show_partner else None,
        "other_referrals": [
            (other, access.allowed(user, "referral.view", other)) for other in others.order_by("-received_at", "-pk")
        ],
        "next_actions": sorted((plan.actions if plan else []), key=lambda a: a.get("due") or ""),
        # The due facts already say whether any consent is live: none, no query.
        "consents": (
            list(case.consents.filter(withdrawn_on__isnull=True)) if case.client_consent or case.partner_consent else []
        ),
    }


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
