from functools import cache

from django.db import connections, models, router, transaction
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

from .context import client_ip
from .models import AuditEvent


def audit_record(
    *, actor, action: str, record: models.Model | None = None, detail: dict | None = None, label: str = ""
) -> AuditEvent:
    """Write one audit event. Call it inside the transaction of the change it records,
    so the change and its trail commit together."""
    return _append(
        AuditEvent(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            record_type=record._meta.label_lower if record is not None else "",
            record_id=str(record.pk) if record is not None else "",
            record_label=label or (_label_of(record) if record is not None else ""),
            ip_address=client_ip.get(),
            detail=detail or {},
        )
    )


def audit_list_viewed(*, actor, model: type[models.Model], ids, label: str, page: str = "") -> AuditEvent:
    """One row for one view of a list page that shows personal data: the record type and the
    ids of the records shown, not a row per record, so a list costs one insert however long."""
    return _append(
        AuditEvent(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=AuditEvent.Action.VIEWED,
            record_type=model._meta.label_lower,
            record_label=label,
            ip_address=client_ip.get(),
            detail={"page": page, "listed": [str(pk) for pk in ids]},
        )
    )


def _label_of(record: models.Model) -> str:
    # Records that hold personal data define audit_label() so names never reach the log.
    if hasattr(record, "audit_label"):
        return record.audit_label()
    return f"{record._meta.verbose_name} {record.pk}"


# Every page showing personal data writes a row, so the row is written as save() would write
# it (the same columns, each value prepared by its field) with the INSERT compiled once per
# database: building and compiling it through the ORM cost more than sending it.
_COLUMNS = [field for field in AuditEvent._meta.local_concrete_fields if field is not AuditEvent._meta.auto_field]


@cache
def _insert_sql(alias: str, vendor: str) -> str:
    query = InsertQuery(AuditEvent)
    query.insert_values(_COLUMNS, [AuditEvent()])
    compiler = query.get_compiler(using=alias)
    compiler.returning_fields = [AuditEvent._meta.pk]
    [(sql, _params)] = compiler.as_sql()
    return sql


def _append(event: AuditEvent) -> AuditEvent:
    using = router.db_for_write(AuditEvent)  # where AuditEvent.objects.create() writes
    connection = connections[using]
    if (
        connection.vendor not in ("postgresql", "sqlite")
        or not connection.features.can_return_columns_from_insert
        or pre_save.has_listeners(AuditEvent)
        or post_save.has_listeners(AuditEvent)
    ):
        event.save(force_insert=True, using=using)
        return event
    # What save() checks first: an actor not yet saved has no id to record.
    event._prepare_related_fields_for_save(operation_name="save")
    params = [field.get_db_prep_save(field.pre_save(event, True), connection) for field in _COLUMNS]
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(_insert_sql(using, connection.vendor), params)
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = using
    return event
