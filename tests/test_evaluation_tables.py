"""The evaluator's export carries everything the monitoring report counts: `evaluation_tables`
rebuilds the report's tables from the four CSV files alone, figure for figure."""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from eip.people.models import Role
from evaluation import export
from evaluation.report import Period, monitoring_report
from tests.factories import BoroughFactory, UserFactory
from tests.test_import import _year_2020

pytestmark = pytest.mark.django_db


def _soag(referral, stage, day, **ratings):
    answers = {"physical": "none", "sexual": "dont_know", "harassment": "none", "jcc": "none", **ratings}
    return {"record": "assessment", "referral": referral, "instrument": "soag", "stage": stage, "date": day,
            "answers": answers}  # fmt: skip


def _needs(referral, stage, day, housing):
    from assessments.instruments import NEEDS_AREAS

    answers = {code: [10, 10] for code, _, _ in NEEDS_AREAS} | {"housing": [housing, housing]}
    return {"record": "assessment", "referral": referral, "instrument": "needs", "stage": stage, "date": day,
            "answers": answers}  # fmt: skip


@pytest.fixture
def history(db, tmp_path):
    BoroughFactory(name="Camden", code="camden")
    BoroughFactory(name="Sutton", code="sutton")
    UserFactory(role=Role.ADMINISTRATOR, email="admin@eip.test")
    extra = [
        _soag("Y-1", "intake", "2020-03-16", harassment="moderate", jcc="high", physical="standard"),
        _soag("Y-1", "exit", "2020-05-11", jcc="standard", sexual="none"),
        _soag("Y-5", "intake", "2020-09-21", jcc="moderate"),
        _soag("Y-5", "exit", "2020-11-30", jcc="none"),
        _needs("Y-1", "intake", "2020-03-16", 3),
        _needs("Y-1", "exit", "2020-05-11", 8),
        _needs("Y-5", "intake", "2020-09-21", 4),
        _needs("Y-5", "exit", "2020-11-30", 9),
        {"record": "meeting", "referral": "Y-1", "date": "2020-03-20"},
        {"record": "meeting", "referral": "Y-1", "date": "2020-04-02"},
        {"record": "meeting", "referral": "Y-5", "date": "2020-10-01"},
    ]
    lines = _year_2020() + "".join(json.dumps(line) + "\n" for line in extra)
    # A second referral of the first person, later in the year: demographics count the person once.
    again = {"record": "referral", "id": "Y-6", "borough": "Camden", "team": "other", "received": "2020-10-05",
             "first_name": "Aaron", "last_name": "Able", "date_of_birth": "1985-07-01", "gender": "man",
             "ethnicity": "white_other"}  # fmt: skip
    lines += json.dumps(again) + "\n"
    source = tmp_path / "2020.jsonl"
    source.write_text(lines)
    call_command("import_cases", str(source), "--user", "admin@eip.test")
    folder = tmp_path / "export"
    folder.mkdir()
    for name, (columns, rows) in export.FILES.items():
        (folder / f"eip-evaluation-{name}-2026-11-30.csv").write_text("".join(export.csv_lines(columns, rows())))
    return folder


def _rebuilt(folder, first, last):
    out = io.StringIO()
    call_command("evaluation_tables", str(folder), "--from", first, "--to", last, stdout=out)
    return json.loads(out.getvalue())


def _report(start, end):
    report = json.loads(json.dumps(monitoring_report(period=Period(start, end))))
    report.pop("generated_at")
    report["accommodation"].pop("fund")
    return report


@pytest.mark.parametrize(
    "first, last, start, end",
    [
        ("2020-01", "2020-12", date(2020, 1, 1), date(2020, 12, 31)),
        ("2020-03", "2020-03", date(2020, 3, 1), date(2020, 3, 31)),
        ("2020-05", "2020-05", date(2020, 5, 1), date(2020, 5, 31)),
        ("2020-09", "2020-11", date(2020, 9, 1), date(2020, 11, 30)),
    ],
)
def test_the_export_rebuilds_every_figure_of_the_report(history, first, last, start, end):
    assert _rebuilt(history, first, last) == _report(start, end)


def test_the_rebuilt_year_carries_the_hand_worked_figures(history):
    year = _rebuilt(history, "2020-01", "2020-12")
    assert year["monitoring"]["onward_referrals_following_consultation"] == 2
    assert year["accommodation_needs"]["found_other_accommodation"] == 1
    assert year["soag"]["intake_vs_exit"]["jcc"]["reduction_percent"] == 50  # 2 -> 1 of 2
    assert year["demographics"]["individuals"] == 5  # six referrals, Aaron twice
    assert year["timeliness"]["case_weeks"] > 0


def test_a_period_that_is_not_whole_months_or_a_missing_file_is_explained(history, tmp_path):
    with pytest.raises(CommandError, match="not a month"):
        call_command("evaluation_tables", str(history), "--from", "2020-01-05", "--to", "2020-02")
    partial = tmp_path / "partial"
    partial.mkdir()
    for name in ("referrals", "assessments"):
        (partial / f"{name}.csv").write_text((history / f"eip-evaluation-{name}-2026-11-30.csv").read_text())
    with pytest.raises(CommandError, match="events.csv is missing"):
        call_command("evaluation_tables", str(partial), "--from", "2020-01", "--to", "2020-02")


def test_the_export_that_rebuilds_the_tables_leaves_through_the_guard_naming_no_one(history, client):
    """The export holding every kind of record the tables need (onward referrals, accommodation needs,
    not-started states, reasons, the partner's measure) is released by the outbound guard as it is, and
    carries no name, date of birth, address, phone, email or staff name."""
    from django.urls import reverse

    from cases.models import Case
    from eip import outbound
    from eip.people.models import User
    from partner_outcomes.services import partner_outcome_record
    from referrals.models import PartnerDetails, Referral

    case = Case.objects.get(
        referral__client_first_name="Aaron", referral__received_at__year=2020, referral__team="child_in_need"
    )
    PartnerDetails.objects.filter(referral=case.referral).update(
        first_name="Zephyrine", last_name="Quill", phone="07700 900987"
    )
    worker = UserFactory(role=Role.SOCIAL_WORKER, full_name="Wendy Worker")
    answers = {
        "physical": "none",
        "sexual": "none",
        "harassment": "weekly",
        "jcc": "daily",
        "feels_safe": 2,
        "listened_to": "partly",
    }
    partner_outcome_record(
        case=case, user=worker, stage="intake", asked_on=date(2020, 3, 10), asked_by="social_worker", answers=answers
    )
    client.force_login(UserFactory(role=Role.EVALUATOR), backend="eip.people.backends.AccountBackend")
    body = ""
    for name, (columns, rows) in export.FILES.items():
        response = client.get(reverse(f"evaluation-export-{name.replace('_', '-')}"))
        assert response.status_code == 200 and outbound.is_released(response)
        content = b"".join(response.streaming_content).decode()
        assert content == "".join(export.csv_lines(columns, rows()))  # nothing withheld
        body += content
    for kind in ("onward_referral", "accommodation_need", "awaiting_start", "consultation"):
        assert kind in body
    assert ",weekly,daily,2,partly" in body  # the partner's coded answers, pseudonymised
    secrets = {"Zephyrine", "Quill", "07700 900987", "Wendy Worker", "1985-07-01", "01/07/1985"}
    for referral in Referral.objects.all():
        secrets |= {referral.client_first_name, referral.client_last_name, referral.client_postcode or ""}
    for user in User.objects.all():
        secrets |= {user.email, user.full_name}
    found = [s for s in secrets if s and len(s) > 2 and s in body]
    assert found == []
