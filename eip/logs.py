"""Logs operators can use, and that carry nobody's personal data.

- One line per request (`eip.request`) and per Celery task (`eip.task`), with a request id
  (also sent back as `X-Request-ID` and shown on the error pages), the URL's route with its
  placeholders rather than the path (`cases/<int:pk>/plan/`: paths carry ids, reset tokens and
  search words), the status, the time taken and the user's id, never a name.
- Set `EIP_LOG_FORMAT=json` (production's default) for one JSON object per line.
- Exception messages can carry what a user typed or a database row (psycopg2 puts the
  offending values in DETAIL lines), so logged tracebacks keep each exception's type and every
  frame and withhold its message, except for the types below, whose messages say what failed
  in the infrastructure (a host, a timeout, a refused connection) and carry no record's data.
"""

import json
import logging
import re
import smtplib
import socket
import time
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

WITHHELD = "[message withheld: it may contain personal data]"

request_id: ContextVar[str | None] = ContextVar("eip_request_id", default=None)

# A request id from the proxy (nginx's $request_id) is kept if it looks like one.
_INCOMING_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def current_request_id() -> str | None:
    return request_id.get()


_record_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args, **kwargs):
    # Stamped when the line is logged, so it survives handlers that format later.
    record = _record_factory(*args, **kwargs)
    record.request_id = request_id.get()
    return record


logging.setLogRecordFactory(_record_with_request_id)


def _message_kept_types() -> tuple[type, ...]:
    """Exception types whose messages describe the infrastructure, not a record. Not their
    relatives: IntegrityError and DataError repeat row values; SMTPRecipientsRefused and
    SMTPSenderRefused list addresses; OSError in general names files."""
    import botocore.exceptions
    import kombu.exceptions
    import psycopg2
    import redis.exceptions
    from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
    from django.db import utils as db

    return (
        psycopg2.OperationalError,
        psycopg2.InterfaceError,
        db.OperationalError,
        db.InterfaceError,
        ConnectionError,
        TimeoutError,
        socket.gaierror,
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        kombu.exceptions.OperationalError,
        smtplib.SMTPServerDisconnected,
        smtplib.SMTPConnectError,
        smtplib.SMTPHeloError,
        smtplib.SMTPNotSupportedError,
        SoftTimeLimitExceeded,
        TimeLimitExceeded,
        # The document store (EIP_STORAGE=s3): its address, the operation and an error code; the
        # objects' keys are generated names.
        botocore.exceptions.EndpointConnectionError,
        botocore.exceptions.ConnectTimeoutError,
        botocore.exceptions.ReadTimeoutError,
        botocore.exceptions.ClientError,
    )


_kept: tuple[type, ...] | None = None


def message_is_kept(exc: BaseException) -> bool:
    global _kept
    if _kept is None:
        _kept = _message_kept_types()
    return isinstance(exc, _kept)


def _scrubbed(exc: BaseException, seen: set[int]) -> list[str]:
    if exc is None or id(exc) in seen:
        return []
    seen.add(id(exc))
    lines = []
    if exc.__cause__ is not None:
        lines += _scrubbed(exc.__cause__, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif exc.__context__ is not None and not exc.__suppress_context__:
        lines += _scrubbed(exc.__context__, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    lines.append("Traceback (most recent call last):\n")
    lines += traceback.format_tb(exc.__traceback__)
    message = str(exc).strip()[:1000] if message_is_kept(exc) else WITHHELD
    lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}: {message}\n")
    return lines


def scrubbed_traceback(exc: BaseException) -> str:
    return "".join(_scrubbed(exc, set())).rstrip("\n")


class WithholdExceptionMessages(logging.Filter):
    """Attach to every handler that writes outside the process (console, files, aggregators)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrubbed_traceback(record.exc_info[1])
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id if any, the
    structured fields of request and task lines, and the (scrubbed) exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        if "request_id" not in entry and getattr(record, "request_id", None):
            entry["request_id"] = record.request_id
        if record.exc_info and record.exc_info[1] is not None:
            # Scrubbed here too, so a handler without the filter cannot leak.
            entry["exception"] = scrubbed_traceback(record.exc_info[1])
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


request_logger = logging.getLogger("eip.request")
task_logger = logging.getLogger("eip.task")


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.route or match.view_name
    from django.conf import settings

    if settings.STATIC_URL and request.path.startswith(settings.STATIC_URL):
        return "<static>"
    return "<unmatched>"


def _user_id(request):
    # Only a user already loaded for the request: logging must not query the database (it
    # may be the thing that is down).
    from django.utils.functional import empty

    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:  # nobody asked who it was: not loaded
        return None
    return getattr(wrapped, "pk", None)


class RequestLogMiddleware:
    """Outermost middleware: gives the request its id and writes its line when it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            route = _route(request)
            request_logger.info(
                "%s %s %s %.1fms",
                request.method,
                route,
                response.status_code,
                duration_ms,
                extra={
                    "fields": {
                        "event": "request",
                        "request_id": rid,
                        "method": request.method,
                        "route": route,
                        "status": response.status_code,
                        "duration_ms": duration_ms,
                        "user_id": _user_id(request),
                    }
                },
            )
            return response
        finally:
            request_id.reset(token)


_task_started: dict[str, float] = {}


def task_started(task_id=None, **kwargs):
    _task_started[task_id] = time.perf_counter()


def task_finished(task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    name = getattr(task, "name", str(task))
    task_logger.info(
        "task %s %s %s",
        name,
        state,
        f"{duration_ms}ms",
        extra={
            "fields": {"event": "task", "task": name, "task_id": task_id, "state": state, "duration_ms": duration_ms}
        },
    )


def connect_task_signals():
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(task_started, weak=False, dispatch_uid="eip.logs.task_started")
    task_postrun.connect(task_finished, weak=False, dispatch_uid="eip.logs.task_finished")
