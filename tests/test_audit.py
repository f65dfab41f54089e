"""The audit trail: who did what to which record, when and from where; append-only."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from eip.audit.models import AuditEvent
from eip.audit.services import audit_list_viewed, audit_record
from eip.people.models import Role
from eip.people.services import user_save
from referrals.models import Referral
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_signing_in_is_recorded_with_the_address(client):
    user = UserFactory()
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGNED_IN)
    assert event.actor == user
    assert event.ip_address == "203.0.113.7"


def test_a_failed_sign_in_is_recorded_without_the_password(client):
    client.post(reverse("login"), {"username": "x@eip.test", "password": "secret-guess-1"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED)
    assert event.detail == {"username": "x@eip.test"}
    assert "secret-guess-1" not in str(event.detail)


def test_a_change_of_role_is_recorded_as_a_permission_change(camden):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    user = UserFactory(role=Role.PRACTITIONER)
    user.role = Role.SUPERVISOR
    user_save(
        user=user,
        actor=admin,
        before={
            "role": Role.PRACTITIONER,
            "is_active": True,
            "borough_id": None,
            "organisation_id": user.organisation_id,
            "is_staff": False,
            "is_superuser": False,
            "sso_subject": "",
        },
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERMISSION_CHANGED)
    assert event.actor == admin
    assert event.detail["changes"] == {"role": {"from": "practitioner", "to": "supervisor"}}


def test_the_database_refuses_to_rewrite_the_trail():
    if connection.vendor != "postgresql":
        pytest.fail("The append-only guard is enforced on PostgreSQL; run the suite on it.")
    event = audit_record(actor=None, action=AuditEvent.Action.VIEWED, label="Case EIP-1")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(record_label="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).record_label == "Case EIP-1"


@pytest.mark.django_db(transaction=True)
def test_not_even_the_owner_can_empty_the_trail_with_truncate():
    if connection.vendor != "postgresql":
        pytest.fail("The append-only guard is enforced on PostgreSQL; run the suite on it.")
    audit_record(actor=None, action=AuditEvent.Action.VIEWED, label="Case EIP-1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone()[0], "the test connects as the owner (a superuser): the strongest role there is"
    for statement in ("TRUNCATE audit_auditevent", "TRUNCATE people_user, audit_auditevent CASCADE"):
        with pytest.raises(DatabaseError, match="append-only: TRUNCATE"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert AuditEvent.objects.filter(record_label="Case EIP-1").count() == 1


def test_supervisors_can_search_the_log(client):
    supervisor = UserFactory(role=Role.SUPERVISOR)
    alice = UserFactory(email="alice@eip.test")
    bob = UserFactory(email="bob@eip.test")
    audit_record(actor=alice, action=AuditEvent.Action.VIEWED, label="Case EIP-2026-0001")
    audit_record(actor=bob, action=AuditEvent.Action.EXPORTED, label="Report 2026-10")
    client.force_login(supervisor, backend="eip.people.backends.AccountBackend")
    page = client.get(reverse("audit-log"), {"actor_email": "alice"}).content.decode()
    assert "Case EIP-2026-0001" in page and "Report 2026-10" not in page
    page = client.get(reverse("audit-log"), {"action": "exported"}).content.decode()
    assert "Report 2026-10" in page and "Case EIP-2026-0001" not in page


def test_a_bad_search_date_is_explained_beside_the_field(client):
    client.force_login(UserFactory(role=Role.SUPERVISOR), backend="eip.people.backends.AccountBackend")
    page = client.get(
        reverse("audit-log"), {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"}
    ).content.decode()
    assert "govuk-error-summary" in page
    assert "From must be a real date" in page
    assert 'name="date_from_0" value="31"' in page


@pytest.mark.django_db(transaction=True)
def test_the_application_role_may_only_add_to_the_audit_log():
    """Run as the role `grant_app_role` prepares, the application can write its records and
    add audit entries, and PostgreSQL refuses it any change to an entry."""
    import psycopg2
    from django.core.management import call_command

    if connection.vendor != "postgresql":
        pytest.fail("Database roles are enforced on PostgreSQL; run the suite on it.")
    role = "eip_app_test"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {role} LOGIN")
    try:
        call_command("grant_app_role", role)
        event = audit_record(actor=None, action=AuditEvent.Action.VIEWED, label="Case EIP-7")
        settings = connection.settings_dict
        app = psycopg2.connect(
            dbname=settings["NAME"], user=role, host=settings["HOST"] or None, port=settings["PORT"] or None
        )
        try:
            with app, app.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO audit_auditevent (at, action, record_type, record_id, record_label, detail)"
                    " VALUES (now(), 'viewed', '', '', 'by the app role', '{}')"
                )
                cursor.execute("UPDATE people_borough SET name = name")  # ordinary tables: writable
            for statement in (
                "UPDATE audit_auditevent SET record_label = 'tampered' WHERE id = %s",
                "DELETE FROM audit_auditevent WHERE id = %s",
                "TRUNCATE audit_auditevent",
            ):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege), app, app.cursor() as cursor:
                    cursor.execute(statement, [event.pk] if "%s" in statement else None)
        finally:
            app.close()
        assert AuditEvent.objects.filter(record_label="by the app role").exists()
        assert AuditEvent.objects.get(pk=event.pk).record_label == "Case EIP-7"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


@pytest.mark.probe(6)
def test_a_list_page_writes_one_row_naming_what_it_listed(client, camden):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.referral_factories import make_case

    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER)
    cases = [make_case(worker, practitioner, client_first_name=f"Client{n}") for n in range(3)]
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")

    def view():
        before = AuditEvent.objects.count()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("case-list")).status_code == 200
        assert AuditEvent.objects.count() == before + 1  # one row for the page, not one per case
        return len(captured)

    few = view()
    row = AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED, actor=practitioner).latest("pk")
    assert row.record_type == "cases.case" and row.record_id == ""
    assert sorted(row.detail["listed"]) == sorted(str(case.pk) for case in cases)
    assert row.detail["page"] == "case-list" and row.record_label == "Your caseload, page 1"
    for n in range(5):
        make_case(worker, practitioner, client_first_name=f"More{n}")
    assert view() == few
    assert len(AuditEvent.objects.filter(actor=practitioner).latest("pk").detail["listed"]) == 8


def test_an_audit_row_holds_exactly_what_it_was_given_and_comes_back_saved(camden):
    """The row is written without the ORM's per-call INSERT building: every column as given,
    the address of the request, the time it was written, and the returned event is the saved
    row (its id and time, as save() would leave it)."""
    from django.utils import timezone

    from eip.audit.context import client_ip
    from tests.referral_factories import make_referral

    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    referral = make_referral(worker)
    token = client_ip.set("198.51.100.23")
    try:
        before = timezone.now()
        event = audit_record(
            actor=worker, action=AuditEvent.Action.VIEWED, record=referral, detail={"page": "x", "n": [1, "é"]}
        )
    finally:
        client_ip.reset(token)
    assert event.pk and not event._state.adding and before <= event.at <= timezone.now()
    stored = AuditEvent.objects.get(pk=event.pk)
    expected = {
        "at": event.at,
        "actor_id": worker.pk,
        "action": "viewed",
        "record_type": "referrals.referral",
        "record_id": str(referral.pk),
        "record_label": referral.audit_label(),
        "ip_address": "198.51.100.23",
        "detail": {"page": "x", "n": [1, "é"]},
    }
    assert {name: getattr(stored, name) for name in expected} == expected
    assert {name: getattr(event, name) for name in expected} == expected
    listed = audit_list_viewed(actor=worker, model=Referral, ids=[referral.pk, 7], label="Referrals, page 1", page="p")
    stored = AuditEvent.objects.get(pk=listed.pk)
    assert (stored.actor, stored.record_type, stored.record_id, stored.record_label, stored.ip_address) == (
        worker,
        "referrals.referral",
        "",
        "Referrals, page 1",
        None,
    )
    assert stored.detail == {"page": "p", "listed": [str(referral.pk), "7"]}
    # Anonymous actors are recorded as nobody; an actor not yet saved is refused, as save() refuses.
    from django.contrib.auth.models import AnonymousUser

    assert AuditEvent.objects.get(pk=audit_record(actor=AnonymousUser(), action="viewed").pk).actor is None
    with pytest.raises(ValueError):
        audit_record(actor=UserFactory.build(), action="viewed")


def test_an_audit_row_is_saved_through_the_orm_while_anyone_listens_for_its_saving():
    from django.db.models.signals import post_save

    heard = []

    def listener(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(listener, sender=AuditEvent, weak=False, dispatch_uid="test-audit-listener")
    try:
        event = audit_record(actor=None, action=AuditEvent.Action.VIEWED, label="Case EIP-1")
    finally:
        post_save.disconnect(sender=AuditEvent, dispatch_uid="test-audit-listener")
    assert heard == [(event.pk, True)]
