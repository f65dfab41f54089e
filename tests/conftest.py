import html
import os
import re

import pytest
from django.conf import settings
from django.db import connection

from eip.people.models import Role
from tests import message_scan
from tests.factories import BoroughFactory, UserFactory


def pytest_sessionstart(session):
    # CI sets EIP_REQUIRE_SERVICES: the suite must run on real PostgreSQL and Redis, and
    # stops with a failure rather than quietly falling back to SQLite or memory.
    if os.environ.get("EIP_REQUIRE_SERVICES"):
        engine = settings.DATABASES["default"]["ENGINE"]
        broker = settings.CELERY_BROKER_URL
        if "postgresql" not in engine or not broker.startswith("redis://"):
            pytest.exit(
                f"PostgreSQL and Redis are required (database engine {engine}, broker {broker})",
                returncode=3,
            )


@pytest.fixture(scope="session", autouse=True)
def _flush_steps_around_the_audit_truncate_guard():
    """Transactional tests end by emptying every table with TRUNCATE, which the audit table
    refuses (migration audit 0005). Here, and only here, the flush lifts that one trigger for
    its own transaction; production keeps it (tests/test_audit.py proves TRUNCATE refused)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *args, **kwargs):
        statements = original(self, style, tables, *args, **kwargs)
        if statements and "audit_auditevent" in tables:
            guard = "ALTER TABLE audit_auditevent {} TRIGGER audit_event_no_truncate"
            return [guard.format("DISABLE"), *statements, guard.format("ENABLE")]
        return statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


def pytest_configure(config):
    # Every e-mail and text the suite sends is scanned for partners' details when the run ends.
    from tests import message_scan

    if not config.pluginmanager.is_registered(message_scan):
        config.pluginmanager.register(message_scan, "eip_message_scan")


def _email_text(message) -> str:
    """An e-mail's words as its reader gets them: subject, body, HTML and text attachments."""
    parts = [str(message.subject), str(message.body)]
    for content, *_ in getattr(message, "alternatives", ()):
        parts.append(html.unescape(re.sub(r"<[^>]+>", " ", str(content))))
    for attachment in message.attachments:
        if isinstance(attachment, tuple) and isinstance(attachment[1], str):
            parts.append(attachment[1])
    return "\n".join(parts)


class _KeptTexts(list):
    """The local SMS backend's outbox, each text also kept for the canary scan."""

    def append(self, text):
        message_scan.record(
            channel="sms", to=[text["to"]], text="\n".join(str(v) for v in text["personalisation"].values())
        )
        super().append(text)


@pytest.fixture(scope="session", autouse=True)
def _messages_kept_for_the_canary_scan(django_test_environment):
    """Keep every message sent (Django's test outbox, the local SMS backend; the Notify stand-in
    keeps its own) for tests/message_scan.py, and every client's and staff member's details as
    they are saved, so that a partner's detail they share (a surname, the family home) is not
    taken for a leak. The partners are registered by the factory that makes them
    (tests/referral_factories.py), not here: the hostile-input tests save random partner names
    and dates (today's, "000") that would match any message. The receivers read only the saved
    instance, so add no query."""
    from django.core.mail.backends import locmem
    from django.db.models.signals import post_save

    from diary.reminders import NEVER_SAY
    from eip.notifications import govuk_notify
    from eip.people.models import User
    from referrals.models import Referral

    message_scan.NEVER_SAY = NEVER_SAY

    def client_saved(sender, instance, **kwargs):
        message_scan.register_not_partner(
            names=[instance.client_first_name, instance.client_last_name],
            phone=instance.client_phone,
            address=instance.client_address,
            postcode=instance.client_postcode,
            date_of_birth=instance.client_date_of_birth,
            client_email=instance.client_email,
        )

    def staff_saved(sender, instance, **kwargs):
        message_scan.register_not_partner(names=[instance.full_name])

    receivers = [(client_saved, Referral), (staff_saved, User)]
    for receiver, model in receivers:
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"canary-scan-{model.__name__}")
    original_send = locmem.EmailBackend.send_messages

    def send_messages(self, messages):
        for message in messages:
            message_scan.record(channel="email", to=message.recipients(), text=_email_text(message))
        return original_send(self, messages)

    locmem.EmailBackend.send_messages = send_messages
    original_outbox = govuk_notify.local_sms_outbox
    govuk_notify.local_sms_outbox = _KeptTexts(original_outbox)
    yield
    govuk_notify.local_sms_outbox = original_outbox
    locmem.EmailBackend.send_messages = original_send
    for _receiver, model in receivers:
        post_save.disconnect(sender=model, dispatch_uid=f"canary-scan-{model.__name__}")


def pytest_collection_modifyitems(items):
    # A test pinning a finding of the security probe carries its number to the summary.
    for item in items:
        for mark in item.iter_markers("probe"):
            item.user_properties.append(("probe_finding", mark.args[0] if mark.args else mark.kwargs["finding"]))


def pytest_sessionfinish(session):
    # A pytest-xdist worker hands the figures it counted to the controller, which prints them.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        from tests.figures import FIGURES

        workeroutput["eip_figures"] = dict(FIGURES)

    # Uploads made by the tests go to a temporary media folder (eip/settings/test.py); remove it.
    import shutil
    import tempfile
    from pathlib import Path

    media = Path(settings.MEDIA_ROOT)
    if media.name.startswith("eip-test-media-") and media.parent == Path(tempfile.gettempdir()):
        shutil.rmtree(media, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """On the pytest-xdist controller: add up the figures each worker counted."""
    from tests.figures import FIGURES

    FIGURES.update(getattr(node, "workeroutput", {}).get("eip_figures", {}))


def pytest_terminal_summary(terminalreporter):
    """The security figures of this run: checks that passed, not tests that merely ran."""
    from tests.figures import FIGURES

    passed = terminalreporter.stats.get("passed", [])

    def marked(name):
        return sum(1 for report in passed if report.when == "call" and name in report.keywords)

    terminalreporter.section("Security figures")
    for label, value in (
        ("URL x role answers checked", FIGURES["url_role"]),
        ("other-borough record answers checked", FIGURES["other_borough"]),
        ("hostile form submissions answered safely", FIGURES["hostile"]),
        ("fault scenarios survived (tests)", marked("fault")),
        ("tests reading generated documents for partner data", marked("document_scan")),
        ("outbound guard checks (refused canaries and clean passes)", marked("outbound_guard")),
        ("files served in the URL x role walk, each through the outbound guard", FIGURES["outbound_release"]),
    ):
        terminalreporter.write_line(f"{value:>6}  {label}")
    pinned: dict[int, int] = {}
    for report in passed:
        if report.when != "call":
            continue
        for key, finding in report.user_properties:
            if key == "probe_finding":
                pinned[finding] = pinned.get(finding, 0) + 1
    terminalreporter.write_line(f"{len(pinned):>6}  security-probe findings pinned by passing regression tests")
    for finding in sorted(pinned):
        terminalreporter.write_line(f"{pinned[finding]:>10}  tests for finding {finding}")


@pytest.fixture(autouse=True)
def _no_request_left_open():
    # The test client leaves a request "open" when a view raises or a streamed body is never read
    # (request_finished never fires); its pending publications must not swallow the next test's.
    from eip.notifications.publish import _pending

    _pending.set(None)


@pytest.fixture(scope="session", autouse=True)
def _mail_through_the_outbound_guard(django_test_environment):
    # Django's test set-up swaps EMAIL_BACKEND for locmem; put the guard's backend back in
    # front of it, so any test that sends an e-mail not released by eip.outbound fails.
    settings.EMAIL_BACKEND = "eip.outbound.ReleasedOnlyEmailBackend"


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def camden(db):
    return BoroughFactory(name="Camden", code="camden")


@pytest.fixture
def sutton(db):
    return BoroughFactory(name="Sutton", code="sutton")


@pytest.fixture
def users(db, camden):
    """One signed-up user per role; borough roles in Camden."""
    return {role: UserFactory(role=role, full_name=f"{role.label} One") for role in Role}


@pytest.fixture
def client_for(client):
    """A test client signed in as the given user."""

    def sign_in(user):
        client.force_login(user, backend="eip.people.backends.AccountBackend")
        return client

    return sign_in


@pytest.fixture(scope="session")
def _chromium():
    from tests.browser import chromium

    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture
def browser(_chromium, live_server, transactional_db):
    """Headless Chromium pointed at the live server, with a clean cookie jar."""
    from tests.browser import Browser

    _chromium.delete_all_cookies()
    yield Browser(_chromium, live_server.url)
    _chromium.delete_all_cookies()
