"""Handing work to the Celery workers without putting the broker on a request's critical path.

A web request never talks to the broker. What it commits (notification rows, an invitation to
send) is collected while it runs; when the response has been sent (Django's `request_finished`,
which the WSGI server fires once the body has gone), the ids are handed to this process's
publisher thread, which sends ONE message for all of them, with one bounded attempt. If the
broker is down or silent, that attempt fails in the background and the rows wait in the
database for the beat-driven sweeper (eip.notifications.tasks.reminders_send_due): delayed,
never lost, and the person who submitted the form does not wait.

Outside a request (a Celery task, a management command) there is no response to wait for:
the message is published at once, with the same single bounded attempt.
"""

import logging
import os
import queue
import threading
from contextvars import ContextVar

from django.core.signals import request_finished, request_started

logger = logging.getLogger(__name__)

# Notification ids per message: one delivery task sends them one after the other.
BATCH = 50

# The current request's work to publish once its response is sent; None outside a request.
_pending: ContextVar[dict | None] = ContextVar("eip_publish_pending", default=None)


def _eager(task) -> bool:
    # Tests run tasks in-process (CELERY_TASK_ALWAYS_EAGER): no broker, no thread.
    return bool(task.app.conf.task_always_eager)


def dispatch_safely(task, *args) -> bool:
    """Queue `task` with `args` in one bounded attempt; on any failure log a warning and return False.

    The work is already safe in the database when this runs; a broker that is down, refuses,
    or never answers must not turn it into an error (the sweeper retries).
    """
    try:
        # retry=False: one attempt; the transport's socket timeouts bound it (eip.celery).
        task.apply_async(args=args, retry=False)
    except Exception as exc:
        # Only the task name and ids: never message text, which may describe a case.
        logger.warning(
            "Could not queue %s%r (%s: %s); the reminder sweeper will retry.",
            getattr(task, "name", task),
            args,
            type(exc).__name__,
            exc,
        )
        return False
    return True


def notification_batches(ids: list[int]) -> list[list[int]]:
    unique = list(dict.fromkeys(ids))
    return [unique[start : start + BATCH] for start in range(0, len(unique), BATCH)]


# The Celery task that delivers a batch of notifications. The tasks module, which publishes
# through this one, registers it (NotificationsConfig.ready()), so this module imports no task.
_deliverer: list = []


def notifications_deliver_with(task) -> None:
    _deliverer[:] = [task]


def _publish(notification_ids: list[int], tasks: list[tuple]) -> None:
    (notifications_deliver,) = _deliverer
    for batch in notification_batches(notification_ids):
        dispatch_safely(notifications_deliver, batch)
    for task, args in tasks:
        dispatch_safely(task, *args)


class Publisher:
    """One thread per process that publishes what requests committed, after their responses.
    It takes everything waiting at once, so a burst of requests costs one message."""

    def __init__(self):
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pid = None
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, notification_ids: list[int], tasks: list[tuple]) -> None:
        with self._lock:
            # Started lazily, and again in a forked child (gunicorn forks its workers).
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._queue = queue.SimpleQueue()
                threading.Thread(target=self._run, name="eip-publisher", daemon=True).start()
            self._idle.clear()
            self._queue.put((list(notification_ids), list(tasks)))

    def wait_idle(self, timeout: float) -> bool:
        """For tests and shutdown: wait until everything submitted has been attempted."""
        return self._idle.wait(timeout)

    def _run(self):
        while True:
            notification_ids, tasks = self._queue.get()
            while True:
                try:
                    more_ids, more_tasks = self._queue.get_nowait()
                except queue.Empty:
                    break
                notification_ids += more_ids
                tasks += more_tasks
            try:
                _publish(notification_ids, tasks)
            except Exception:  # a bug here must not kill the thread: the sweeper is the safety net
                logger.exception("Publishing after the response failed; the reminder sweeper will retry.")
            if self._queue.empty():
                self._idle.set()


publisher = Publisher()


def notifications_due_now(notification_ids: list[int]) -> None:
    """Called once the transaction that wrote these due rows has committed."""
    pending = _pending.get()
    if pending is not None:
        pending["ids"].extend(notification_ids)
    else:
        _publish(notification_ids, [])


def publish_after_response(task, *args) -> None:
    """Queue `task(*args)` once the current response has gone (at once outside a request).
    For work whose loss is tolerable or which the database can redo; time-bound duties are
    notification rows, which the sweeper guarantees."""
    pending = _pending.get()
    if pending is not None:
        pending["tasks"].append((task, args))
    else:
        _publish([], [(task, args)])


def _request_started(**kwargs):
    _pending.set({"ids": [], "tasks": []})


def _request_finished(**kwargs):
    pending = _pending.get()
    _pending.set(None)
    if not pending or not (pending["ids"] or pending["tasks"]):
        return
    if _eager(_deliverer[0]):
        # Tests: delivered in-process, in order, before the test client returns.
        _publish(pending["ids"], pending["tasks"])
    else:
        publisher.submit(pending["ids"], pending["tasks"])


def connect_signals():
    request_started.connect(_request_started, dispatch_uid="eip.notifications.publish.started")
    request_finished.connect(_request_finished, dispatch_uid="eip.notifications.publish.finished")
