"""Money shown one way: pounds with thousands separators and pence (£14,000.00), on every
page, PDF, e-mail and report. Loaded as a template builtin (settings.TEMPLATES), so every
template writes `{{ amount|sterling }}` without loading anything."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def sterling(value) -> str:
    """£14,000.00; -£120.50 for a negative amount; an empty string for no amount at all
    (a blank never reads as £0.00)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"
