"""Two web servers behind one load balancer: two gunicorn instances on different ports, two Celery
workers, one PostgreSQL and one Redis, documents in one S3-compatible bucket (moto's server), all on
the production settings. Whichever server a request lands on, the person is the same person
(sessions), sees the same documents, and the notification one server's request caused is e-mailed
by whichever worker takes it."""

import base64
import http.client
import os
import re
import subprocess
import sys
import time
import uuid

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from eip.people.models import Role
from referrals.models import LateReferralAgreement, Referral
from tests import fault_tools
from tests.factories import PASSWORD, UserFactory
from tests.fault_tools import ROOT, Gunicorn, RedisServer, free_port
from tests.object_store import create_private_bucket, s3_environment, s3_server
from tests.production_smoke import HOST, REFERRAL, Browser, MailSink, totp

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault]

BOUNDARY = "eip-two-nodes-boundary"
AGREEMENT = b"%PDF-1.4 the agreement, uploaded through one server " + uuid.uuid4().hex.encode()


class Node(Browser):
    """A person's browser pointed at one server; `cookies` can be handed to another node, as a
    load balancer without sticky sessions would send the next request elsewhere."""

    def sign_in(self, user) -> None:
        self.post("/sign-in/", {"username": user.email, "password": PASSWORD, "next": "/home/"})
        secret = base64.b32encode(TOTPDevice.objects.get(user=user).bin_key).decode()
        self.post("/two-factor/", {"code": totp(secret), "next": "/home/"}, csrf_from="/two-factor/")
        self.get("/home/")

    def upload(self, path: str, fields: dict, name: str, content: bytes) -> int:
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        parts = [
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in {**fields, "csrfmiddlewaretoken": token}.items()
        ]
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="document"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Host": HOST,
                "X-Forwarded-Proto": "https",
                "Origin": f"https://{HOST}",
                "Referer": f"https://{HOST}{path}",
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            },
        )
        status = connection.getresponse().status
        connection.close()
        return status

    def download(self, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request("GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https", "Cookie": cookie})
        response = connection.getresponse()
        result = response.status, response.read()
        connection.close()
        return result


def _on(node: Node, port: int) -> Node:
    other = Node(port)
    other.cookies = node.cookies  # the same browser; the next request reached the other server
    return other


@pytest.fixture
def cluster(tmp_path):
    redis, sink = RedisServer(), MailSink()
    started = []
    with s3_server(free_port()) as endpoint:
        bucket = f"eip-{uuid.uuid4().hex[:12]}"
        create_private_bucket(endpoint, bucket)
        env = {
            "DJANGO_SETTINGS_MODULE": "tests.settings_two_nodes",
            "DJANGO_SECRET_KEY": "two-nodes-" + uuid.uuid4().hex * 2,
            "DATABASE_URL": fault_tools.test_database_url(),
            "REDIS_URL": redis.url,
            "EIP_PSEUDONYM_KEY": uuid.uuid4().hex,
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "EIP_BASE_URL": f"https://{HOST}",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "EMAIL_USE_TLS": "0",
            "EIP_LOG_LEVEL": "WARNING",
            **s3_environment(endpoint, bucket),
        }
        try:
            for name in ("one", "two"):
                started.append(
                    subprocess.Popen(  # noqa: S603  # nosec B603
                        [sys.executable, "-m", "celery", "-A", "eip", "worker", "-n", f"{name}@%h", "-c", "1"],
                        cwd=ROOT,
                        env={**os.environ, **env},
                        stdout=open(tmp_path / f"worker-{name}.log", "w"),  # noqa: SIM115
                        stderr=subprocess.STDOUT,
                    )
                )
            webs = [Gunicorn(env), Gunicorn(env)]
            yield {"webs": [web.port for web in webs], "sink": sink, "endpoint": endpoint, "bucket": bucket}
        finally:
            for process in started:
                process.terminate()
            for web in locals().get("webs", []):
                web.stop()
            for process in started:
                process.wait(timeout=20)
            redis.stop()
            sink.shutdown()


def _with_second_factor(**kwargs):
    user = UserFactory(**kwargs)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def test_two_web_servers_and_two_workers_serve_one_service(camden, cluster, settings):
    one, two = cluster["webs"]
    # Passwords stored as production stores them (the tests' own hasher is a fast one).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    social_worker = _with_second_factor(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = _with_second_factor(role=Role.PRACTITIONER)

    # Signed in through server one, the referral is submitted through server two.
    worker_on_one = Node(one)
    worker_on_one.sign_in(social_worker)
    worker_on_two = _on(worker_on_one, two)
    headers = worker_on_two.send_referral(REFERRAL)
    referral = Referral.objects.get()
    assert headers["Location"].endswith(f"/referrals/{referral.pk}/")
    assert referral.reference in worker_on_one.get(headers["Location"])

    # One of the two workers e-mails the practitioner, once.
    deadline = time.monotonic() + 40
    told = []
    while time.monotonic() < deadline and not told:
        told = [m for to, m in list(cluster["sink"].messages) if practitioner.email in to]
        time.sleep(0.3)
    assert len(told) == 1 and f"New referral {referral.reference}" in told[0]

    # The practitioner, signed in through server two, sees the notification through server one.
    practitioner_on_two = Node(two)
    practitioner_on_two.sign_in(practitioner)
    assert referral.reference in _on(practitioner_on_two, one).get("/notifications/")

    # A document uploaded through server two is downloaded through server one.
    Referral.objects.filter(pk=referral.pk).update(outside_window=True)
    status = practitioner_on_two.upload(
        f"/referrals/{referral.pk}/agreements/",
        {
            "party": "delivery_partner",
            "agreed_by": "Programme lead",
            "agreed_on_0": "6",
            "agreed_on_1": "1",
            "agreed_on_2": "2021",
        },
        "agreement.pdf",
        AGREEMENT,
    )
    assert status == 302
    agreement = LateReferralAgreement.objects.get()
    status, body = _on(practitioner_on_two, one).download(
        f"/referrals/{referral.pk}/agreements/{agreement.pk}/document/"
    )
    assert status == 200 and body == AGREEMENT

    # A body too big for any form is refused by its announced length, without waiting for it.
    connection = http.client.HTTPConnection("127.0.0.1", one, timeout=10)
    connection.putrequest("POST", f"/referrals/{referral.pk}/agreements/", skip_host=True)
    for header, value in (("Host", HOST), ("X-Forwarded-Proto", "https"), ("Content-Length", str(50 * 1024 * 1024))):
        connection.putheader(header, value)
    connection.endheaders(b"--only the first bytes")
    started = time.monotonic()
    response = connection.getresponse()
    assert response.status == 413 and b"The file is too big" in response.read()
    assert time.monotonic() - started < 5
    connection.close()
