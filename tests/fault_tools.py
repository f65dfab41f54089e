"""Stand-ins for a failing outside world, for the fault tests: a server that accepts
connections and never answers, a TCP proxy that can be frozen (a database that hangs), a
private redis-server that can be stopped, and a gunicorn serving the test database."""

import os
import select
import signal
import socket
import subprocess  # nosec B404: the fault tests run our own servers
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on port {port} after {timeout} s")


class SilentServer:
    """Accepts every connection and never says a word: a hung Redis, mail server or database."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FreezableProxy:
    """A TCP proxy to `target`. `freeze()` makes it a database that hangs: it stops passing
    bytes either way on every connection and keeps accepting new ones that go nowhere."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.frozen = threading.Event()
        self.closed = False
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self):
        self.frozen.set()

    def thaw(self):
        self.frozen.clear()

    def _accept(self):
        while not self.closed:
            try:
                client = self.sock.accept()[0]
            except OSError:
                return
            self.sockets.append(client)
            if self.frozen.is_set():
                continue  # accepted, never forwarded: libpq waits for the server's greeting
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            self.sockets.append(upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a, b):
        peers = {a: b, b: a}
        while not self.closed:
            if self.frozen.is_set():
                time.sleep(0.05)
                continue
            try:
                ready, _, _ = select.select([a, b], [], [], 0.05)
                for sock in ready:
                    if self.frozen.is_set():
                        break
                    data = sock.recv(65536)
                    if not data:
                        a.close()
                        b.close()
                        return
                    peers[sock].sendall(data)
            except OSError:
                return

    def close(self):
        self.closed = True
        self.sock.close()
        for sock in self.sockets:
            try:
                sock.close()
            except OSError:
                pass


class RedisServer:
    """A private redis-server on a free port (the shared one is never stopped)."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603  # nosec B603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def test_database_url(port: int | None = None) -> str:
    """The test database's URL, optionally through another port (a proxy)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = "127.0.0.1" if port else (db["HOST"] or "localhost")
    return f"postgres://{credentials}@{host}:{port or db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


class Gunicorn:
    """The app under gunicorn (one sync worker, as in production), on the test database."""

    def __init__(self, env: dict, workers: int = 1):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="eip-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603  # nosec B603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "eip.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "eip.settings.test", **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port)

    def get(self, path: str, cookie: str = "", timeout: float = 30):
        """(status, headers, body, seconds) for GET `path`."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers={"Cookie": cookie})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
                return response.status, response.headers, response.read(), time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read(), time.monotonic() - started

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        Path(self.log.name).unlink(missing_ok=True)


class CeleryWorker:
    """A real Celery worker (prefork pool) on the test database, with real SMTP (tests.fault_settings).
    It runs in its own process group, so `kill()` takes its pool with it, as a lost host or the
    kernel's out-of-memory killer would: no goodbye to the broker, messages left unacknowledged."""

    def __init__(self, env: dict, log: Path, queue: str = "celery"):
        self.log = log
        self.output = open(log, "w")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603  # nosec B603
            [sys.executable, "-m", "celery", "-A", "eip", "worker", "-P", "prefork", "-c", "1", "-Q", queue]
            + ["-n", f"fault-{uuid.uuid4().hex[:8]}@%h", "-l", "INFO"]
            + ["--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "tests.fault_settings",
                "DATABASE_URL": test_database_url(),
                **env,
            },
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and " ready." not in self.text():
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker stopped:\n{self.text()[-3000:]}")
            time.sleep(0.2)
        if " ready." not in self.text():
            raise TimeoutError(f"the worker was not ready after {timeout} s:\n{self.text()[-3000:]}")

    def kill(self) -> None:
        """kill -9 the worker and its pool."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.output.close()


class GatedBackend:
    """A mail backend that holds every message until the test lets it go."""

    entered = threading.Event()
    release = threading.Event()
    sent: list = []

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        GatedBackend.entered.set()
        assert GatedBackend.release.wait(20)
        GatedBackend.sent += messages
        return len(messages)
