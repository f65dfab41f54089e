"""Logs operators can use: one JSON line per request and per task, with a request id, the
route rather than the path, the status, the time and the user's id (never a name); exception
messages kept only for types that describe the infrastructure."""

import json
import logging
import smtplib

import psycopg2
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from django.db import IntegrityError, OperationalError
from django.http import HttpResponse
from django.urls import reverse

from eip.logs import WITHHELD, JsonFormatter, scrubbed_traceback
from eip.people.models import Role
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db


def _json_lines(records):
    return [json.loads(JsonFormatter().format(record)) for record in records]


def test_one_line_per_request_with_route_status_time_and_user_id(client, caplog, camden):
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    case = make_case(worker, practitioner)
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")
    with caplog.at_level(logging.INFO, logger="eip.request"):
        response = client.get(reverse("case-plan", args=[case.pk]) + "?q=Daniel+Hughes")
    [line] = _json_lines(r for r in caplog.records if r.name == "eip.request")
    assert line["event"] == "request"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["method"] == "GET" and line["status"] == 200
    assert line["route"] == "cases/<int:pk>/plan/"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["user_id"] == practitioner.pk
    text = json.dumps(line)
    for private in (f"/cases/{case.pk}/", "Daniel", "Hughes", "Alex Morgan", practitioner.email):
        assert private not in text


def test_a_request_nobody_signed_in_to_has_no_user_and_no_raw_path(client, caplog):
    with caplog.at_level(logging.INFO, logger="eip.request"):
        client.get("/password/reset/MQ/set-password-token-abc/")
        client.get("/no-such-page/Daniel-Hughes/")
    lines = _json_lines(r for r in caplog.records if r.name == "eip.request")
    assert [line["route"] for line in lines] == ["password/reset/<uidb64>/<token>/", "<unmatched>"]
    assert all(line["user_id"] is None for line in lines)
    assert "set-password-token-abc" not in json.dumps(lines) and "Daniel" not in json.dumps(lines)


def test_the_request_id_comes_from_the_proxy_when_it_looks_like_one(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="3f2a9c0d1e4b5a6f")["X-Request-ID"] == "3f2a9c0d1e4b5a6f"
    for hostile in ("x", "a b c d e f g h", "abcdefgh\nforged log line", "<script>alert(1)</script>"):
        answered = client.get("/healthz", HTTP_X_REQUEST_ID=hostile)["X-Request-ID"]
        assert answered != hostile and len(answered) == 32


def test_every_log_line_of_a_request_carries_its_id(client, caplog, monkeypatch):
    def noisy(user):
        logging.getLogger("eip.test").warning("something worth knowing")
        return {}

    client.force_login(UserFactory(role=Role.PRACTITIONER), backend="eip.people.backends.AccountBackend")
    monkeypatch.setattr("eip.views.home_for", noisy)
    monkeypatch.setattr("eip.views.render", lambda *args, **kwargs: HttpResponse())
    response = client.get(reverse("home"))
    [line] = _json_lines(r for r in caplog.records if r.name == "eip.test")
    assert line["request_id"] == response["X-Request-ID"] and line["level"] == "WARNING"


def _raised(exc, cause=None):
    try:
        try:
            raise cause or exc
        except BaseException as inner:
            if cause is None:
                raise
            raise exc from inner
    except BaseException as outer:
        return outer


@pytest.mark.parametrize(
    "exc, kept",
    [
        (OperationalError("could not connect to server: Connection refused"), True),
        (psycopg2.OperationalError("timeout expired"), True),
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed: timed out"), True),
        (EndpointConnectionError(endpoint_url="https://s3.eu-west-2.amazonaws.com/eip"), True),
        (ClientError({"Error": {"Code": "NoSuchBucket", "Message": "gone"}}, "PutObject"), True),
        (
            IntegrityError(
                "duplicate key value violates unique constraint\nDETAIL: Key (email)=(d.hughes@example.org)"
            ),
            False,
        ),
        (smtplib.SMTPRecipientsRefused({"d.hughes@example.org": (550, b"no such user")}), False),
        (ValueError("Daniel Hughes"), False),
        (FileNotFoundError(2, "No such file", "/media/Daniel Hughes.pdf"), False),
    ],
)
def test_exception_messages_are_kept_only_for_infrastructure_errors(exc, kept):
    text = scrubbed_traceback(_raised(exc))
    assert (WITHHELD not in text) is kept
    assert "hughes" not in text.lower()
    if kept:
        assert str(exc) in text


def test_a_kept_message_does_not_reveal_the_withheld_cause():
    exc = _raised(OperationalError("server closed the connection"), cause=IntegrityError("Key (phone)=(07700 900123)"))
    text = scrubbed_traceback(exc)
    assert "server closed the connection" in text
    assert "07700" not in text and WITHHELD in text


def test_the_json_formatter_withholds_on_its_own():
    record = logging.LogRecord("eip.x", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/cases/1/",), None)
    record.exc_info = (ValueError, ValueError("Daniel Hughes"), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Internal Server Error: /cases/1/"
    assert "Daniel" not in line["exception"] and WITHHELD in line["exception"]


def test_one_line_per_task_with_its_state_and_time(caplog, camden):
    from eip.notifications.tasks import reminders_send_due

    with caplog.at_level(logging.INFO, logger="eip.task"):
        reminders_send_due.delay()
    [line] = _json_lines(r for r in caplog.records if r.name == "eip.task")
    assert line["event"] == "task" and line["task"] == "eip.notifications.tasks.reminders_send_due"
    assert line["state"] == "SUCCESS" and line["task_id"] and line["duration_ms"] >= 0


def test_production_logs_are_json_by_default():
    import subprocess  # nosec B404
    import sys

    from django.conf import settings

    code = "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"
    env = {
        "DJANGO_SETTINGS_MODULE": "eip.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://eip@db/eip",
        "REDIS_URL": "redis://redis:6379/0",
        "EIP_PSEUDONYM_KEY": "k" * 32,
        "EIP_BASE_URL": "https://eip.example",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(  # noqa: S603  # nosec B603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "json"
