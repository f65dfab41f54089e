from django.db.models import QuerySet

from .models import AuditEvent


def audit_event_search(
    *, actor_email: str = "", record: str = "", action: str = "", date_from=None, date_to=None
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor")
    if actor_email:
        events = events.filter(actor__email__icontains=actor_email.strip())
    if record:
        events = events.filter(record_label__icontains=record.strip())
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events
