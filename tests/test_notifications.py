"""Notifications and the reminder outbox: a reminder is written with the duty, sent once
when due, never when cancelled, and survives a broker that is down or silent."""

import base64
import json
import logging
import os
import select
import signal
import socket
import subprocess  # nosec B404: the killed-worker test runs a worker in its own process
import sys
import threading
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from eip.celery import app as celery_app
from eip.celery import broker_transport_options
from eip.notifications.models import Notification
from eip.notifications.services import (
    dispatch_safely,
    notification_cancel,
    notification_list_for_user,
    notification_mark_read,
    notification_schedule,
    notification_send_now,
    notification_unread_count,
    reminders_claim_due,
)
from eip.notifications.tasks import notification_deliver, notifications_deliver, reminders_send_due
from eip.people.models import Borough, Role, User

MESSAGE = "Referral EIP-2026-0004 must be acknowledged by Tuesday 5 January"


def make_user(email, **fields):
    fields.setdefault("role", Role.PRACTITIONER)
    return User.objects.create_user(
        email=email, password="a-long-test-password", full_name=email.split("@")[0], **fields
    )


@pytest.fixture
def practitioner(db):
    return make_user("pat@example.org")


@pytest.fixture
def borough(db):
    # Any saved model will do as the subject of a duty.
    return Borough.objects.create(name="Camden", code="camden")


def schedule(recipients, *, key="referral-4-ack", due_in=timedelta(hours=-1), **kwargs):
    kwargs.setdefault("kind", "referral.acknowledgement_due")
    kwargs.setdefault("message", MESSAGE)
    return notification_schedule(recipients=recipients, key=key, due_at=timezone.now() + due_in, **kwargs)


def freeze_at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.django_db
def test_scheduling_the_same_reminder_twice_creates_one_row(practitioner):
    first = schedule([practitioner], due_in=timedelta(days=2))
    second = schedule([practitioner], due_in=timedelta(days=3), message="changed")

    assert Notification.objects.count() == 1
    assert [row.pk for row in first] == [row.pk for row in second]
    # The repeat changed nothing.
    assert Notification.objects.get().message == MESSAGE


@pytest.mark.django_db
def test_only_active_recipients_get_a_reminder(practitioner):
    gone = make_user("gone@example.org", is_active=False)

    rows = schedule([practitioner, gone], due_in=timedelta(days=1))

    assert [row.recipient for row in rows] == [practitioner]
    assert not Notification.objects.filter(recipient=gone).exists()


@pytest.mark.fault
@pytest.mark.django_db
def test_a_due_reminder_is_sent_exactly_once(practitioner, settings):
    settings.EIP_BASE_URL = "https://eip.example.org/"
    [row] = schedule([practitioner], link="/referrals/4/")

    assert reminders_send_due() == 1
    # Beat repeating, and the same message delivered twice, change nothing.
    assert reminders_send_due() == 0
    notification_deliver.delay(row.pk)
    assert notification_deliver(row.pk) is False

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["pat@example.org"]
    assert email.subject == f"EIP: {MESSAGE}"
    assert MESSAGE in email.body
    assert "https://eip.example.org/referrals/4/" in email.body
    assert list(notification_list_for_user(user=practitioner)) == [row]


@pytest.mark.django_db
def test_a_future_reminder_waits_until_it_is_due(practitioner, monkeypatch):
    now = timezone.now()
    schedule([practitioner], due_in=timedelta(hours=1))

    assert reminders_send_due() == 0
    assert mail.outbox == []
    assert notification_unread_count(user=practitioner) == 0

    freeze_at(monkeypatch, now + timedelta(hours=1, seconds=1))
    assert reminders_send_due() == 1
    assert len(mail.outbox) == 1
    assert notification_unread_count(user=practitioner) == 1


@pytest.mark.django_db
def test_a_cancelled_reminder_is_never_sent(practitioner, borough):
    [ack] = schedule([practitioner], subject=borough, kind="referral.acknowledgement_due")
    [other] = schedule([practitioner], key="other", subject=borough, kind="referral.other")

    assert notification_cancel(subject=borough, kind="referral.acknowledgement_due") == 1

    assert reminders_send_due() == 1  # only the other kind
    assert notification_deliver(ack.pk) is False
    assert [email.subject for email in mail.outbox] == [f"EIP: {MESSAGE}"]
    ack.refresh_from_db()
    other.refresh_from_db()
    assert ack.sent_at is None and ack.cancelled_at is not None
    assert other.sent_at is not None
    # Sent ones stay sent: cancelling afterwards does not rewrite history.
    assert notification_cancel(subject=borough) == 0


@pytest.mark.fault
@pytest.mark.django_db
def test_a_lost_dispatch_is_retried_after_ten_minutes(practitioner, monkeypatch):
    now = timezone.now()
    [row] = schedule([practitioner])
    # The sweeper claimed it but the message never reached a worker.
    assert reminders_claim_due(now=now) == [row.pk]

    freeze_at(monkeypatch, now + timedelta(minutes=9))
    assert reminders_send_due() == 0
    freeze_at(monkeypatch, now + timedelta(minutes=11))
    assert reminders_send_due() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_email_to_an_account_closed_before_the_reminder_fell_due(practitioner):
    [row] = schedule([practitioner], due_in=timedelta(hours=1))
    practitioner.is_active = False
    practitioner.save()

    assert notification_deliver(row.pk) is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_send_now_delivers_when_the_transaction_commits(practitioner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_send_now(
            recipients=[practitioner],
            kind="case.allocated",
            key="case-9",
            message="Case EIP-2026-0009 has been allocated to you",
        )
        # Nothing goes out for a transaction that may still roll back.
        assert mail.outbox == []

    assert len(mail.outbox) == 1
    assert Notification.objects.get().sent_at is not None


@pytest.mark.django_db
def test_only_the_recipient_can_mark_a_notification_read(practitioner):
    other = make_user("other@example.org")
    [row] = schedule([practitioner])
    reminders_send_due()
    row.refresh_from_db()

    with pytest.raises(PermissionDenied):
        notification_mark_read(notification=row, user=other)
    assert notification_unread_count(user=practitioner) == 1

    notification_mark_read(notification=row, user=practitioner)
    assert notification_unread_count(user=practitioner) == 0
    assert notification_list_for_user(user=other).count() == 0


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_broker_down_does_not_fail_the_request_and_the_sweeper_sends_later(practitioner, monkeypatch, caplog):
    attempts = []

    def broker_down(args=None, **options):
        attempts.append(tuple(args))
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(notifications_deliver, "apply_async", broker_down)
        with caplog.at_level(logging.WARNING), transaction.atomic():  # the user's request
            [row] = notification_send_now(
                recipients=[practitioner],
                kind="referral.received",
                key="referral-4",
                message=MESSAGE,
            )

    assert attempts == [([row.pk],)]  # it tried once after commit, and the failure was swallowed
    row.refresh_from_db()
    assert row.sent_at is None
    assert mail.outbox == []
    assert "Connection refused" in caplog.text
    assert MESSAGE not in caplog.text

    # The broker is back: the next beat run finds the row in the database.
    assert reminders_send_due() == 1
    assert len(mail.outbox) == 1


def _claim_while_holding(now, limit, claimed, release, results):
    try:
        with transaction.atomic():
            results["a"] = reminders_claim_due(now=now, limit=limit)
            claimed.set()
            # Keep the row locks until the other sweeper has finished its claim.
            results["b_finished_while_locked"] = release.wait(timeout=10)
    finally:
        connection.close()


def _claim_after(now, claimed, release, results):
    try:
        claimed.wait(timeout=10)
        results["b"] = reminders_claim_due(now=now)
        release.set()
    finally:
        connection.close()


def _deliver_all(ids, results, name):
    try:
        results[name] = [notification_deliver(notification_id) for notification_id in ids]
    finally:
        connection.close()


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_overlapping_sweeps_send_each_reminder_once(practitioner):
    # Due in a minute, so nothing is delivered on commit; the sweeps run "later".
    rows = [schedule([practitioner], key=f"r{n}", due_in=timedelta(minutes=1))[0] for n in range(6)]
    all_ids = {row.pk for row in rows}
    later = timezone.now() + timedelta(minutes=2)
    results = {}

    if connection.vendor == "postgresql":
        # Sweeper A claims three rows and holds their locks; sweeper B, running at the
        # same time, must skip them rather than wait, and take the other three.
        claimed, release = threading.Event(), threading.Event()
        a = threading.Thread(target=_claim_while_holding, args=(later, 3, claimed, release, results))
        b = threading.Thread(target=_claim_after, args=(later, claimed, release, results))
        a.start()
        b.start()
        a.join(timeout=30)
        b.join(timeout=30)
        assert results["b_finished_while_locked"], "sweeper B waited for A's locks"
        assert len(results["a"]) == 3
        assert set(results["a"]).isdisjoint(results["b"])
        assert set(results["a"]) | set(results["b"]) == all_ids
    else:
        # SQLite ignores row locks and has one writer at a time; a second sweep straight
        # after the first finds everything already claimed.
        assert set(reminders_claim_due(now=later)) == all_ids
        assert reminders_claim_due(now=later) == []

    # Two workers delivering the same ids, one after the other, send each once.
    for name in ("first", "second"):
        worker = threading.Thread(target=_deliver_all, args=(sorted(all_ids), results, name))
        worker.start()
        worker.join(timeout=30)
    assert results["first"] == [True] * 6
    assert results["second"] == [False] * 6
    assert len(mail.outbox) == 6
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_reminder_send_one_email(practitioner):
    [row] = schedule([practitioner], due_in=timedelta(minutes=1))
    results = {}
    workers = [threading.Thread(target=_deliver_all, args=([row.pk], results, name)) for name in ("first", "second")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    assert sorted(results["first"] + results["second"]) == [False, True]
    assert len(mail.outbox) == 1


@pytest.fixture
def without_broker_env(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)


def _probe_app(url):
    # Celery prefers the CELERY_BROKER_URL environment variable to the broker it is given.
    assert "CELERY_BROKER_URL" not in os.environ, "use the without_broker_env fixture"
    app = Celery("probe", broker=url, set_as_current=False)
    app.conf.broker_transport_options = broker_transport_options(url, None)
    app.conf.task_publish_retry = False

    @app.task(name="probe.noop")
    def noop():
        return None

    return noop


@pytest.mark.fault
def test_a_refused_broker_connection_is_reported_quickly(without_broker_env):
    task = _probe_app("redis://127.0.0.1:1/0")

    started = time.monotonic()
    assert dispatch_safely(task) is False
    assert time.monotonic() - started < 10


@pytest.mark.fault
def test_a_redis_that_never_answers_does_not_hang_the_request(without_broker_env):
    silent = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def accept_and_say_nothing():
        while True:
            try:
                accepted.append(silent.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept_and_say_nothing, daemon=True).start()
    task = _probe_app(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
    try:
        started = time.monotonic()
        assert dispatch_safely(task) is False
        assert time.monotonic() - started < 10
        assert accepted, "the probe never reached the silent server"
    finally:
        silent.close()
        for sock in accepted:
            sock.close()


@pytest.mark.django_db
def test_delivery_is_really_published_to_redis(practitioner):
    broker_url = settings.CELERY_BROKER_URL
    assert broker_url.startswith("redis://"), f"tests need Redis at 127.0.0.1:6379 ({broker_url})"
    [row] = schedule([practitioner], due_in=timedelta(hours=1))
    client = redis.Redis.from_url(broker_url)
    before = client.llen("celery")

    # Send for real through the project's own app, as a web process does.
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        result = notification_deliver.apply_async(args=[row.pk])
    finally:
        celery_app.conf.task_always_eager = was_eager

    try:
        assert client.llen("celery") == before + 1
        published = [raw for raw in client.lrange("celery", 0, -1) if json.loads(raw)["headers"]["id"] == result.id]
        assert len(published) == 1
        message = json.loads(published[0])
        assert message["headers"]["task"] == "eip.notifications.tasks.notification_deliver"
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        assert args == [row.pk]
    finally:
        for raw in client.lrange("celery", 0, -1):
            if json.loads(raw)["headers"]["id"] == result.id:
                client.lrem("celery", 1, raw)
    # Publishing is not delivering: nothing was sent in-process.
    assert mail.outbox == []


# --- a worker killed in the middle of delivering ------------------------------------------

# Run in a separate OS process: deliver one reminder as a Celery worker would, but hang
# inside the mail backend (the reminder claimed) until killed. The e-mail backend is a
# folder, so anything the killed worker had sent would still be there.
HANGING_WORKER = """
import sys, time
import django
from django.conf import settings

django.setup()
settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
settings.EMAIL_FILE_PATH = sys.argv[2]
from django.core.mail.backends.filebased import EmailBackend
from django.db import connection
from eip.notifications.tasks import notification_deliver


def send_messages(self, messages):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        print(cursor.fetchone()[0], flush=True)  # tell the test: reminder claimed, mail going out
    time.sleep(120)  # a mail server that never answers; the test kills us long before


EmailBackend.send_messages = send_messages
notification_deliver(int(sys.argv[1]))
print("finished", flush=True)
"""


def _test_database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def _start_hanging_worker(notification_id, outbox_dir):
    """Start the worker and return it with its database backend's pid, once it is inside
    delivery holding the reminder."""
    worker = subprocess.Popen(  # noqa: S603  # nosec B603: our own interpreter and script
        [sys.executable, "-c", HANGING_WORKER, str(notification_id), str(outbox_dir)],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "eip.settings.test", "DATABASE_URL": _test_database_url()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready, _, _ = select.select([worker.stdout], [], [], 60)
    line = worker.stdout.readline().strip() if ready else ""
    if not line.isdigit():
        worker.kill()
        _out, err = worker.communicate(timeout=10)
        pytest.fail(f"the worker never reached the mail backend ({line!r}):\n{err[-3000:]}")
    return worker, int(line)


def _backend_gone(backend_pid, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend_pid])
            if cursor.fetchone()[0] == 0:
                return True
        time.sleep(0.05)
    return False


def _row_is_locked(notification_id):
    try:
        with transaction.atomic():
            list(Notification.objects.select_for_update(nowait=True).filter(pk=notification_id))
    except DatabaseError:
        return True
    return False


@pytest.mark.fault
def test_a_killed_workers_message_goes_back_on_the_queue():
    # Acknowledge only when the task has finished, and put a dead worker's message back on
    # the queue: otherwise the reminder a killed worker was sending would be dropped.
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1
    assert notification_deliver.acks_late is True
    assert notification_deliver.reject_on_worker_lost in (None, True)  # None: the app's setting


@pytest.mark.fault
@pytest.mark.parametrize("recovery", ["message redelivered", "message lost, next sweep"])
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_neither_loses_nor_duplicates_the_reminder(
    practitioner, monkeypatch, tmp_path, recovery
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a second process shares the test database")
    # Due in a minute, so nothing goes out on commit; the sweep hands it to a worker later.
    [row] = schedule([practitioner], due_in=timedelta(minutes=1))
    later = timezone.now() + timedelta(minutes=2)
    assert reminders_claim_due(now=later) == [row.pk]
    outbox_dir = tmp_path / "killed-worker-outbox"

    worker, backend_pid = _start_hanging_worker(row.pk, outbox_dir)
    try:
        # The worker is inside delivery: it holds the reminder, so a second delivery sends
        # nothing and a sweep (even one late enough to re-dispatch) skips the row instead of
        # handing it to a second worker. The row itself is not locked while the mail server
        # talks: reading or cancelling it does not wait for the mail server.
        assert notification_deliver(row.pk) is False
        assert reminders_claim_due(now=later + timedelta(minutes=11)) == []
        assert not _row_is_locked(row.pk)
    finally:
        worker.send_signal(signal.SIGKILL)
        _out, err = worker.communicate(timeout=30)
    assert worker.returncode == -signal.SIGKILL, err[-3000:]

    # PostgreSQL sees the connection drop and rolls the transaction back.
    assert _backend_gone(backend_pid), "the killed worker's transaction never ended"
    assert not _row_is_locked(row.pk)
    row.refresh_from_db()
    assert row.sent_at is None and row.cancelled_at is None  # not lost: still waiting to be sent
    assert not outbox_dir.exists() or not any(outbox_dir.iterdir())  # not sent by the dead worker
    assert mail.outbox == []
    assert notification_list_for_user(user=practitioner).count() == 0

    if recovery == "message redelivered":
        # acks_late + reject_on_worker_lost: the broker hands the same message to another worker.
        assert notification_deliver(row.pk) is True
    else:
        # The message went with the worker: the sweep re-dispatches after ten minutes.
        freeze_at(monkeypatch, later + timedelta(minutes=9))
        assert reminders_send_due() == 0
        freeze_at(monkeypatch, later + timedelta(minutes=11))
        assert reminders_send_due() == 1
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    sent_at = row.sent_at
    assert sent_at is not None

    # Whatever else turns up afterwards (the other recovery path, a repeat) sends nothing.
    assert notification_deliver(row.pk) is False
    assert notification_deliver(row.pk) is False
    freeze_at(monkeypatch, later + timedelta(hours=1))
    assert reminders_send_due() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pat@example.org"] and mail.outbox[0].subject == f"EIP: {MESSAGE}"
    row.refresh_from_db()
    assert row.sent_at == sent_at
    assert list(notification_list_for_user(user=practitioner)) == [row]
