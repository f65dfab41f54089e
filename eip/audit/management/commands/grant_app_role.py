"""Give the application's own PostgreSQL role what it needs and no more: it may read and write
every table but may only add to the audit log, never change or remove an entry.

    python manage.py grant_app_role eip_app

Run it as the role that owns the schema (the one `migrate` runs as), after each migrate; run
gunicorn and Celery as `eip_app`. The trigger on the audit table refuses UPDATE and DELETE as
well, so an owner connection is still guarded, but privileges stop it before the trigger.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from eip.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Grant the application's database role its privileges; the audit log is insert-only."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the PostgreSQL role gunicorn and Celery connect as")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles apply to PostgreSQL only.")
        quote = connection.ops.quote_name
        audit = quote(AuditEvent._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"There is no PostgreSQL role called {role}. Create it first (CREATE ROLE … LOGIN).")
            role = quote(role)
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {role}")
        self.stdout.write(f"{role} may read and write EIP's tables and only add to the audit log.")
