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
