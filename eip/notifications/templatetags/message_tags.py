from django import template

from eip.notifications.govuk_notify import messages_not_delivered_latest

register = template.Library()


@register.inclusion_tag("notifications/_not_delivered.html")
def not_delivered(record):
    """A warning on a record's page for each message about it the delivery service could not deliver."""
    return {"failed": messages_not_delivered_latest(subject=record, n=5)}
