"""The Risk Management and Intervention Plan, written in versions that are kept unchanged."""

from datetime import date

from django.db import transaction

from ..kernel import CaseError, CaseIncomplete, case_event_record, case_lock, stale_page_check
from ..models import CaseDraft, RiskPlan
from ._common import clean_and_save
from ._drafts import draft_keep, drafts_remove

CHANGE_NOTE_LIMIT = RiskPlan._meta.get_field("change_note").max_length


@transaction.atomic
def risk_plan_revise(
    *,
    case,
    user,
    risks,
    protective_factors="",
    actions=(),
    safety_planning="",
    contingency="",
    change_note="",
    based_on_version: int | None = None,
) -> RiskPlan:
    """Write a new version of the Risk Management and Intervention Plan. Earlier versions
    are kept unchanged. With `based_on_version` (the plan version the page showed, 0 for
    none), a revision typed over an older plan is refused rather than silently replacing a
    newer one as the current plan."""
    case = case_lock(case)
    if not case.is_open:
        raise CaseError("The case is closed: its plan can no longer be changed.")
    errors = {}
    if not risks.strip():
        errors["risks"] = "Describe the risks"
    for number, action in enumerate(actions, 1):
        if not (action.get("action") and action.get("owner") and action.get("due")):
            errors[f"actions-{number - 1}-action"] = f"Give action {number} a description, an owner and a date"
    latest = case.risk_plans.order_by("-version").first()
    stale_page_check(
        current_version=latest.version if latest else 0,
        expected_version=based_on_version,
        message="Someone else saved a newer version of the plan while you were editing. Your changes have not "
        "been saved: read the current plan and enter them again.",
    )
    if latest and not change_note.strip():
        errors["change_note"] = "Say what changed in this version"
    if errors:
        raise CaseIncomplete(errors)
    drafts_remove(case=case, forms=[CaseDraft.Form.PLAN])
    plan = clean_and_save(
        RiskPlan(
            case=case,
            version=(latest.version + 1) if latest else 1,
            risks=risks.strip(),
            protective_factors=protective_factors.strip(),
            actions=[{**a, "due": str(a["due"])} for a in actions],
            safety_planning=safety_planning.strip(),
            contingency=contingency.strip(),
            written_by=user,
            change_note=change_note.strip(),
        )
    )
    case_event_record(
        case, user, "plan_revised", f"Risk Management and Intervention Plan version {plan.version} written"
    )
    return plan


@transaction.atomic
def plan_draft_save(
    *,
    case,
    user,
    risks="",
    protective_factors="",
    actions=(),
    safety_planning="",
    contingency="",
    change_note="",
    based_on_version: int | None = None,
) -> CaseDraft:
    """Keep a half-written plan for its author to resume. Nothing is required yet, but a
    value the plan could never hold (a date that is not a date, a change note longer than
    the plan keeps) is refused beside its field. The draft remembers the plan version it was
    typed over."""
    case = case_lock(case)
    if not case.is_open:
        raise CaseError("The case is closed: its plan can no longer be changed.")
    errors = {}
    for number, action in enumerate(actions):
        if action.get("due") is not None and not isinstance(action["due"], date):
            errors[f"actions-{number}-due"] = f"Enter the date action {number + 1} is due by as a real date"
    if len(change_note.strip()) > CHANGE_NOTE_LIMIT:
        errors["change_note"] = f"Say what changed in {CHANGE_NOTE_LIMIT} characters or fewer"
    if errors:
        raise CaseIncomplete(errors)
    content = {
        "risks": risks,
        "protective_factors": protective_factors,
        "safety_planning": safety_planning,
        "contingency": contingency,
        "change_note": change_note,
        "actions": [
            {
                "action": a.get("action") or "",
                "owner": a.get("owner") or "",
                "due": a["due"].isoformat() if a.get("due") else None,
            }
            for a in actions
        ],
        "based_on_version": based_on_version,
    }
    return draft_keep(case=case, user=user, form=CaseDraft.Form.PLAN, content=content)
