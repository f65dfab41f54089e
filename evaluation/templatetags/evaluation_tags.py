from django import template

register = template.Library()

LABELS = {
    "referrals_received": "Referrals received",
    "assessed_suitable_for_consultation": "Assessed as suitable for consultation",
    "assessed_unsuitable": "Assessed as unsuitable",
    "case_consultations_held": "Case consultations with social care practitioners",
    "receiving_intensive_intervention": "Receiving intensive 1:1 intervention",
    "assessed_as_requiring_accommodation": "Assessed as requiring accommodation",
    "received_accommodation": "Received accommodation through the programme",
    "found_accommodation_another_way": "Found accommodation another way",
    "stopped_engaging_before_planned_end": "Stopped engaging before the planned end",
    "average_intervention_weeks": "Average length of intervention (weeks)",
    "shortest_intervention_weeks": "Shortest intervention (weeks)",
    "longest_intervention_weeks": "Longest intervention (weeks)",
    "engagement_rate": "Engagement rate",
    "onward_referrals_following_consultation": "Onward referrals following consultation",
}


@register.filter
def measure_label(key):
    return LABELS.get(key, key.replace("_", " ").capitalize())


@register.filter
def measure_value(value, key):
    if value is None:
        return "—"
    return f"{value}%" if key == "engagement_rate" else value


@register.filter
def pct(value):
    return "—" if value is None else (value if isinstance(value, str) else f"{value}%")


@register.filter
def get(mapping, key):
    return mapping.get(key, {})


@register.filter
def years_months(value):
    if not value:
        return "—"
    return f"{value['years']} years {value['months']} months"


STATES = {
    "suitable": "Assessed as suitable for consultation",
    "started": "Receiving or received the intensive intervention",
    "due_to_start": "Due to start",
    "being_contacted": "Being contacted to start",
    "further_assessment": "Further assessment or detail needed from the referrer",
    "refused": "Refused the intervention",
    "not_suitable_at_consultation": "Found not suitable at consultation",
    "closed_before_starting": "Closed before starting",
    "not_recorded": "Not started, reason not recorded",
    "assessed_as_needing": "Assessed as needing accommodation",
    "placed_through_programme": "Placed through the programme",
    "found_other_accommodation": "Found other accommodation",
    "not_needed_after_all": "Not needed after all",
    "in_process": "In the process of being placed",
}


@register.filter
def state_label(key):
    return STATES.get(key, key.replace("_", " ").capitalize())


@register.filter
def code_label(code):
    """A reason or item code as words."""
    return str(code).replace("_", " ").replace("-", " ").capitalize()


@register.simple_tag
def figure_definitions():
    from evaluation.report import DEFINITIONS

    return DEFINITIONS
