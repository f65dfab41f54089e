"""The consultation and plan tab."""

from datetime import date

from django.shortcuts import redirect

from eip import access
from eip.forms_util import error_summary, submit

from .. import forms, services
from ..models import CaseDraft
from ..selectors import case_draft_for
from .shell import case_for_page, case_page_render

DRAFT_SAVED = "Draft saved. It is not part of the case record until you complete it. Only you can continue it."


@access.policy("case.view")
def case_plan(request, pk):
    case = case_for_page(request, pk)
    schedule_form = outcome_form = plan_form = actions = None
    consultation = case.consultations.first()
    can_work = access.allowed(request.user, "case.work", case) and case.is_open
    latest = case.risk_plans.first()
    draft = case_draft_for(case=case, form=CaseDraft.Form.PLAN)
    mine = draft is not None and draft.started_by_id == request.user.pk
    can_draft = draft is None or mine
    if can_work:
        action = request.POST.get("form") if request.method == "POST" else None
        data = request.POST if request.method == "POST" else None
        schedule_form = forms.ConsultationScheduleForm(data if action == "schedule" else None)
        outcome_form = forms.ConsultationOutcomeForm(data if action == "outcome" else None)
        if mine:
            # The author resumes what they typed, over the plan as it is now: the page says
            # when a newer version was saved since.
            initial = {k: v for k, v in draft.content.items() if k in forms.RiskPlanForm.base_fields}
            action_rows = draft.content.get("actions", [])
        elif latest:
            initial = {
                "risks": latest.risks,
                "protective_factors": latest.protective_factors,
                "safety_planning": latest.safety_planning,
                "contingency": latest.contingency,
            }
            action_rows = latest.actions
        else:
            initial, action_rows = {}, []
        initial["version"] = latest.version if latest else 0
        plan_form = forms.RiskPlanForm(data if action == "plan" else None, initial=initial)
        actions = forms.plan_action_formset(
            data=data if action == "plan" else None, initial=_actions_initial(action_rows)
        )
        if action == "schedule" and submit(
            request,
            schedule_form,
            lambda d: services.consultation_schedule(case=case, user=request.user, **schedule_form.service_arguments()),
            "Case consultation arranged. You can send the invitation from this page.",
        ):
            return redirect("case-plan", pk=pk)
        if (
            action == "outcome"
            and consultation
            and submit(
                request,
                outcome_form,
                lambda d: services.consultation_record_outcome(
                    consultation=consultation,
                    user=request.user,
                    outcome=d["outcome"],
                    not_suitable_reason=d["not_suitable_reason"],
                    notes=d["notes"],
                ),
                "Consultation outcome recorded.",
            )
        ):
            return redirect("case-plan", pk=pk)
        drafting = "save_draft" in request.POST
        if (
            action == "plan"
            and actions.is_valid()
            and submit(
                request,
                plan_form,
                lambda d: (services.plan_draft_save if drafting else services.risk_plan_revise)(
                    case=case,
                    user=request.user,
                    actions=[a for a in (f.to_action() for f in actions.forms) if a],
                    based_on_version=forms.page_version(d),
                    **{k: v for k, v in d.items() if k != "version"},
                ),
                DRAFT_SAVED if drafting else "The plan has been saved as a new version.",
                # A page posted with no action rows (hand-made) has no first row to show errors on.
                {"": plan_form, **({"actions": actions.forms[0]} if actions.forms else {})},
            )
        ):
            return redirect("case-plan", pk=pk)
    show_partner = access.allowed(request.user, "case.view_partner", case)
    return case_page_render(
        request,
        case,
        "cases/case_plan.html",
        "case-plan",
        consultation=consultation,
        consultations=list(case.consultations.all()),
        plans=list(case.risk_plans.select_related("written_by")),
        latest=latest,
        schedule_form=schedule_form,
        outcome_form=outcome_form,
        plan_form=plan_form,
        actions=actions,
        show_partner=show_partner,
        draft=draft,
        can_draft=can_work and can_draft,
        draft_superseded=mine and (draft.content.get("based_on_version") or 0) != (latest.version if latest else 0),
        errors=error_summary(*[f for f in (schedule_form, outcome_form, plan_form, actions) if f]),
    )


def _actions_initial(rows):
    # Plans and drafts store dates as ISO strings (JSON); the form's date input wants dates.
    return [{**a, "due": date.fromisoformat(a["due"]) if a.get("due") else None} for a in rows]
