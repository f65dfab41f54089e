"""Health endpoints for load balancers and operators, and the pages shown when the service is
unwell: they answer without sign-in, say only status words, and never touch more than they must."""

import re

import pytest
from django.db import OperationalError
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from eip.people.models import Role
from tests.factories import UserFactory
from tests.fault_tools import SilentServer

pytestmark = pytest.mark.django_db

STATUS_WORDS = re.compile(r"^(ready|not ready)\n((database|migrations|storage|broker): (ok|failing|unknown)\n)+$")


def test_liveness_answers_without_the_database_or_a_session(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_readiness_checks_database_migrations_storage_and_broker(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content.decode() == "ready\ndatabase: ok\nmigrations: ok\nstorage: ok\nbroker: ok\n"
    assert "no-store" in response["Cache-Control"]


def test_health_answers_carry_status_words_only(client):
    # Signed in as an administrator or not, no versions, hosts, paths or errors.
    client.force_login(UserFactory(role=Role.ADMINISTRATOR), backend="eip.people.backends.AccountBackend")
    for url in (reverse("health-live"), reverse("health-ready")):
        body = client.get(url).content.decode()
        assert body == "ok\n" or STATUS_WORDS.match(body), body


def test_readiness_fails_while_a_migration_is_not_applied(client, monkeypatch):
    from eip import health

    monkeypatch.setattr(health, "_migrations_applied", False)
    # The audit app's newest migration, as if a deployment had not migrated yet.
    latest = MigrationRecorder.Migration.objects.filter(app="audit").order_by("-name").first()
    latest.delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "migrations: failing" in response.content.decode()


def test_readiness_fails_when_uploads_cannot_be_written(client, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocked / "media")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "storage: failing" in response.content.decode()


@pytest.mark.fault
@pytest.mark.parametrize("broker", ["stopped", "silent"])
def test_readiness_reports_a_broken_broker_without_failing_and_quickly(client, monkeypatch, broker):
    import time

    with SilentServer() as silent:
        port = silent.port if broker == "silent" else 1
        monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{port}/0")
        started = time.monotonic()
        response = client.get("/readyz")
        took = time.monotonic() - started
    # Still ready: the site works without the broker (notifications wait in the database).
    assert response.status_code == 200
    assert "broker: failing" in response.content.decode()
    assert took < 3


def test_a_database_failure_shows_the_unavailable_page_with_a_reference(client, monkeypatch):
    client.force_login(UserFactory(role=Role.PRACTITIONER), backend="eip.people.backends.AccountBackend")
    client.raise_request_exception = False

    def database_down(user):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("eip.views.home_for", database_down)
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page
    assert response["X-Request-ID"] in page
    assert "Connection refused" not in page


def test_any_other_failure_shows_the_problem_page_with_a_reference(client, monkeypatch):
    client.force_login(UserFactory(role=Role.PRACTITIONER), backend="eip.people.backends.AccountBackend")
    client.raise_request_exception = False
    monkeypatch.setattr("eip.views.home_for", lambda user: 1 / 0)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert response["X-Request-ID"] in page
