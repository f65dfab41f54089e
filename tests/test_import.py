"""Importing historical records: all or nothing, problems named by line and field, people
matched across referrals, and the imported records counted in the report like any others."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accommodation.models import Fund, Placement
from cases.models import Case
from eip.people.models import Role
from evaluation.report import Period, monitoring_report
from referrals.matching import person_candidates, referral_identity
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


def _year_2020():
    """A whole historical year: five referrals, onward referrals, accommodation needs and a
    placement, a case that was contacted and then refused, a consultation that found a case not
    suitable, a declined referral."""
    lines = [
        # R1: placed through the programme, referred on to a DVPP, completed after 8 weeks.
        {"record": "referral", "id": "Y-1", "borough": "Camden", "team": "child_in_need", "received": "2020-03-02",
         "first_name": "Aaron", "last_name": "Able", "date_of_birth": "1985-07-01", "gender": "man",
         "ethnicity": "white_other", "decision": "accepted", "decided": "2020-03-04", "acknowledged": "2020-03-03"},
        {"record": "consultation", "referral": "Y-1", "date": "2020-03-09", "outcome": "suitable"},
        {"record": "accommodation_need", "referral": "Y-1", "date": "2020-03-10", "outcome": "placed",
         "outcome_date": "2020-03-12"},
        {"record": "placement", "referral": "Y-1", "date": "2020-03-12", "end": "2020-04-09", "kind": "hotel_bnb",
         "provider": "Hotel", "nightly_rate": 50, "move_on": "private_rented"},
        {"record": "intervention", "referral": "Y-1", "date": "2020-03-16"},
        {"record": "onward_referral", "referral": "Y-1", "date": "2020-05-11", "service": "dvpp",
         "status": "engaged", "started": "2020-05-20", "following_consultation": True},
        {"record": "closure", "referral": "Y-1", "date": "2020-05-11", "reason": "completed"},
        # R2: suitable, being contacted, then refused; closed as did not engage.
        {"record": "referral", "id": "Y-2", "borough": "Sutton", "team": "early_help", "received": "2020-04-06",
         "first_name": "Ben", "last_name": "Best", "decision": "accepted", "decided": "2020-04-08"},
        {"record": "consultation", "referral": "Y-2", "date": "2020-04-14", "outcome": "suitable"},
        {"record": "awaiting_start", "referral": "Y-2", "date": "2020-04-20", "state": "being_contacted"},
        {"record": "awaiting_start", "referral": "Y-2", "date": "2020-05-04", "state": "refused"},
        {"record": "closure", "referral": "Y-2", "date": "2020-05-20", "reason": "did_not_engage"},
        # R3: declined at referral.
        {"record": "referral", "id": "Y-3", "borough": "Camden", "team": "child_in_need", "received": "2020-06-01",
         "first_name": "Carl", "last_name": "Cole", "decision": "declined", "decided": "2020-06-03",
         "decline_reason": "not_known_to_csc"},
        # R4: not suitable at consultation (not known to children's services).
        {"record": "referral", "id": "Y-4", "borough": "Camden", "team": "child_protection", "received": "2020-07-06",
         "first_name": "Dan", "last_name": "Dee", "decision": "accepted", "decided": "2020-07-08"},
        {"record": "consultation", "referral": "Y-4", "date": "2020-07-13", "outcome": "not_suitable",
         "reason": "not_known_to_csc"},
        # R5: found other accommodation, referred to housing options, completed after 10 weeks.
        {"record": "referral", "id": "Y-5", "borough": "Sutton", "team": "child_in_need", "received": "2020-09-07",
         "first_name": "Eli", "last_name": "East", "decision": "accepted", "decided": "2020-09-09"},
        {"record": "consultation", "referral": "Y-5", "date": "2020-09-14", "outcome": "suitable"},
        {"record": "accommodation_need", "referral": "Y-5", "date": "2020-09-15", "outcome": "found_other",
         "outcome_date": "2020-09-30"},
        {"record": "intervention", "referral": "Y-5", "date": "2020-09-21"},
        {"record": "onward_referral", "referral": "Y-5", "date": "2020-09-22", "service": "housing_options",
         "status": "accepted", "following_consultation": True},
        {"record": "closure", "referral": "Y-5", "date": "2020-11-30", "reason": "completed"},
    ]  # fmt: skip
    return "".join(json.dumps(line) + "\n" for line in lines)


def _without_time(report):
    return {key: value for key, value in report.items() if key != "generated_at"}


def test_a_whole_year_imports_into_an_empty_database_without_a_fund_and_reports_as_worked_by_hand(db, tmp_path):
    BoroughFactory(name="Camden", code="camden")
    BoroughFactory(name="Sutton", code="sutton")
    Fund.objects.all().delete()
    UserFactory(role=Role.ADMINISTRATOR, email="admin@eip.test")
    today = timezone.localdate()
    this_month = Period(today.replace(day=1), today)
    before = _without_time(monitoring_report(period=this_month))
    year = tmp_path / "2020.jsonl"
    year.write_text(_year_2020())
    call_command("import_cases", str(year), "--user", "admin@eip.test")

    report = monitoring_report(period=Period(date(2020, 1, 1), date(2020, 12, 31)))
    assert report["monitoring"] == {
        "referrals_received": 5,
        "assessed_suitable_for_consultation": 4,  # Y-1, Y-2, Y-4, Y-5
        "assessed_unsuitable": 2,  # Y-3 declined, Y-4 not suitable at consultation
        "case_consultations_held": 4,
        "receiving_intensive_intervention": 2,  # Y-1, Y-5
        "assessed_as_requiring_accommodation": 2,  # Y-1 (need and request, once), Y-5
        "received_accommodation": 1,
        "found_accommodation_another_way": 0,  # recorded on the case's accommodation page; none imported
        "stopped_engaging_before_planned_end": 0,
        "average_intervention_weeks": 9.0,  # 56 and 70 days
        "shortest_intervention_weeks": 8.0,
        "longest_intervention_weeks": 10.0,
        "engagement_rate": 100,
        "onward_referrals_following_consultation": 2,
    }
    assert report["suitable_not_started"] == {
        "suitable": 4,
        "started": 2,
        "due_to_start": 0,
        "being_contacted": 0,
        "further_assessment": 0,
        "refused": 1,
        "not_suitable_at_consultation": 1,
        "closed_before_starting": 0,
        "not_recorded": 0,
    }
    assert report["accommodation_needs"] == {
        "assessed_as_needing": 2,
        "placed_through_programme": 1,
        "found_other_accommodation": 1,
        "not_needed_after_all": 0,
        "in_process": 0,
    }
    assert report["unsuitable_reasons"] == {
        "at_referral": {"not_known_to_csc": 1},
        "at_consultation": {"not_known_to_csc": 1},
    }
    assert report["onward_referrals"]["by_service"]["Domestic violence perpetrator programme (DVPP)"] == {"Engaged": 1}
    assert report["accommodation"]["placements"] == 1 and report["accommodation"]["nights"] == 28
    assert report["accommodation"]["committed_in_period"] == "1400.00"
    # Charged to no phase (none covered March 2020), never to today's fund; this month is untouched.
    placement = Placement.objects.get()
    assert placement.fund is None
    assert placement.request.requested_at.date() == date(2020, 3, 12)
    assert _without_time(monitoring_report(period=this_month)) == before


def test_an_imported_placement_charges_the_phase_its_date_falls_in(setup, tmp_path):
    Fund.objects.all().delete()
    phase_1 = Fund.objects.create(
        name="Phase 1", starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31), total=1, places=1
    )
    Fund.objects.create(name="Phase 2", starts_on=date(2021, 1, 1), total=Decimal("14000"), places=10)
    year = tmp_path / "2020.jsonl"
    year.write_text(_year_2020())
    call_command("import_cases", str(year), "--user", "admin@eip.test")
    assert Placement.objects.get().fund == phase_1


def test_importing_the_same_history_twice_is_refused_and_changes_nothing(setup, tmp_path, capsys):
    year = tmp_path / "2020.jsonl"
    year.write_text(_year_2020())
    call_command("import_cases", str(year), "--user", "admin@eip.test")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_cases", str(year), "--user", "admin@eip.test")
    assert "file: this file was imported on" in capsys.readouterr().err
    # The same referral inside another file is refused on its own line.
    overlapping = tmp_path / "overlap.jsonl"
    overlapping.write_text(
        json.dumps({"record": "referral", "id": "Y-9", "borough": "Camden", "team": "other", "received": "2020-10-01",
                    "first_name": "Fay", "last_name": "Fox"}) + "\n" + "\n".join(_year_2020().splitlines()[7:12]) + "\n"
    )  # fmt: skip
    with pytest.raises(CommandError):
        call_command("import_cases", str(overlapping), "--user", "admin@eip.test")
    assert "line 2, id: referral 'Y-2' was imported on" in capsys.readouterr().err
    assert Referral.objects.count() == 5


def test_a_record_the_format_does_not_allow_is_named_by_line_and_field(setup, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    lines = _year_2020().splitlines()
    lines[5] = lines[5].replace('"engaged"', '"delighted"').replace("true", '"yes"')
    lines[2] = lines[2].replace('"placed"', '"hotel"')
    bad.write_text("\n".join(lines))
    with pytest.raises(CommandError):
        call_command("import_cases", str(bad), "--user", "admin@eip.test")
    err = capsys.readouterr().err
    assert "line 6, status: 'delighted' is not one of" in err
    assert "line 6, following_consultation: must be true or false" in err
    assert "line 3, outcome: 'hotel' is not one of" in err
    assert not Referral.objects.exists()


def test_an_imported_person_is_found_by_the_matcher_when_referred_again(setup):
    call_command("import_cases", str(EXAMPLE), "--user", "admin@eip.test")
    ian = Person.objects.get(first_name="Ian")
    # A new referral spells him differently and swaps the day and month of his birth.
    again = Referral(client_first_name="Iain", client_last_name="Irwin", client_date_of_birth=date(1984, 10, 2))
    matches = person_candidates(identity=referral_identity(again))
    assert matches and matches[0].person == ian
