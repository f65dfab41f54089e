"""Backup and restore, as the README documents them: pg_dump in custom format, pg_restore into
an empty database, and the records come back complete (and the audit trail stays append-only)."""

import subprocess
import uuid

import psycopg2
import pytest
from django.db import connection

from eip.audit.models import AuditEvent
from eip.people.models import Role
from referrals.models import Referral
from tests.factories import UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)


def _dsn(name):
    settings = connection.settings_dict
    return {
        "dbname": name,
        "user": settings["USER"] or "postgres",
        "host": settings["HOST"] or "127.0.0.1",
        "port": str(settings["PORT"] or 5432),
    }


def _args(name):
    dsn = _dsn(name)
    return ["-h", dsn["host"], "-p", dsn["port"], "-U", dsn["user"]]


def test_a_backup_restores_every_record(tmp_path, camden):
    if connection.vendor != "postgresql":
        pytest.fail("Backup and restore are for PostgreSQL; run the suite on PostgreSQL.")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    for _ in range(3):
        make_referral(worker)
    expected = (Referral.objects.count(), AuditEvent.objects.count())
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "eip.dump"
    subprocess.run(
        ["pg_dump", *_args(source), "--format=custom", "--no-owner", "--file", str(dump), source],
        check=True,
        capture_output=True,
    )
    target = f"eip_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(**_dsn("postgres"))
    admin.autocommit = True
    try:
        admin.cursor().execute(f'CREATE DATABASE "{target}"')
        subprocess.run(
            ["pg_restore", *_args(target), "--no-owner", "--dbname", target, str(dump)], check=True, capture_output=True
        )
        restored = psycopg2.connect(**_dsn(target))
        with restored, restored.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM referrals_referral")
            referrals = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM audit_auditevent")
            events = cursor.fetchone()[0]
            assert (referrals, events) == expected
            with pytest.raises(psycopg2.Error, match="append-only"):
                cursor.execute("DELETE FROM audit_auditevent")
        with restored, restored.cursor() as cursor:
            with pytest.raises(psycopg2.Error, match="append-only: TRUNCATE"):
                cursor.execute("TRUNCATE audit_auditevent")
        with restored, restored.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_auditevent")
            assert cursor.fetchone()[0] == expected[1]
        restored.close()
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()
