"""Service health, for load balancers and operators, and the page a person sees when the
service is unwell.

- `/healthz` (liveness): the process answers. Touches nothing else, so a restart is never
  triggered by a database or broker outage.
- `/readyz` (readiness): the database answers, every migration is applied and uploaded files
  can be written, so this process can serve people. It also reports the broker, without
  failing on it: the site works without the broker (notifications wait in the database), and
  taking every web server out of the load balancer because Redis is down would turn a delay
  into an outage.

Both answer without sign-in and reveal nothing but status words: no versions, hosts or errors
(those go to the log).
"""

import logging
import sys
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from eip import access, outbound
from eip.logs import current_request_id

logger = logging.getLogger(__name__)

# Seconds the broker check may take (it runs on every readiness probe).
BROKER_CHECK_TIMEOUT = 1.0

_migrations_applied = False


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _migrations():
    global _migrations_applied
    if _migrations_applied:
        return  # once applied they stay applied for this code; no need to load the graph again
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("migrations not applied")
    _migrations_applied = True


def _storage():
    name = default_storage.save(f"readiness/{uuid.uuid4().hex}.txt", ContentFile(b"ready"))
    default_storage.delete(name)


def _broker():
    from kombu import Connection

    from eip.celery import app

    url = app.conf.broker_url
    options = dict(app.conf.broker_transport_options or {})
    if url.startswith(("redis://", "rediss://")):
        options.update(socket_timeout=BROKER_CHECK_TIMEOUT, socket_connect_timeout=BROKER_CHECK_TIMEOUT)
    with Connection(url, transport_options=options, connect_timeout=BROKER_CHECK_TIMEOUT) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_CHECK_TIMEOUT)
        broker.default_channel  # noqa: B018  # opening a channel asks Redis for an answer (PING)


CHECKS = [("database", _database, True), ("migrations", _migrations, True), ("storage", _storage, True)]
REPORTED = [("broker", _broker, False)]


def _plain(lines: list[str], status: int) -> HttpResponse:
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = "no-store"
    return outbound.status_answer(response)


@require_safe
@never_cache
@access.public
def liveness(request):
    return _plain(["ok"], 200)


@require_safe
@never_cache
@access.public
def readiness(request):
    lines, ready = [], True
    for name, check, required in CHECKS + REPORTED:
        if name == "migrations" and not ready:
            lines.append(f"{name}: unknown")
            continue
        try:
            check()
        except Exception as exc:
            # The operator's log says why; the answer says only which part.
            logger.warning("Readiness: %s is failing", name, exc_info=exc)
            lines.append(f"{name}: failing")
            ready = ready and not required
        else:
            lines.append(f"{name}: ok")
    return _plain(["ready" if ready else "not ready", *lines], 200 if ready else 503)


def server_error(request):
    """The 500 page, or the 503 page when the database is what failed (down, hung, too slow):
    the person is told to try again shortly. Rendered without the request, so nothing about
    the person or the record reaches it, and without touching the database."""
    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, OperationalError | InterfaceError)
    template = "503.html" if unavailable else "500.html"
    body = loader.get_template(template).render({"request_id": current_request_id(), "STATIC_URL": settings.STATIC_URL})
    response = HttpResponse(body, status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = "30"
    return response
