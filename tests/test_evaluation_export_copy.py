"""The assessments file written by PostgreSQL (COPY) is the file Python writes, byte for byte,
whatever the values hold; it can be asked for a period; and it passes the outbound guard as
the Python path does: refused whole before it starts, stopped where it goes wrong after."""

import csv
import io
import threading
import time
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from assessments.instruments import NEEDS_AREAS
from assessments.models import AssessmentAnswer
from assessments.services import assessment_complete
from eip import outbound
from eip.audit.models import AuditEvent
from eip.people.models import Role
from eip.spreadsheets import csv_line
from evaluation import export, export_copy
from tests.assessment_factories import needs, soag
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case
from tests.test_cases import to_intervention

# COPY reads on a connection of its own, which sees committed rows only.
pytestmark = pytest.mark.django_db(transaction=True)

PARTNER_PHONE = "07700 900999"


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.fail("The COPY path is PostgreSQL's; run the suite on PostgreSQL (DATABASE_URL).")


@pytest.fixture
def assessed():
    """Three cases' assessments, with the values a CSV writer can get wrong planted in them."""
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER)
    people = {"worker": worker, "practitioner": practitioner}
    cases = [
        to_intervention(make_case(worker, practitioner, partner={"phone": PARTNER_PHONE}), people, date(2026, 1, 6))
        for _ in range(3)
    ]
    for n, case in enumerate(cases):
        assessment_complete(
            case=case,
            user=practitioner,
            instrument="soag",
            stage="intake",
            assessed_on=date(2026, 1, 9 + n),
            answers=soag(physical="high"),
        )
        assessment_complete(
            case=case,
            user=practitioner,
            instrument="needs",
            stage="intake",
            assessed_on=date(2026, 3 + n, 2),
            review_date=date(2026, 6, 1),
            answers=needs([5] * len(NEEDS_AREAS)),
        )
    answers = list(AssessmentAnswer.objects.filter(assessment__case=cases[1]).order_by("pk"))
    planted = [
        ("item", 'a,"quoted" item'),
        ("item", "two\nlines"),
        ("item", "carriage\rreturn"),
        ("rating", "=1+1"),
        ("rating", "-5"),
        ("rating", "-5 days"),
        ("rating", "\t@tab"),
        ("rating", ""),
        ("rating", "Łódź café ✓"),
        ("rating", "\\."),
        ("rating", " spaced "),
        ("rating", "\r=2+2"),
    ]
    for answer, (field, value) in zip(answers, planted, strict=False):
        AssessmentAnswer.objects.filter(pk=answer.pk).update(**{field: value})
    AssessmentAnswer.objects.filter(pk=answers[-1].pk).update(user_score=None, practitioner_score=None)
    return {"cases": cases, "practitioner": practitioner}


def by_python(**period):
    return "".join(export.csv_lines(export.ASSESSMENT_COLUMNS, export.assessment_rows(**period)))


def by_copy(**period):
    blocks = export_copy.assessment_blocks(**period)
    return csv_line(export.ASSESSMENT_COLUMNS) + "".join(text for _, text in blocks)


def test_the_database_writes_the_assessments_file_byte_for_byte_as_python_does(assessed, settings):
    python = by_python()
    assert python.count("\r\n") > 40 and '"a,""quoted"" item"' in python and "'=1+1" in python
    assert by_copy().encode() == python.encode()
    # A key longer than SHA-256's block is hashed first, in the database as in Python.
    settings.EIP_PSEUDONYM_KEY = "k" * 100
    assert by_copy().encode() == by_python().encode() != python.encode()


def test_a_period_gives_the_assessments_made_in_it(assessed):
    march = {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)}
    rows = list(csv.DictReader(io.StringIO(by_copy(**march))))
    assert {r["assessment_month"] for r in rows} == {"2026-03"} and len(rows) == len(NEEDS_AREAS)
    assert by_copy(**march) == by_python(**march)
    everything = list(csv.DictReader(io.StringIO(by_copy())))
    assert len(everything) == 3 * (len(soag()) + len(NEEDS_AREAS))


def test_the_evaluator_downloads_a_period_from_the_export_page(assessed, client):
    evaluator = UserFactory(role=Role.EVALUATOR)
    client.force_login(evaluator, backend="eip.people.backends.AccountBackend")
    page = client.get(reverse("evaluation-export"))
    assert "Assessments made in a period" in page.content.decode()
    query = {"date_from_0": "1", "date_from_1": "1", "date_from_2": "2026"}
    query |= {"date_to_0": "31", "date_to_1": "1", "date_to_2": "2026"}
    response = client.get(reverse("evaluation-export-assessments"), query)
    assert response.status_code == 200 and outbound.is_released(response)
    assert 'filename="eip-evaluation-assessments-2026-01-01-to-2026-01-31.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    january = {"date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31)}
    assert body == by_python(**january) and body.count("\r\n") == 1 + 3 * len(soag())
    assert AuditEvent.objects.filter(
        action="exported", actor=evaluator, record_label="Evaluation export: assessments 2026-01-01..2026-01-31"
    ).exists()
    # A period the wrong way round is explained beside its field; nothing is downloaded.
    query |= {"date_to_2": "2025"}
    refused = client.get(reverse("evaluation-export-assessments"), query)
    assert refused.status_code == 200 and not refused.streaming
    text = refused.content.decode()
    assert "There is a problem" in text and "The last day must be the same as or after the first day" in text


def _plant_partner_phone(assessed, where):
    answer = AssessmentAnswer.objects.filter(assessment__case=assessed["cases"][where]).order_by("pk").first()
    AssessmentAnswer.objects.filter(pk=answer.pk).update(rating=f"call {PARTNER_PHONE}")


def test_a_partners_phone_number_in_the_file_is_refused_before_it_starts(assessed, client):
    _plant_partner_phone(assessed, 0)
    client.force_login(UserFactory(role=Role.EVALUATOR), backend="eip.people.backends.AccountBackend")
    response = client.get(reverse("evaluation-export-assessments"))
    page = response.content.decode()
    assert response.status_code == 403 and "This document was not released" in page and PARTNER_PHONE not in page
    assert "phone number, in row 2, column “rating”" in page
    assert AuditEvent.objects.filter(action="outbound_refused").exists()
    assert not AuditEvent.objects.filter(action="exported").exists()


def test_a_file_that_goes_wrong_after_it_started_stops_there_and_says_why(assessed, client, monkeypatch):
    monkeypatch.setattr(outbound, "PRIME_ROWS", 0)
    _plant_partner_phone(assessed, 2)
    client.force_login(UserFactory(role=Role.EVALUATOR), backend="eip.people.backends.AccountBackend")
    response = client.get(reverse("evaluation-export-assessments"))
    body = b"".join(response.streaming_content).decode()
    lines = list(csv.reader(io.StringIO(body)))
    # The header, the first two referrals' rows, and the reason: the third's rows were withheld.
    assert len(lines) == 1 + AssessmentAnswer.objects.filter(assessment__case__in=assessed["cases"][:2]).count() + 1
    assert lines[-1][0].startswith("# EXPORT STOPPED by the outbound guard: the partner's phone number, in row")
    assert PARTNER_PHONE not in body


def test_a_cancelled_download_stops_the_database_reading(assessed, monkeypatch):
    monkeypatch.setattr(export_copy, "BLOCKS_AHEAD", 1)  # the reader waits, a referral ahead
    blocks = export_copy.assessment_blocks()
    next(blocks)
    assert [t for t in threading.enumerate() if t.name == "eip-export-copy"]
    blocks.close()
    assert not [t for t in threading.enumerate() if t.name == "eip-export-copy"]


def test_an_export_stuck_in_the_database_ends_at_its_own_time_limit(assessed, settings, monkeypatch):
    """A stuck export (here a statement that sleeps) is cancelled at the export's own limit
    rather than holding its connection for ever."""
    settings.EIP_EXPORT_STATEMENT_TIMEOUT_MS = 200
    monkeypatch.setattr(export_copy, "assessments_sql", lambda **period: "COPY (SELECT pg_sleep(5)) TO STDOUT")
    started = time.monotonic()
    with pytest.raises(Exception, match="statement timeout"):
        list(export_copy.assessment_blocks())
    assert time.monotonic() - started < 4
