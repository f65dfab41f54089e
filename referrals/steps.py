"""The referral form in steps (GOV.UK question pages): one topic a page, then "Check your
answers". Each step stores its answers in the referral's draft, so nothing typed and continued
is lost going back, signing out or timing out."""

from dataclasses import dataclass

from .models import PoliceOrder, Referral, RiskMarker
from .services import referral_missing_fields


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    fields: tuple[str, ...] = ()  # the referral's own answers on this page
    kind: str = "referral"  # "referral", "partner" or "children"
    hint: str = ""


STEPS = (
    Step("about-you", "About you and your team", ("team", "team_other", "referrer_phone")),
    Step(
        "client",
        "The client",
        (
            "client_first_name",
            "client_last_name",
            "client_date_of_birth",
            "client_gender",
            "client_ethnicity",
            "client_first_language",
            "client_interpreter_needed",
            "client_additional_needs",
        ),
        hint="The person at risk of causing harm.",
    ),
    Step(
        "client-contact",
        "Contacting the client",
        ("client_phone", "client_email", "client_address", "client_postcode", "client_safe_contact_times"),
        hint="At least one of a phone number, an email address or an address.",
    ),
    Step(
        "partner",
        "The partner or victim-survivor",
        kind="partner",
        hint="Never shared with the client, housing or finance.",
    ),
    Step(
        "children",
        "Children in the family",
        kind="children",
        hint="Their ages and whether they are on a Child in Need or Child Protection plan. "
        "Leave a row blank if it is not needed.",
    ),
    Step(
        "risk",
        "Risk at referral",
        (
            "risk_markers",
            "risk_markers_other",
            "police_involved",
            "police_details",
            "orders",
            "dash_completed",
            "dash_score",
        ),
    ),
    Step(
        "request",
        "What you are asking for",
        ("accommodation_may_be_needed", "client_willingness", "case_dynamic"),
    ),
)
BY_SLUG = {step.slug: step for step in STEPS}


def step_after(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def step_before(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index else None


def step_of(field: str) -> Step:
    """The step that asks for `field` (a referral field, or "partner-..." / "children-...")."""
    if field.startswith("partner-"):
        return BY_SLUG["partner"]
    if field.startswith("children-"):
        return BY_SLUG["children"]
    return next((step for step in STEPS if field in step.fields), STEPS[0])


def step_missing(*, step: Step, referral: Referral) -> dict[str, str]:
    """What this step still needs before the referral can be sent, as field -> message."""
    return {
        field: message
        for field, message in referral_missing_fields(referral=referral).items()
        if step_of(field) == step
    }


def _choices_shown(values, choices) -> str:
    labels = dict(choices)
    return ", ".join(str(labels.get(value, value)) for value in values or [])


def _shown(record, field) -> str:
    value = getattr(record, field)
    if field == "risk_markers":
        return _choices_shown(value, RiskMarker.choices)
    if field == "orders":
        return _choices_shown(value, PoliceOrder.choices)
    display = getattr(record, f"get_{field}_display", None)
    if display and value:
        return str(display())
    if hasattr(value, "strftime"):
        return f"{value:%-d %B %Y}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else str(value)


def _asked(referral: Referral, field: str) -> bool:
    """Follow-up questions are only shown when their answer matters."""
    if field == "team_other":
        return referral.team == "other"
    if field == "risk_markers_other":
        return "other" in (referral.risk_markers or [])
    return True


def check_answers(*, referral: Referral, labels: dict[str, str]) -> list[dict]:
    """The "Check your answers" sections: each step with its answers as (label, shown) rows.
    `labels`: each field's question, as the step pages ask it."""
    partner = referral.partner
    sections = []
    for step in STEPS:
        if step.kind == "referral":
            rows = [(labels[field], _shown(referral, field)) for field in step.fields if _asked(referral, field)]
        elif step.kind == "partner":
            rows = []
            for field in ("first_name", "last_name", "date_of_birth", "gender", "phone", "address", "postcode"):
                shown = _shown(partner, field)
                if field in ("address", "postcode") and partner.safe_address and shown:
                    shown = "Saved and withheld: a safe address"
                rows.append((labels[f"partner-{field}"], shown))
            rows.append(("Safe address", "Yes" if partner.safe_address else "No"))
            for field in ("lives_with_client", "safe_contact"):
                rows.append((labels[f"partner-{field}"], _shown(partner, field)))
        else:
            children = list(referral.children.all())
            rows = [
                (f"Child {number}", f"Aged {child.age}, {child.get_plan_display()}")
                for number, child in enumerate(children, 1)
            ] or [("Children", "None")]
        sections.append({"step": step, "rows": rows})
    return sections
