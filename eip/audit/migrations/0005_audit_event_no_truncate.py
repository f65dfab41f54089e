"""The audit trail cannot be emptied either: on PostgreSQL a statement trigger refuses
TRUNCATE of the audit table for every role, its owner included (row triggers do not fire on
TRUNCATE, so 0003's guard did not cover it). The test suite, which empties tables between
tests, steps around the guard in tests/conftest.py only."""

from django.db import migrations

POSTGRES_UP = """
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();
"""
POSTGRES_DOWN = "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_retention")]
    operations = [migrations.RunPython(forwards, backwards)]
