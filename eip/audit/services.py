from django.db import models

from .context import client_ip
from .models import AuditEvent


def audit_record(
    *, actor, action: str, record: models.Model | None = None, detail: dict | None = None, label: str = ""
) -> AuditEvent:
    """Write one audit event. Call it inside the transaction of the change it records,
    so the change and its trail commit together."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        record_type=record._meta.label_lower if record is not None else "",
        record_id=str(record.pk) if record is not None else "",
        record_label=label or (_label_of(record) if record is not None else ""),
        ip_address=client_ip.get(),
        detail=detail or {},
    )


def audit_list_viewed(*, actor, model: type[models.Model], ids, label: str, page: str = "") -> AuditEvent:
    """One row for one view of a list page that shows personal data: the record type and the
    ids of the records shown, not a row per record, so a list costs one insert however long."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=AuditEvent.Action.VIEWED,
        record_type=model._meta.label_lower,
        record_label=label,
        ip_address=client_ip.get(),
        detail={"page": page, "listed": [str(pk) for pk in ids]},
    )


def _label_of(record: models.Model) -> str:
    # Records that hold personal data define audit_label() so names never reach the log.
    if hasattr(record, "audit_label"):
        return record.audit_label()
    return f"{record._meta.verbose_name} {record.pk}"
