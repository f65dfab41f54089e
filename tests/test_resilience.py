"""Faults outside the application: a broker that is stopped or silent, a database that hangs or
is slow, a mail server that never answers, a task that runs too long. In each, a person using
the site gets an answer in seconds, and nothing they saved is lost or sent twice."""

import json
import logging
import smtplib
import statistics
import threading
import time
from contextlib import contextmanager

import pytest
import redis
from celery.app.task import Task
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eip.celery import app as celery_app
from eip.notifications import publish
from eip.notifications.govuk_notify import NOTIFICATION_HEADER
from eip.notifications.models import Notification
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from referrals.models import Referral
from tests.factories import UserFactory
from tests.fault_tools import CeleryWorker, GatedBackend, RedisServer, SilentServer
from tests.referral_factories import referral_fill_pages

REFERRAL = {
    "version": "1",
    "action": "submit",
    "team": "early_help",
    "client_first_name": "Daniel",
    "client_last_name": "Hughes",
    "client_date_of_birth_0": "14",
    "client_date_of_birth_1": "5",
    "client_date_of_birth_2": "1987",
    "client_gender": "man",
    "client_ethnicity": "white_british",
    "client_interpreter_needed": "no",
    "client_phone": "07700 900123",
    "risk_markers": ["verbal_arguments"],
    "police_involved": "no",
    "dash_completed": "no",
    "accommodation_may_be_needed": "no",
    "client_willingness": "willing",
    "case_dynamic": "Arguments over child contact.",
    "partner-first_name": "Chloe",
    "partner-lives_with_client": "yes",
    "children-TOTAL_FORMS": "1",
    "children-INITIAL_FORMS": "0",
    "children-MIN_NUM_FORMS": "0",
    "children-MAX_NUM_FORMS": "12",
    "children-0-age": "6",
    "children-0-plan": "cin",
}


@contextmanager
def broker(url, monkeypatch):
    """Send through the broker at `url` for real (not in-process), as a web process does."""
    # Celery lets CELERY_BROKER_URL in the environment override the configured URL.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app._after_fork()  # forget pooled connections to the previous broker
    try:
        yield
    finally:
        publish.publisher.wait_idle(30)
        celery_app.conf.task_always_eager = was_eager
        monkeypatch.undo()
        celery_app._after_fork()


@pytest.fixture
def published(monkeypatch):
    """Every message handed to Celery: (task name, args, thread it was sent from)."""
    calls = []
    original = Task.apply_async

    def record(self, args=None, kwargs=None, **options):
        calls.append((self.name, args, threading.get_ident()))
        return original(self, args=args, kwargs=kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", record)
    return calls


@pytest.fixture
def referrer(camden, client):
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    client.force_login(worker, backend="eip.people.backends.AccountBackend")
    return worker


def _submit(client, n):
    check = referral_fill_pages(client, {**REFERRAL, "client_last_name": f"Hughes{n}"})
    started = time.monotonic()
    response = client.post(check, {"action": "submit"})
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content[:2000]
    return elapsed


def _figures(seconds: list[float]) -> str:
    """A request time figure: the typical (median) and the slowest."""
    return f"typical {statistics.median(seconds):.2f} s, slowest {max(seconds):.2f} s ({len(seconds)} requests)"


def _new_referral_rows():
    return Notification.objects.filter(kind="referral.new")


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_stopped_or_silent_broker_costs_a_referral_submission_nothing_and_loses_nothing(
    client, referrer, published, monkeypatch, caplog
):
    practitioners = [UserFactory(role=Role.PRACTITIONER) for _ in range(8)]
    server = RedisServer()
    silent = SilentServer()
    timings = {}
    try:
        with broker(server.url, monkeypatch):
            _submit(client, 0)  # warm up: first request imports and connects
            timings["normal"] = [_submit(client, n) for n in (1, 2, 3)]
            assert publish.publisher.wait_idle(10)
            queued = redis.Redis.from_url(server.url).lrange("celery", 0, -1)
        # Each submission went out as ONE message carrying all eight practitioners' notifications.
        assert len(queued) == 4
        message = json.loads(queued[-1])
        assert message["headers"]["task"] == "eip.notifications.tasks.notifications_deliver"

        server.stop()
        with broker(server.url, monkeypatch), caplog.at_level(logging.WARNING, logger="eip.notifications"):
            timings["stopped"] = [_submit(client, n) for n in (4, 5)]
        with broker(f"redis://127.0.0.1:{silent.port}/0", monkeypatch):
            timings["silent"] = [_submit(client, n) for n in (6, 7)]
            # The publisher tried in the background and gave up within its bound.
            started = time.monotonic()
            assert publish.publisher.wait_idle(30)
            gave_up_after = time.monotonic() - started
        assert silent.accepted, "the publisher never reached the silent broker"
    finally:
        server.stop()
        silent.close()
    print("\nreferral submission with 8 practitioners told:")
    for broker_state, seconds in timings.items():
        print(f"  Redis {broker_state}: {_figures(seconds)}")
    print(f"silent broker: the publisher gave up after {gave_up_after:.1f} s, in the background")

    # No broker call ever ran on the thread that served the request.
    request_thread = threading.get_ident()
    assert published and all(thread != request_thread for _name, _args, thread in published)
    # The person submitting waited no longer for a broken broker (loosely: the test machine is shared).
    assert max(max(seconds) for seconds in timings.values()) < 5
    assert min(timings["stopped"]) < 1.5 * min(timings["normal"]) + 0.5
    assert min(timings["silent"]) < 1.5 * min(timings["normal"]) + 0.5
    assert "the reminder sweeper will retry" in caplog.text

    # Nothing lost: every submission is saved, and the sweeper delivers what no worker received
    # (here no worker consumed even the messages that reached Redis), each exactly once.
    assert Referral.objects.filter(status="submitted").count() == 8
    assert _new_referral_rows().count() == 8 * 8
    mail.outbox.clear()
    reminders_send_due()  # in-process (eager), as a worker does once Redis is back
    assert _new_referral_rows().filter(sent_at__isnull=True).count() == 0
    told = [address for m in mail.outbox if m.subject.startswith("EIP: New referral") for address in m.to]
    assert sorted(told) == sorted(p.email for p in practitioners for _ in range(8))


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_submission_queries_do_not_grow_with_the_practitioners_told(client, referrer, published, monkeypatch):
    practitioners = [UserFactory(role=Role.PRACTITIONER)]
    counts = {}
    server = RedisServer()
    try:
        with broker(server.url, monkeypatch):
            _submit(client, 0)
            for total in (2, 12):
                practitioners += [UserFactory(role=Role.PRACTITIONER) for _ in range(total - len(practitioners))]
                with CaptureQueriesContext(connection) as queries:
                    _submit(client, total)
                counts[total] = len(queries)
    finally:
        server.stop()
    assert counts[2] == counts[12], counts


@pytest.mark.django_db(transaction=True)
def test_outside_a_request_due_notifications_go_out_at_once(camden, published):
    from eip.notifications.services import notification_send_now

    practitioner = UserFactory(role=Role.PRACTITIONER)
    other = UserFactory(role=Role.PRACTITIONER)
    notification_send_now(
        recipients=[practitioner, other], kind="test", key="k", message="Referral EIP-2026-0001 needs acknowledging"
    )
    # One message for both, delivered at commit (a task or a command has no response to wait for).
    assert [(name, len(args[0])) for name, args, _ in published] == [
        ("eip.notifications.tasks.notifications_deliver", 2)
    ]
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_due_row_is_never_lost_when_the_publisher_is_not_reached(camden):
    # The sweeper finds due rows nobody published (a process that died before its response
    # finished, a publisher that gave up).
    practitioner = UserFactory(role=Role.PRACTITIONER)
    Notification.objects.create(
        recipient=practitioner, kind="test", key="lost", message="Referral EIP-2026-0002", due_at=timezone.now()
    )
    assert reminders_send_due() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.get(key="lost").sent_at is not None


def _restore_unacknowledged(redis_url: str, tags: set[bytes]) -> int:
    """Put back on their queues the messages a dead worker took and never acknowledged (`tags`,
    what it held when it died), as Redis does by itself once the visibility timeout (an hour) has
    passed. A live worker's own unacknowledged message is not the dead one's. Returns how many."""
    store = redis.Redis.from_url(redis_url)
    held = {tag: value for tag, value in store.hgetall("unacked").items() if tag in tags}
    for tag, value in held.items():
        payload, _exchange, routing_key = json.loads(value)
        store.lpush(routing_key or "celery", json.dumps(payload))
        store.hdel("unacked", tag)
        store.zrem("unacked_index", tag)
    return len(held)


def _mailed_notification_ids(sink) -> list[int]:
    return [
        int(line.split(":", 1)[1])
        for _to, data in list(sink.messages)
        for line in data.splitlines()
        if line.lower().startswith(NOTIFICATION_HEADER.lower() + ":")
    ]


def _wait_for(condition, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_load_or_a_hung_mail_server_neither_loses_nor_duplicates_a_notification(
    client, referrer, monkeypatch, tmp_path
):
    from tests.production_smoke import MailSink

    practitioners = [UserFactory(role=Role.PRACTITIONER) for _ in range(4)]
    server = RedisServer()
    sink = MailSink(greeting_delay=0.5)  # a slow mail server: the worker falls behind the submissions
    env = {"CELERY_BROKER_URL": server.url, "EMAIL_PORT": str(sink.port), "EMAIL_TIMEOUT": "2"}
    timings = {}
    first = CeleryWorker(env, tmp_path / "first.log")
    second = None
    try:
        with broker(server.url, monkeypatch):
            first.wait_ready()
            _submit(client, 0)  # warm up: the first request imports and connects
            timings["worker running"] = [_submit(client, n) for n in range(1, 7)]
            # Killed part-way through: some of the mail sent, the rest in its hands or queued.
            store = redis.Redis.from_url(server.url)
            assert _wait_for(lambda: len(sink.messages) >= 3 and store.hlen("unacked"), 60), first.text()[-3000:]
            first.kill()
            mailed_before_kill = len(sink.messages)
            held_tags = set(store.hkeys("unacked"))
            held = len(held_tags)
            assert held >= 1, "the worker held no message when it was killed"
            timings["worker killed"] = [_submit(client, n) for n in range(7, 10)]

            second = CeleryWorker(env, tmp_path / "second.log")
            second.wait_ready()
            timings["new worker"] = [_submit(client, n) for n in range(10, 13)]
            # Beat's next sweep finds what the dead worker held (and, racing the new worker,
            # what is still queued: a notification being sent is skipped, one sent is not resent).
            reminders_send_due.apply_async()
            rows = _new_referral_rows()  # (the acknowledgement reminders are due in days)
            assert _wait_for(lambda: not rows.filter(sent_at__isnull=True).exists()), second.text()[-3000:]
            # An hour on, Redis hands the dead worker's messages out again: they send nothing.
            assert _restore_unacknowledged(server.url, held_tags) == held
            assert _wait_for(lambda: store.llen("celery") == 0 and store.hlen("unacked") == 0, 60)
            time.sleep(1)  # the last redelivered message finishes

            # Then the mail server hangs (accepts, never greets): each delivery gives up after
            # EMAIL_TIMEOUT, nothing is marked sent, and the next sweep once mail flows sends it.
            sink.greeting_delay = 60
            timings["mail server hung"] = [_submit(client, n) for n in range(13, 16)]
            assert _wait_for(lambda: second.text().count("notifications_deliver FAILURE") >= 3, 60), second.text()
            assert rows.filter(sent_at__isnull=True).count() == 3 * len(practitioners)
            sink.greeting_delay = 0
            reminders_send_due.apply_async()
            assert _wait_for(lambda: not rows.filter(sent_at__isnull=True).exists()), second.text()[-3000:]
    finally:
        for worker in (first, second):
            if worker:
                worker.stop()
        server.stop()
        sink.shutdown()
    print(f"\nworker killed mid-load ({held} message(s) in its hands, {mailed_before_kill} e-mails sent before),")
    print("then the mail server hung:")
    for phase, seconds in timings.items():
        print(f"  referral submission, {phase}: {_figures(seconds)}")

    ids = _mailed_notification_ids(sink)
    expected = sorted(rows.values_list("pk", flat=True))
    assert len(expected) == 16 * len(practitioners)
    lost = set(expected) - set(ids)
    duplicated = len(ids) - len(set(ids))
    print(f"  notifications: {len(expected)}, e-mailed {len(ids)}, lost {len(lost)}, duplicated {duplicated}")
    assert not lost and not duplicated
    assert sorted(ids) == expected
    assert max(max(seconds) for seconds in timings.values()) < 5


# --- the mail server -------------------------------------------------------------------------


def _row_is_locked(pk):
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic():
            list(Notification.objects.select_for_update(nowait=True).filter(pk=pk))
    except DatabaseError:
        return True
    return False


def _due_row(user, key="r1"):
    return Notification.objects.create(
        recipient=user,
        kind="test",
        key=key,
        message="Referral EIP-2026-0007 must be acknowledged",
        due_at=timezone.now(),
    )


@contextmanager
def _held_at_the_mail_server(settings, send):
    """Runs `send()` in another thread until its mail reaches a mail server that holds it; yields
    the list its result will land in; lets the mail go on leaving the block."""
    settings.EMAIL_BACKEND = "tests.fault_tools.GatedBackend"
    GatedBackend.entered.clear()
    GatedBackend.release.clear()
    GatedBackend.sent = []
    results = []

    def worker():
        try:
            results.append(send())
        finally:
            connection.close()

    sending = threading.Thread(target=worker)
    sending.start()
    try:
        assert GatedBackend.entered.wait(60)
        yield results
    finally:
        GatedBackend.release.set()
        sending.join(timeout=60)


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_no_row_lock_is_held_while_the_mail_server_talks(camden, settings):
    from eip.notifications.services import notification_deliver

    row = _due_row(UserFactory(role=Role.PRACTITIONER))
    with _held_at_the_mail_server(settings, lambda: notification_deliver(notification_id=row.pk)) as results:
        # The mail is on its way: the row is free for everyone else (a cancel, a reader) ...
        assert not _row_is_locked(row.pk)
        # ... yet a second delivery of the same reminder sends nothing.
        assert notification_deliver(notification_id=row.pk) is False
        assert reminders_send_due() == 0
    assert results == [True]
    assert len(GatedBackend.sent) == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    assert notification_deliver(notification_id=row.pk) is False


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_never_answers_times_out_and_the_reminder_waits(camden, settings):
    from eip.notifications.services import notification_deliver

    assert settings.EMAIL_TIMEOUT == 10  # the default: seconds per SMTP call
    row = _due_row(UserFactory(role=Role.PRACTITIONER))
    with SilentServer() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", smtp.port, False
        settings.EMAIL_TIMEOUT = 1
        started = time.monotonic()
        # smtplib reports the timed-out greeting as a dropped connection.
        with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
            notification_deliver(notification_id=row.pk)
        took = time.monotonic() - started
        assert smtp.accepted
    print(f"\nhung mail server given up after {took:.1f} s")
    assert took < 3
    row.refresh_from_db()
    assert row.sent_at is None and not _row_is_locked(row.pk)
    # Once mail flows again the reminder goes, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_deliver(notification_id=row.pk) is True
    assert notification_deliver(notification_id=row.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_the_monthly_report_holds_no_row_lock_while_it_is_mailed(camden, settings):
    from django.db import DatabaseError
    from django.db import transaction as db_transaction

    from evaluation.models import ReportDelivery
    from evaluation.tasks import monthly_report_send

    UserFactory(role=Role.PROGRAMME_MANAGER, email="pm@eip.test")
    with _held_at_the_mail_server(settings, lambda: monthly_report_send("2021-02-01")) as results:
        delivery = ReportDelivery.objects.get()
        # The report is on its way to the mail server: its row is free for anyone else ...
        try:
            with db_transaction.atomic():
                list(ReportDelivery.objects.select_for_update(nowait=True).filter(pk=delivery.pk))
        except DatabaseError:
            pytest.fail("the report's row is locked while the mail server talks")
        # ... yet beat firing again meanwhile sends nothing.
        assert monthly_report_send("2021-02-01") is False
    assert results == [True]
    assert len(GatedBackend.sent) == 1
    assert ReportDelivery.objects.get().sent_at is not None
    assert monthly_report_send("2021-02-01") is False


# --- Celery time limits ----------------------------------------------------------------------


def test_every_task_has_time_limits():
    from django.conf import settings

    assert settings.CELERY_TASK_SOFT_TIME_LIMIT == 120 and settings.CELERY_TASK_TIME_LIMIT == 150
    assert celery_app.conf.task_soft_time_limit == 120 and celery_app.conf.task_time_limit == 150
    celery_app.loader.import_default_modules()  # every app's tasks, as a worker loads them
    ours = {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}
    assert len(ours) >= 6
    for name, task in ours.items():
        soft = task.soft_time_limit or celery_app.conf.task_soft_time_limit
        hard = task.time_limit or celery_app.conf.task_time_limit
        assert soft and hard and soft < hard, name


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_task_past_its_time_limit_is_stopped_and_its_reminder_waits(camden, monkeypatch, tmp_path):
    import uuid

    from django.conf import settings as django_settings

    from eip.notifications.tasks import notifications_deliver

    row = _due_row(UserFactory(role=Role.PRACTITIONER))
    queue = f"fault-{uuid.uuid4().hex[:8]}"
    with SilentServer() as smtp:
        worker = CeleryWorker(
            {
                "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
                "EMAIL_PORT": str(smtp.port),
                "EMAIL_TIMEOUT": "60",  # so the time limit, not the mail timeout, stops it
                "EIP_LOG_FORMAT": "json",
            },
            tmp_path / "worker.log",
            queue=queue,
        )
        try:
            with broker(django_settings.CELERY_BROKER_URL, monkeypatch):
                notifications_deliver.apply_async(args=[[row.pk]], queue=queue, soft_time_limit=2, time_limit=6)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and '"event": "task"' not in worker.text():
                time.sleep(0.2)
            text = worker.text()
        finally:
            worker.stop()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    finished = [line for line in lines if line.get("event") == "task"]
    assert finished, text[-3000:]
    assert finished[0]["task"] == "eip.notifications.tasks.notifications_deliver"
    assert finished[0]["state"] == "FAILURE"
    assert 2000 <= finished[0]["duration_ms"] < 6000
    assert smtp.accepted, "the worker never reached the mail server"
    assert "SoftTimeLimitExceeded" in text
    # Nothing sent, nothing held: the reminder waits for the next sweep.
    row.refresh_from_db()
    assert row.sent_at is None and not _row_is_locked(row.pk)
    with connection.cursor() as cursor:
        # This database's only: other test workers and CI's benchmark share the server.
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        assert cursor.fetchone()[0] == 0


# --- the database ----------------------------------------------------------------------------


@pytest.fixture
def signed_in_cookie(camden):
    from django.test import Client

    client = Client()
    client.force_login(
        UserFactory(role=Role.PRACTITIONER, full_name="Ada Canary"), backend="eip.people.backends.AccountBackend"
    )
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_hung_database_gives_the_unavailable_page_within_seconds(signed_in_cookie):
    from tests.fault_tools import FreezableProxy, Gunicorn, test_database_url

    proxy = FreezableProxy(int(connection.settings_dict["PORT"] or 5432))
    web = Gunicorn({"DATABASE_URL": test_database_url(proxy.port), "DATABASE_CONNECT_TIMEOUT": "2"})
    figures = {}
    try:
        normal = []
        for _ in range(4):
            status, _headers, _body, took = web.get("/home/", signed_in_cookie)
            assert status == 200  # and the worker now holds an open connection to the database
            normal.append(took)
        normal = normal[1:]  # the first request loads the application
        proxy.freeze()  # the database stops answering, on that connection and on new ones
        status, headers, body, figures["page, open connection"] = web.get("/home/", signed_in_cookie)
        assert status == 503, body[:2000]
        page = body.decode()
        assert "Sorry, the service is unavailable" in page and "Ada Canary" not in page
        assert headers["Retry-After"] == "30"
        assert headers["X-Request-ID"] and headers["X-Request-ID"] in page
        status, _headers, body, figures["readiness"] = web.get("/readyz")
        assert status == 503 and body.decode().startswith("not ready\ndatabase: failing\n")
        status, _headers, _body, figures["liveness"] = web.get("/healthz")
        assert status == 200
        time.sleep(2.5)  # past the pause after a timeout: the next request tries a new connection
        status, _headers, _body, figures["page, new connection"] = web.get("/home/", signed_in_cookie)
        assert status == 503

        proxy.thaw()
        time.sleep(2.5)
        status, _headers, _body, _took = web.get("/home/", signed_in_cookie)
        assert status == 200, web.output()[-3000:]  # recovered without a restart
    finally:
        web.stop()
        proxy.close()
    print(f"\nhome page, database answering: {_figures(normal)}")
    print(f"hung database, seconds to answer: { {k: round(v, 2) for k, v in figures.items()} }")
    assert figures["page, open connection"] < 5
    assert figures["page, new connection"] < 5
    assert figures["readiness"] < 5
    assert figures["liveness"] < 1


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_statement_past_the_statement_timeout_is_cancelled_and_answered_with_503(signed_in_cookie):
    import psycopg2

    from tests.fault_tools import Gunicorn, test_database_url

    web = Gunicorn({"DATABASE_URL": test_database_url(), "DATABASE_STATEMENT_TIMEOUT_MS": "500"})
    settings_dict = connection.settings_dict
    blocker = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
    )
    try:
        status, _headers, _body, _took = web.get("/home/", signed_in_cookie)
        assert status == 200
        # A long job (say, a migration) holds the users table: loading who is signed in waits.
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE people_user IN ACCESS EXCLUSIVE MODE")
        status, _headers, body, took = web.get("/home/", signed_in_cookie)
        blocker.rollback()
        assert status == 503, body[:2000]
        assert "Sorry, the service is unavailable" in body.decode()
        print(f"\nstatement stuck behind a lock: 503 after {took:.2f} s")
        assert took < 3
        assert "statement timeout" in web.output()  # the operator's log keeps the database's reason
        status, _headers, _body, _took = web.get("/home/", signed_in_cookie)
        assert status == 200
    finally:
        blocker.close()
        web.stop()
