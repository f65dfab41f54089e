"""Django's PostgreSQL backend with time limits that hold even when the database stops
answering (a hung server, a stalled network path, a proxy that accepts and says nothing).

PostgreSQL's own `statement_timeout` (set in the connection options, see settings) cancels a
slow statement on the server; libpq's `connect_timeout` bounds a new connection. Neither helps
a connection that is already open when the server stops answering: the process would wait on
the socket for ever, holding a gunicorn worker until gunicorn kills it. So here:

- the health check Django runs before reusing a connection (`SELECT 1`) gets the connect
  timeout, and every statement, commit and rollback gets the statement timeout plus the
  connect timeout; a call past its limit has its socket shut down by a watchdog thread, which
  makes libpq return an error at once;
- after a timeout, new connections in this process are refused for the next few seconds
  without trying, so one request (or the next ones) does not wait for each attempt in turn.

Every such failure is an `OperationalError`; the error handler shows the "service unavailable"
page (HTTP 503) for it (eip.health.server_error).
"""

import os
import socket
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db.backends.postgresql import base
from django.db.utils import OperationalError

Database = base.Database


def _connect_timeout() -> float:
    return float(getattr(settings, "EIP_DATABASE_CONNECT_TIMEOUT", 0) or 0)


def _statement_limit() -> float:
    """Seconds a statement may take before the client gives up: the server cancels it at
    the statement timeout; the client waits a little longer for that answer."""
    statement_ms = getattr(settings, "EIP_DATABASE_STATEMENT_TIMEOUT_MS", 0) or 0
    if not statement_ms:
        return 0.0
    return statement_ms / 1000 + max(_connect_timeout(), 1.0)


def _shut(raw_connection) -> None:
    # shutdown() on a duplicate of libpq's socket ends the connection for libpq too: its
    # blocked read returns at once ("server closed the connection unexpectedly").
    try:
        duplicate = socket.socket(fileno=os.dup(raw_connection.fileno()))
    except (OSError, Database.Error):  # already closed: nothing to cut
        return
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        duplicate.close()


class _Limit:
    __slots__ = ("deadline", "raw", "fired")

    def __init__(self, deadline, raw):
        self.deadline, self.raw, self.fired = deadline, raw, False


class Watchdog:
    """One daemon thread per process that cuts the database calls that outlive their limit.
    Arming and disarming cost a lock and a dictionary entry; the thread sleeps while
    nothing is armed and checks ten times a second while something is."""

    TICK = 0.1

    def __init__(self):
        self._lock = threading.Lock()
        self._armed: dict[int, _Limit] = {}
        self._wake = threading.Event()
        self._pid = None

    def _start(self):
        # Started lazily, and again in a forked child (gunicorn and Celery workers fork).
        self._pid = os.getpid()
        threading.Thread(target=self._run, name="eip-database-watchdog", daemon=True).start()

    @contextmanager
    def limit(self, raw_connection, seconds: float):
        if not seconds or raw_connection is None:
            yield None
            return
        entry = _Limit(time.monotonic() + seconds, raw_connection)
        with self._lock:
            if self._pid != os.getpid():
                self._start()
            self._armed[id(entry)] = entry
        self._wake.set()
        try:
            yield entry
        finally:
            with self._lock:
                self._armed.pop(id(entry), None)

    def _run(self):
        while True:
            with self._lock:
                now = time.monotonic()
                expired = [entry for entry in self._armed.values() if entry.deadline <= now]
                for entry in expired:
                    entry.fired = True
                    del self._armed[id(entry)]
                idle = not self._armed
                if idle:
                    self._wake.clear()
            for entry in expired:
                _shut(entry.raw)
            if idle:
                self._wake.wait()
            else:
                time.sleep(self.TICK)


watchdog = Watchdog()


class Breaker:
    """After the database failed to answer in time, refuse new connections for a few
    seconds instead of waiting for each attempt (per process)."""

    def __init__(self):
        self.open_until = 0.0

    def trip(self, seconds: float):
        self.open_until = time.monotonic() + seconds

    def reset(self):
        self.open_until = 0.0

    def check(self):
        remaining = self.open_until - time.monotonic()
        if remaining > 0:
            raise Database.OperationalError(
                f"The database did not answer in time moments ago; not trying again for {remaining:.1f} s."
            )


breaker = Breaker()


def _timed_out(seconds: float) -> OperationalError:
    breaker.trip(max(_connect_timeout(), 1.0))
    return OperationalError(f"The database did not answer within {seconds:g} s; the connection was closed.")


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(self._time_limited_execute)

    def get_new_connection(self, conn_params):
        breaker.check()
        started = time.monotonic()
        try:
            connection = super().get_new_connection(conn_params)
        except Database.OperationalError:
            # Trip only on a timeout: a refused connection or a wrong password fails fast anyway.
            timeout = _connect_timeout()
            if timeout and time.monotonic() - started >= timeout * 0.9:
                breaker.trip(timeout)
            raise
        breaker.reset()
        return connection

    def is_usable(self):
        seconds = _connect_timeout()
        with watchdog.limit(self.connection, seconds) as limit:
            usable = super().is_usable()
        if limit is not None and limit.fired:
            breaker.trip(max(seconds, 1.0))
            return False
        return usable

    def _time_limited_execute(self, execute, sql, params, many, context):
        seconds = _statement_limit()
        try:
            with watchdog.limit(self.connection, seconds) as limit:
                result = execute(sql, params, many, context)
        except Exception as exc:
            if limit is not None and limit.fired:
                raise _timed_out(seconds) from exc
            raise
        if limit is not None and limit.fired:
            raise _timed_out(seconds)
        return result

    def _guarded(self, method):
        seconds = _statement_limit()
        try:
            with watchdog.limit(self.connection, seconds) as limit:
                method()
        except Exception as exc:
            if limit is not None and limit.fired:
                raise _timed_out(seconds) from exc
            raise

    def _commit(self):
        self._guarded(super()._commit)

    def _rollback(self):
        self._guarded(super()._rollback)
