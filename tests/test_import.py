"""Importing historical records: all or nothing, problems named by line and field, people
matched across referrals, and the imported records counted in the report like any others."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accommodation.models import Fund
from cases.models import Case
from eip.people.models import Role
from evaluation.report import Period, monitoring_report
from referrals.models import Person, Referral
from tests.factories import BoroughFactory, UserFactory

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parent.parent / "evaluation" / "examples" / "historical_cases.jsonl"


@pytest.fixture
def setup(db):
    BoroughFactory(name="Camden", code="camden")
    BoroughFactory(name="Sutton", code="sutton")
    Fund.objects.all().delete()
    Fund.objects.create(name="Phase 1", total=Decimal("14000"), places=10)
    return UserFactory(role=Role.ADMINISTRATOR, email="admin@eip.test")


def test_the_example_file_imports_and_counts_in_the_report(setup, capsys):
    call_command("import_cases", str(EXAMPLE), "--user", "admin@eip.test")
    assert "Imported 1 assessment, 1 closure, 1 consultation" in capsys.readouterr().out
    assert Referral.objects.count() == 3 and Person.objects.count() == 2  # Ian referred twice
    case = Case.objects.get()
    assert (case.stage, case.closure_reason, case.intervention_started_on) == ("closed", "completed", date(2020, 9, 21))
    september = monitoring_report(period=Period(date(2020, 9, 1), date(2020, 9, 30)))
    assert september["monitoring"]["referrals_received"] == 3
    assert september["monitoring"]["assessed_suitable_for_consultation"] == 1
    assert september["monitoring"]["assessed_unsuitable"] == 1
    assert september["monitoring"]["received_accommodation"] == 1
    assert september["demographics"]["individuals"] == 2
    assert september["accommodation"]["nights"] == 21
    assert september["soag"]["intake_profile"]["sexual"]["severity_percent"]["dont_know"] == 100
    november = monitoring_report(period=Period(date(2020, 11, 1), date(2020, 11, 30)))
    assert november["outcomes"]["completed"] == 1
    assert november["monitoring"]["average_intervention_weeks"] == 8.0  # 21 Sep to 16 Nov = 56 days


def test_a_file_with_any_problem_imports_nothing_and_names_each_line_and_field(setup, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        EXAMPLE.read_text() + '{"record": "referral", "id": "OLD-004", "borough": "Atlantis", "team": "child_in_need", '
        '"received": "2020-13-01", "first_name": "K", "last_name": "L"}\n'
        + '{"record": "session", "referral": "OLD-999", "date": "2020-10-01", "modality": "carrier pigeon", '
        '"attendance": "attended"}\n' + "not json\n"
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_cases", str(bad), "--user", "admin@eip.test")
    problems = capsys.readouterr().err
    assert "line 11, borough: 'Atlantis' is not a borough in EIP" in problems
    assert "line 11, received: '2020-13-01' is not a date (use YYYY-MM-DD)" in problems
    assert "line 12, referral: no referral with id 'OLD-999' earlier in the file" in problems
    assert "line 12, modality: 'carrier pigeon' is not one of" in problems
    assert "line 13, line: is not valid JSON" in problems
    assert not Referral.objects.exists() and not Person.objects.exists()


def test_an_incomplete_assessment_is_reported_and_nothing_is_kept(setup, tmp_path, capsys):
    partial = tmp_path / "partial.jsonl"
    lines = EXAMPLE.read_text().splitlines()
    lines[5] = lines[5].replace('"jcc": "high"', '"jcc": "loud"')
    partial.write_text("\n".join(lines))
    with pytest.raises(CommandError):
        call_command("import_cases", str(partial), "--user", "admin@eip.test")
    assert "line 6, answers.jcc: 'loud' is not one of" in capsys.readouterr().err
    assert not Referral.objects.exists()
