"""The production smoke test (run by .ci/run): follow README's "Production deployment" literally.

    .venv/bin/python tests/production_smoke.py [--readme FILE] [--keep]

It copies the checkout to a temporary /opt/eip, starts a PostgreSQL cluster (password
authentication over TCP), a Redis and an SMTP sink of its own, fills /etc/eip/eip.env and
owner.env from deploy/*.env.example, and runs every README step marked `<!-- smoke: NAME -->`
with bash, word for word, except that these paths point into the temporary folder:
/opt/eip, /etc/eip, /var/lib/eip and the address 127.0.0.1:8000. The "services" step names the
systemd units to enable; each unit's ExecStart is run as systemd would (its WorkingDirectory
and EnvironmentFile). Then, over HTTP as the proxy would send it (Host and X-Forwarded-Proto),
the first administrator signs in and enrols an authenticator (a real TOTP code computed from
the secret the page shows), records Camden's information sharing agreement and adds a social
worker and a practitioner in the admin site; the social worker signs in with a second factor of
their own and submits a referral; and the worker must e-mail the practitioner about it.

A README step that is missing, or fails, fails this test. Standard library only: it must not
lean on the checkout's own virtual environment.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import socketserver
import struct
import subprocess  # nosec B404: this test runs the deployment's own commands
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "eip.example.org"
STEPS = ["database", "install", "first-run", "services", "check"]
ADMIN_EMAIL = "admin@council.example.org"  # as in the README's first-run step
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class SmokeFailure(Exception):
    pass


def say(message: str) -> None:
    print(f"[smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SmokeFailure(f"{what} is not listening on port {port} after {timeout:.0f} s")


# --- the README ------------------------------------------------------------------------------


def readme_steps(text: str) -> dict[str, str]:
    section = text.split("## Production deployment", 1)[-1].split("\n## ", 1)[0]
    steps = dict(re.findall(r"<!-- smoke: ([\w-]+) -->\s*```sh\n(.*?)```", section, re.S))
    missing = [name for name in STEPS if name not in steps]
    if missing:
        raise SmokeFailure(f"README's Production deployment has no step marked <!-- smoke: {missing[0]} -->")
    return steps


def substituted(text: str, places: dict[str, str]) -> str:
    for original, replacement in places.items():
        text = text.replace(original, replacement)
    return text


# --- the outside world: PostgreSQL, Redis, a mail server --------------------------------------


class Postgres:
    def __init__(self, root: Path):
        self.bindir = Path(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())  # noqa: S607
        if not (self.bindir / "initdb").exists():
            self.bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        self.dir = root / "postgres"
        self.dir.mkdir()
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-U", "postgres", "-E", "UTF8", "--locale=C")
        self._run("initdb", "--version")
        with open(self.dir / "data" / "pg_hba.conf", "w") as hba:
            # The superuser through the socket (step 2); everyone else by password over TCP.
            hba.write("local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w", "-o", options, "start")

    def _run(self, program, *args):
        subprocess.run([*self.as_postgres, str(self.bindir / program), *args], check=True, capture_output=True)  # noqa: S603

    def superuser_env(self) -> dict:
        return {"PGHOST": str(self.dir), "PGPORT": str(self.port), "PGUSER": "postgres"}

    def stop(self):
        subprocess.run(  # noqa: S603
            [*self.as_postgres, str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop"],
            capture_output=True,
        )


class Redis:
    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, 20, "redis-server")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class MailSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP to accept mail: every message is kept with its recipients. A
    `greeting_delay` makes it a slow mail server: each connection waits that long for its greeting,
    before any message is handed over (a client that dies meanwhile has sent nothing)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, greeting_delay: float = 0):
        self.messages: list[tuple[list[str], str]] = []
        self.greeting_delay = greeting_delay
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        time.sleep(self.server.greeting_delay)
        self.reply("220 smoke-sink ESMTP")
        recipients = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 smoke-sink")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk.decode(errors="replace"))
                self.server.messages.append((recipients, "".join(data)))
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


# --- systemd, as far as the units need it ---------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"')
    return values


def write_env_file(example: Path, target: Path, values: dict[str, str], places: dict[str, str]) -> None:
    """The example file with the smoke's values filled in; every value must be a key the
    example already has (so the example stays complete)."""
    lines, seen = [], set()
    for line in example.read_text().splitlines():
        key = line.split("=", 1)[0].strip()
        if line.strip() and not line.lstrip().startswith("#") and key in values:
            line = f'{key}="{values[key]}"'
            seen.add(key)
        lines.append(substituted(line, places))
    missing = set(values) - seen
    if missing:
        raise SmokeFailure(f"{example.name} does not list {', '.join(sorted(missing))}")
    text = "\n".join(lines) + "\n"
    if "CHANGE-ME" in text:
        raise SmokeFailure(f"{example.name}: a CHANGE-ME value was left unfilled")
    target.write_text(text)


def unit_service(path: Path, places: dict[str, str]) -> dict[str, str]:
    fields, section = {}, None
    for line in substituted(path.read_text(), places).splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            fields[key] = value
    return fields


class Service:
    def __init__(self, name: str, unit: dict[str, str], log_dir: Path, home: Path):
        env = {"PATH": SYSTEM_PATH, "LANG": "C.UTF-8", "HOME": str(home)}
        if "EnvironmentFile" in unit:
            env.update(read_env_file(Path(unit["EnvironmentFile"].lstrip("-"))))
        self.name = name
        self.log = log_dir / f"{name}.log"
        self.process = subprocess.Popen(  # noqa: S603
            shlex.split(unit["ExecStart"]),
            cwd=unit.get("WorkingDirectory"),
            env=env,
            stdout=open(self.log, "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self):
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


# --- a browser, as far as the flow needs one --------------------------------------------------


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238, as an authenticator app computes it: HMAC-SHA1, 30-second steps, 6 digits."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((at or time.time()) // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


class Browser:
    """Sends what the proxy in front of gunicorn would (Host, X-Forwarded-Proto: https)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | list | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.10"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"https://{HOST}",
                    "Referer": f"https://{HOST}{path}",
                }
            )
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode(errors="replace")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=Thu, 01 Jan 1970" in cookie or "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        connection.close()
        return response.status, response.headers, content

    def get(self, path, expect=200):
        status, headers, content = self.request("GET", path)
        if status != expect:
            raise SmokeFailure(f"GET {path} answered {status}, expected {expect}: {content[:500]}")
        return content

    def post(self, path, form, expect=302, csrf_from=None):
        page = self.get(csrf_from or path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not token:
            raise SmokeFailure(f"no CSRF token on {csrf_from or path}")
        if isinstance(form, dict):
            form = {**form, "csrfmiddlewaretoken": token.group(1)}
        else:
            form = [*form, ("csrfmiddlewaretoken", token.group(1))]
        status, headers, content = self.request("POST", path, form)
        if status != expect:
            errors = re.findall(r'class="(?:govuk-error-message|errorlist)[^"]*"[^>]*>(.*?)</', content, re.S)
            raise SmokeFailure(f"POST {path} answered {status}, expected {expect}; errors: {errors or content[:800]}")
        return headers, content

    def send_referral(self, answers: dict) -> dict:
        """Answer the referral's question pages in turn (each page reads only its own questions),
        then send it from "Check your answers". Returns the headers of the answer to sending."""
        form = {key: value for key, value in answers.items() if key not in ("version", "action")}
        headers, _content = self.post("/referrals/new/", form)
        for _page in range(12):
            path = headers["Location"]
            if path.rstrip("/").endswith("/edit"):
                break
            version = re.search(r'name="version" value="(\d+)"', self.get(path))
            if not version:
                raise SmokeFailure(f"the referral page {path} carries no version")
            headers, _content = self.post(path, {**form, "version": version.group(1)})
        headers, _content = self.post(path, {"action": "submit"})
        return headers

    def sign_in_and_enrol(self, email: str, password: str) -> None:
        """Sign in with the password, then set up an authenticator with a real TOTP code."""
        self.post("/sign-in/", {"username": email, "password": password, "next": "/home/"})
        setup = self.get("/two-factor/set-up/")
        found = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', setup)
        if not found:
            raise SmokeFailure("the two-factor set-up page shows no secret")
        secret = found.group(1).replace(" ", "")
        _headers, content = self.post(
            "/two-factor/set-up/", {"code": totp(secret), "next": "/home/"}, expect=200, csrf_from="/two-factor/set-up/"
        )
        if "recovery" not in content.lower():
            raise SmokeFailure("enrolling the authenticator did not show the recovery codes")
        self.get("/home/")  # signed in, second factor passed

    def admin_id(self, listing: str, label: str) -> str:
        page = self.get(listing)
        found = re.search(rf'href="{re.escape(listing)}(\d+)/change/[^"]*">{re.escape(label)}</a>', page)
        if not found:
            raise SmokeFailure(f"{label} is not in {listing}")
        return found.group(1)


def option_value(page: str, label: str) -> str:
    found = re.search(rf'<option value="(\d+)"[^>]*>{re.escape(label)}</option>', page)
    if not found:
        raise SmokeFailure(f"no option {label!r} on the page")
    return found.group(1)


REFERRAL = {
    "version": "1",
    "action": "submit",
    "team": "early_help",
    "client_first_name": "Smoke",
    "client_last_name": "Test",
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
    "partner-first_name": "Casey",
    "partner-lives_with_client": "yes",
    "children-TOTAL_FORMS": "1",
    "children-INITIAL_FORMS": "0",
    "children-MIN_NUM_FORMS": "0",
    "children-MAX_NUM_FORMS": "12",
    "children-0-age": "6",
    "children-0-plan": "cin",
}


def the_flow(web_port: int, admin_password: str, sink: MailSink) -> str:
    admin = Browser(web_port)
    admin.sign_in_and_enrol(ADMIN_EMAIL, admin_password)
    say("the administrator signed in with a second factor")

    camden = admin.admin_id("/admin/people/borough/", "Camden")
    admin.post(
        f"/admin/people/borough/{camden}/change/",
        {
            "name": "Camden",
            "code": "camden",
            "spoc": "",
            "housing_spoc": "",
            "isa_in_place": "on",
            "isa_signed_on": date.today().isoformat(),
            "_save": "Save",
        },
    )
    add_form = admin.get("/admin/people/user/add/")
    people = {
        "social_worker": ("sw.smoke@council.example.org", "Sam Smoke", "London Borough of Camden", camden),
        "practitioner": ("practitioner.smoke@council.example.org", "Alex Smoke", "Cranstoun", ""),
    }
    passwords = {}
    for role, (email, name, organisation, borough) in people.items():
        passwords[role] = f"Smoke-{secrets.token_urlsafe(12)}"
        admin.post(
            "/admin/people/user/add/",
            {
                "email": email,
                "full_name": name,
                "role": role,
                "organisation": option_value(add_form, organisation),
                "borough": borough,
                "usable_password": "true",
                "password1": passwords[role],
                "password2": passwords[role],
                "_save": "Save",
            },
        )
    say("Camden's agreement recorded; a social worker and a practitioner added in the admin site")

    worker = Browser(web_port)
    worker.sign_in_and_enrol(people["social_worker"][0], passwords["social_worker"])
    headers = worker.send_referral(REFERRAL)
    detail = worker.get(headers["Location"])
    reference = re.search(r"EIP-\d{4}-\d{4}", detail)
    if not reference:
        raise SmokeFailure("the submitted referral shows no reference")
    say(f"the social worker signed in with a second factor and submitted referral {reference.group(0)}")

    practitioner = people["practitioner"][0]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for recipients, message in list(sink.messages):
            if practitioner in recipients and f"New referral {reference.group(0)}" in message:
                return reference.group(0)
        time.sleep(0.5)
    raise SmokeFailure(f"no e-mail about {reference.group(0)} reached {practitioner} within 90 s")


# --- the run ----------------------------------------------------------------------------------


def bash(script: str, cwd: Path, env: dict, log: Path, what: str) -> float:
    started = time.monotonic()
    with open(log, "a") as output:
        output.write(f"\n### {what}\n{script}\n###\n")
        output.flush()
        result = subprocess.run(  # noqa: S603
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,  # noqa: S607
        )
    if result.returncode:
        raise SmokeFailure(f"README step {what!r} failed (exit {result.returncode}); see {log}")
    return time.monotonic() - started


def copy_checkout(target: Path) -> None:
    listed = subprocess.run(  # noqa: S603
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = REPO / name.decode()
        if source.is_file():
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def shell_env() -> dict:
    """This machine's environment minus anything of the checkout's own runs."""
    dropped = ("DJANGO_", "DATABASE_", "CELERY_", "EIP_", "REDIS_URL", "VIRTUAL_ENV", "PYTHONPATH", "PG")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env["PATH"] = ":".join(p for p in env.get("PATH", SYSTEM_PATH).split(":") if str(REPO) not in p)
    return env


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readme", type=Path, help="follow this README instead of the checkout's")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args(argv)
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="eip-smoke-"))
    root.chmod(0o755)  # PostgreSQL's own user must reach its data folder
    code, etc, state = root / "opt-eip", root / "etc-eip", root / "var-lib-eip"
    for folder in (code, etc, state, state / "media", state / "logs"):
        folder.mkdir(parents=True)
    web_port = free_port()
    places = {
        "/opt/eip": str(code),
        "/etc/eip": str(etc),
        "/var/lib/eip": str(state),
        "127.0.0.1:8000": f"127.0.0.1:{web_port}",
    }
    log = state / "logs" / "steps.log"
    services: list[Service] = []
    postgres = redis = sink = None
    ok = False
    try:
        copy_checkout(code)
        if options.readme:
            shutil.copy(options.readme, code / "README.md")
        steps = {
            name: substituted(body, places) for name, body in readme_steps((code / "README.md").read_text()).items()
        }
        postgres, redis, sink = Postgres(root), Redis(), MailSink()
        say(f"PostgreSQL on {postgres.port}, Redis on {redis.port}, mail sink on {sink.port}; code in {code}")

        owner_password, app_password = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        admin_password = f"Admin-{secrets.token_urlsafe(16)}"
        write_env_file(
            code / "deploy" / "eip.env.example",
            etc / "eip.env",
            {
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": HOST,
                "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
                "EIP_BASE_URL": f"https://{HOST}",
                "DATABASE_URL": f"postgres://eip_app:{app_password}@127.0.0.1:{postgres.port}/eip",
                "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
                "EIP_PSEUDONYM_KEY": secrets.token_urlsafe(32),
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(sink.port),
                "EMAIL_USE_TLS": "0",
                "GUNICORN_WORKERS": "2",
                "CELERY_WORKER_CONCURRENCY": "2",
            },
            places,
        )
        write_env_file(
            code / "deploy" / "owner.env.example",
            etc / "owner.env",
            {"DATABASE_URL": f"postgres://eip:{owner_password}@127.0.0.1:{postgres.port}/eip"},
            places,
        )

        env = shell_env()
        took = bash(
            steps["database"],
            code,
            {**env, **postgres.superuser_env(), "EIP_OWNER_PASSWORD": owner_password, "EIP_APP_PASSWORD": app_password},
            log,
            "database",
        )
        say(f"step database: {took:.0f} s")
        took = bash(steps["install"], code, env, log, "install")
        say(f"step install (fresh virtual environment, assets, migrate, grant, collectstatic): {took:.0f} s")
        took = bash(steps["first-run"], code, {**env, "EIP_ADMIN_PASSWORD": admin_password}, log, "first-run")
        say(f"step first-run: {took:.0f} s")

        enabled = re.search(r"systemctl enable --now ([\w@. -]+)", steps["services"])
        if not enabled:
            raise SmokeFailure("README's services step does not enable the units")
        for name in enabled.group(1).split():
            unit = code / "deploy" / "systemd" / f"{name}.service"
            if f"{unit}" not in steps["services"]:
                raise SmokeFailure(f"README's services step enables {name} but does not install {unit.name}")
            services.append(Service(name, unit_service(unit, places), state / "logs", state))
        say(f"started {', '.join(s.name for s in services)} from their systemd units")
        wait_for_port(web_port, 60, "gunicorn")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, _headers, content = Browser(web_port).request("GET", "/readyz")
            if status == 200:
                break
            time.sleep(1)
        took = bash(steps["check"], code, env, log, "check")
        say("step check: " + " ".join((state / "logs" / "steps.log").read_text().split("### check")[-1].split()[-6:]))

        reference = the_flow(web_port, admin_password, sink)
        say(f"the worker e-mailed the practitioner about {reference}")

        web_log = (state / "logs" / "eip-web.log").read_text()
        if not re.search(r'"route": "referrals/new/", "status": 302, "duration_ms": [\d.]+, "user_id": \d+', web_log):
            raise SmokeFailure("the web log has no JSON line for the referral's submission")
        worker_log = (state / "logs" / "eip-worker.log").read_text()
        if not re.search(
            r'"task": "eip.notifications.tasks.notifications_deliver", "task_id": "[^"]+", "state": "SUCCESS"',
            worker_log,
        ):
            raise SmokeFailure("the worker log has no JSON line for the delivery task")
        if admin_password in (web_log + worker_log + log.read_text()):
            raise SmokeFailure("the administrator's password reached a log")
        ok = True
        say(f"PASSED in {time.monotonic() - started:.0f} s")
        return 0
    except SmokeFailure as failure:
        say(f"FAILED: {failure}")
        for name in ["steps", *(s.name for s in services)]:
            path = state / "logs" / f"{name}.log"
            if path.exists():
                print(f"\n----- last lines of {path.name} -----\n" + "\n".join(path.read_text().splitlines()[-40:]))
        return 1
    finally:
        stopping = time.monotonic()
        for service in reversed(services):
            service.stop()
        if services:
            say(f"stopped the services in {time.monotonic() - stopping:.0f} s (SIGTERM, as systemd stops them)")
        for server in (redis, postgres):
            if server is not None:
                server.stop()
        if sink is not None:
            sink.shutdown()
        if ok and not options.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            say(f"kept {root}")


if __name__ == "__main__":
    sys.exit(main())
