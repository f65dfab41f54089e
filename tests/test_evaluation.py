"""The monitoring report against figures worked out by hand, its formats and delivery, and
the anonymised export scanned for every identifying value held in the database."""

import csv
import io
import json
import re
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accommodation import services as accommodation_services
from accommodation.models import Fund
from assessments.services import assessment_complete
from cases import services as case_services
from cases.models import Case
from eip.people.models import Role
from evaluation import export
from evaluation.formats import report_csv, report_pdf, suppress_small
from evaluation.models import ReportDelivery
from evaluation.report import Period, monitoring_report, percent
from evaluation.tasks import monthly_report_send
from referrals import services as referral_services
from referrals.models import PartnerDetails, Person, Referral
from tests.assessment_factories import needs, soag
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
JANUARY = Period(date(2021, 1, 1), date(2021, 1, 31))


def at(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    "part, whole, expected",
    [(1, 8, 13), (3, 8, 38), (5, 8, 63), (1, 3, 33), (2, 3, 67), (1, 200, 1), (0, 5, 0), (5, 5, 100), (1, 0, None)],
)
def test_percentages_are_whole_numbers_rounded_half_up(part, whole, expected):
    assert percent(part, whole) == expected


@pytest.fixture
def january(monkeypatch):
    """Four referrals, three people, two cases, one placement, worked through January 2021."""
    Fund.objects.all().delete()
    fund = Fund.objects.create(name="Phase 1", total=Decimal("14000.00"), places=10)
    camden = BoroughFactory(name="Camden", code="camden")
    sutton = BoroughFactory(name="Sutton", code="sutton")
    housing = UserFactory(role=Role.HOUSING_SPOC, borough=camden)
    camden.housing_spoc = housing
    camden.save()
    sw_camden = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    sw_sutton = UserFactory(role=Role.SOCIAL_WORKER, borough=sutton)
    p = UserFactory(role=Role.PRACTITIONER)
    finance = UserFactory(role=Role.FINANCE)

    def clock(moment):
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    # R1: Camden, Child in Need, received Mon 4 Jan (due Thu 7), acknowledged Tue 5, accepted Wed 6.
    clock(at(2021, 1, 4, 10))
    r1 = make_referral(
        sw_camden,
        team="child_in_need",
        client_first_name="Adam",
        client_last_name="Adams",
        client_date_of_birth=date(1985, 6, 15),
        client_ethnicity="white_british",
    )
    clock(at(2021, 1, 5, 10))
    referral_services.referral_acknowledge(referral=r1, user=p, consultation_timeline="Soon")
    person_a = referral_services.referral_link_person(referral=r1, user=p, person=None)
    clock(at(2021, 1, 6, 10))
    case_a = referral_services.referral_accept(referral=r1, user=p)
    # R2: Camden, Early Help, received Mon 11 Jan (due Thu 14), acknowledged late on Fri 15, accepted.
    clock(at(2021, 1, 11, 10))
    r2 = make_referral(
        sw_camden,
        team="early_help",
        client_first_name="Bilal",
        client_last_name="Bashir",
        client_date_of_birth=date(1990, 1, 20),
        client_ethnicity="asian_indian",
    )
    clock(at(2021, 1, 15, 10))
    referral_services.referral_acknowledge(referral=r2, user=p, consultation_timeline="Soon")
    referral_services.referral_link_person(referral=r2, user=p, person=None)
    case_b = referral_services.referral_accept(referral=r2, user=p)
    # R3: Sutton, Child Protection, received Mon 18 Jan, declined Tue 19 (on time).
    clock(at(2021, 1, 18, 10))
    r3 = make_referral(
        sw_sutton,
        team="child_protection",
        client_first_name="Cara",
        client_last_name="Cole",
        client_gender="woman",
        client_date_of_birth=date(1995, 3, 1),
        client_ethnicity="not_known",
    )
    clock(at(2021, 1, 19, 10))
    referral_services.referral_decline(
        referral=r3, user=p, reason="risk_too_high", details="", suggested_onward_referrals=""
    )
    # R4: the same person as R1 referred again on Mon 25 Jan; never acknowledged.
    clock(at(2021, 1, 25, 10))
    r4 = make_referral(
        sw_camden,
        team="child_in_need",
        client_first_name="Adam",
        client_last_name="Adams",
        client_date_of_birth=date(1985, 6, 15),
        client_ethnicity="white_british",
    )
    Referral.objects.filter(pk=r4.pk).update(person=person_a)
    # A referral in December is outside the period.
    clock(at(2020, 12, 14, 10))
    make_referral(sw_camden, client_first_name="Dan", client_last_name="Dee")

    # Case A: consultation Fri 8 Jan (suitable), intervention from Mon 11, meetings Thu 14 and Thu 21,
    # accommodation requested Tue 12 and placed from Wed 13 for 28 nights.
    clock(at(2021, 1, 8, 10))
    c = case_services.consultation_schedule(
        case=case_a, user=p, scheduled_at=at(2021, 1, 8, 10), modality="video", attendees="SW"
    )
    case_services.consultation_record_outcome(consultation=c, user=p, outcome="suitable")
    case_services.risk_plan_revise(case=case_a, user=p, risks="R")
    for party in ("client", "partner"):
        case_services.consent_record(
            case=case_a,
            user=p,
            party=party,
            given_on=date(2021, 1, 8),
            method="written",
            obtained_by="SW",
            sharing="Both",
        )
    clock(at(2021, 1, 11, 9))
    case_services.intervention_start(case=case_a, user=p, started_on=date(2021, 1, 11))
    clock(at(2021, 1, 12, 9))
    request = accommodation_services.accommodation_request(
        case=case_a,
        user=p,
        needed_from=date(2021, 1, 13),
        reason="R",
        risks_and_mitigation="R",
        scenario_planning="S",
        housing_options_explained=True,
        preferred_area="",
        exclusion_areas="NW1",
    )
    placement = accommodation_services.placement_propose(
        request=request,
        user=housing,
        provider="Hotel",
        kind="hotel_bnb",
        address="1 Road",
        nightly_rate=Decimal("50"),
        fixed_amount=None,
        start_on=date(2021, 1, 13),
        planned_end_on=date(2021, 2, 10),
        distance_miles=Decimal("2"),
        out_of_borough=False,
    )
    accommodation_services.placement_decide(placement=placement, user=finance, approve=True)
    for held in (date(2021, 1, 14), date(2021, 1, 21)):
        clock(at(held.year, held.month, held.day, 16))
        case_services.meeting_record(case=case_a, user=p, held_on=held, attendees="SW, practitioner")
    # Case B: consultation Wed 20 Jan finds it not suitable; a DVPP referral follows on Thu 21.
    clock(at(2021, 1, 20, 10))
    c = case_services.consultation_schedule(
        case=case_b, user=p, scheduled_at=at(2021, 1, 20, 10), modality="telephone", attendees="SW"
    )
    case_services.consultation_record_outcome(
        consultation=c, user=p, outcome="not_suitable", not_suitable_reason="risk_too_high"
    )
    case_services.onward_referral_record(case=case_b, user=p, service="dvpp", made_on=date(2021, 1, 21))
    clock(at(2021, 2, 3, 10))
    return {"fund": fund, "cases": (case_a, case_b), "practitioner": p}


def test_the_monitoring_figures_match_the_hand_count(january):
    report = monitoring_report(period=JANUARY)
    assert report["monitoring"] == {
        "referrals_received": 4,  # R1-R4 (not December's)
        "assessed_suitable_for_consultation": 2,  # R1 and R2 accepted
        "assessed_unsuitable": 2,  # R3 declined + case B's consultation
        "case_consultations_held": 2,
        "receiving_intensive_intervention": 1,  # case A
        "assessed_as_requiring_accommodation": 1,
        "received_accommodation": 1,
        "found_accommodation_another_way": 0,
        "stopped_engaging_before_planned_end": 0,
        "average_intervention_weeks": None,  # no intervention ended in January
        "shortest_intervention_weeks": None,
        "longest_intervention_weeks": None,
        "engagement_rate": 100,  # 1 of 1
        "onward_referrals_following_consultation": 1,  # case B's DVPP referral
    }
    assert report["referrals"] == {
        "by_borough": {"Camden": 3, "Sutton": 1},
        "by_team": {"Child Protection": 1, "Child in Need": 2, "Early Help": 1},
    }
    assert report["pathways"] == {"consulted_only": 1, "intensive": 0, "intensive_and_accommodation": 1}
    assert report["outcomes"] == {"completed": 0, "dropped_out": 0, "did_not_engage": 0}
    assert report["timeliness"] == {
        "referrals": 4,
        "acknowledged_within_3_working_days_percent": 50,
        "case_weeks": 3,
        "case_weeks_with_meeting_percent": 67,
    }
    assert report["accommodation"]["placements"] == 1 and report["accommodation"]["nights"] == 28
    assert report["accommodation"]["fund"]["committed"] == "1400.00"  # 28 nights at £50
    assert report["onward_referrals"] == {
        "total": 1,
        "by_service": {"Domestic violence perpetrator programme (DVPP)": {"Made": 1}},
    }


def test_demographics_count_individuals_not_referrals(january):
    demographics = monitoring_report(period=JANUARY)["demographics"]
    assert demographics["individuals"] == 3  # Adam was referred twice
    assert demographics["gender"] == {"Man": {"count": 2, "percent": 67}, "Woman": {"count": 1, "percent": 33}}
    # Adam at 25 Jan 2021 (born 15 Jun 1985): 35 years 7 months; Bilal at 11 Jan 2021 (born 20 Jan 1990):
    # 30 years 11 months; Cara at 18 Jan 2021 (born 1 Mar 1995): 25 years 10 months.
    assert demographics["age_at_referral"] == {
        "median": {"years": 30, "months": 11},
        "minimum": {"years": 25, "months": 10},
        "maximum": {"years": 35, "months": 7},
        "not_known": 0,
    }
    assert demographics["ethnicity_groups"] == {
        "Asian or Asian British": {"count": 1, "percent": 33},
        "Not known": {"count": 1, "percent": 33},
        "White": {"count": 1, "percent": 33},
    }
    assert demographics["black_asian_minoritised"] == {"count": 1, "percent": 33}


@pytest.fixture
def eight_clients(camden, monkeypatch):
    """Eight clients with intake SOAG and needs in January; two of them also at exit."""
    p = UserFactory(role=Role.PRACTITIONER)
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    cases = []
    for number in range(8):
        referral = make_referral(worker, client_first_name=f"Client{number}")
        referral_services.referral_acknowledge(referral=referral, user=p, consultation_timeline="x")
        referral_services.referral_link_person(referral=referral, user=p, person=None)
        case = referral_services.referral_accept(referral=referral, user=p)
        Case.objects.filter(pk=case.pk).update(stage="exit", intervention_started_on=date(2021, 1, 4))
        cases.append(Case.objects.get(pk=case.pk))
    for number, case in enumerate(cases):
        # Physical abuse at intake: high for client 0 only (1 of 8 = 12.5% -> 13%).
        # Coercive control: moderate for everyone. Sexual abuse: don't know for 7 of 8.
        assessment_complete(
            case=case,
            user=p,
            instrument="soag",
            stage="intake",
            assessed_on=date(2021, 1, 6),
            answers=soag(
                physical="high" if number == 0 else "none",
                jcc="moderate",
                sexual="none" if number == 0 else "dont_know",
            ),
        )
    # Clients 0 and 1 at exit: physical none for both; coercive control standard for 0, none for 1.
    for number in (0, 1):
        assessment_complete(
            case=cases[number],
            user=p,
            instrument="soag",
            stage="exit",
            assessed_on=date(2021, 1, 28),
            answers=soag(jcc="standard" if number == 0 else "none"),
        )
        assessment_complete(
            case=cases[number],
            user=p,
            instrument="needs",
            stage="intake",
            assessed_on=date(2021, 1, 6),
            review_date=date(2021, 2, 1),
            answers=needs([3 if number == 0 else 8] + [10] * 9),
        )
        assessment_complete(
            case=cases[number],
            user=p,
            instrument="needs",
            stage="exit",
            assessed_on=date(2021, 1, 28),
            review_date=date(2021, 2, 1),
            answers=needs([9 if number == 0 else 8] + [10] * 9),
        )
    return cases


def test_the_soag_profile_and_intake_exit_change_match_the_hand_count(eight_clients):
    soag_report = monitoring_report(period=JANUARY)["soag"]
    physical = soag_report["intake_profile"]["physical"]
    assert physical["clients"] == 8 and physical["perpetrating_percent"] == 13  # 1 of 8 = 12.5, rounded half up
    assert physical["severity_percent"] == {"high": 13, "moderate": 0, "standard": 0, "none": 88, "dont_know": 0}
    assert soag_report["intake_profile"]["sexual"]["severity_percent"]["dont_know"] == 88  # 7 of 8 = 87.5
    change = soag_report["intake_vs_exit"]
    assert change["physical"]["clients"] == 2
    assert (
        change["physical"]["intake_perpetrating_percent"],
        change["physical"]["exit_perpetrating_percent"],
        change["physical"]["reduction_percent"],
    ) == (50, 0, 100)
    assert (
        change["jcc"]["intake_perpetrating_percent"],
        change["jcc"]["exit_perpetrating_percent"],
        change["jcc"]["reduction_percent"],
    ) == (100, 50, 50)
    assert change["jcc"]["exit_severity_percent"] == {
        "high": 0,
        "moderate": 0,
        "standard": 50,
        "none": 50,
        "dont_know": 0,
    }


def test_needs_at_intake_and_exit_match_the_hand_count(eight_clients):
    needs_report = monitoring_report(period=JANUARY)["needs"]
    assert needs_report["clients_with_intake_and_exit"] == 2
    # Housing: intake 3 and 8 (both a need, one high, average 5.5); exit 9 and 8 (one need, average 8.5).
    assert needs_report["intake"]["housing"] == {
        "label": "Housing",
        "clients": 2,
        "with_need": 2,
        "with_high_need": 1,
        "average_practitioner_score": 5.5,
    }
    assert needs_report["exit"]["housing"] == {
        "label": "Housing",
        "clients": 2,
        "with_need": 1,
        "with_high_need": 0,
        "average_practitioner_score": 8.5,
    }
    assert needs_report["exit"]["identity"]["with_need"] == 0


def test_the_report_renders_as_csv_json_and_a_pdf_whose_text_carries_the_figures(january, tmp_path, client):
    report = monitoring_report(period=JANUARY)
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert ["monitoring", "referrals_received", "4"] in rows
    assert ["demographics.black_asian_minoritised", "percent", "33"] in rows
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf(report))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "monitoring report" in text and "2021-01-01 to 2021-01-31" in text
    assert re.search(r"Referrals received\s+4", text) and re.search(r"Engagement rate\s+100%", text)
    assert "Adam" not in text and "Bashir" not in text
    manager = UserFactory(role=Role.PROGRAMME_MANAGER)
    client.force_login(manager, backend="eip.people.backends.AccountBackend")
    query = {
        "date_from_0": "1",
        "date_from_1": "1",
        "date_from_2": "2021",
        "date_to_0": "31",
        "date_to_1": "1",
        "date_to_2": "2021",
    }
    data = json.loads(client.get(reverse("monitoring-report"), {**query, "format": "json"}).content)
    assert data["monitoring"]["referrals_received"] == 4 and data["schema_version"] == 2
    page = client.get(reverse("monitoring-report"), query).content.decode()
    assert "Referrals received" in page and "<svg" in page


def test_small_numbers_can_be_suppressed_for_publication(january):
    report = suppress_small(monitoring_report(period=JANUARY), 5)
    assert report["monitoring"]["referrals_received"] == "<5"
    assert report["demographics"]["gender"]["Man"] == {"count": "<5", "percent": "*"}
    assert report["monitoring"]["engagement_rate"] == 100


def test_the_command_writes_each_format_and_explains_bad_dates(january, tmp_path, capsys):
    call_command("mopac_report", "--from", "2021-01-01", "--to", "2021-01-31", "--format", "json")
    assert json.loads(capsys.readouterr().out)["monitoring"]["referrals_received"] == 4
    out = tmp_path / "r.pdf"
    call_command("mopac_report", "--from", "2021-01-01", "--to", "2021-01-31", "--format", "pdf", "--output", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="is not a date"):
        call_command("mopac_report", "--from", "2021-13-01", "--to", "2021-01-31")
    with pytest.raises(CommandError, match="same as or after"):
        call_command("mopac_report", "--from", "2021-02-01", "--to", "2021-01-31")


def test_last_months_report_is_emailed_once_on_the_first_working_day(january):
    UserFactory(role=Role.PROGRAMME_MANAGER, email="pm@eip.test")
    mail.outbox.clear()
    assert monthly_report_send("2021-02-01") is True  # Monday 1 February 2021
    assert monthly_report_send("2021-02-01") is False  # beat fired twice
    assert monthly_report_send("2021-02-02") is False  # not the first working day
    (message,) = mail.outbox
    assert message.to == ["pm@eip.test"] and "January 2021" in message.subject
    assert [a[0] for a in message.attachments] == ["eip-monitoring-2021-01.pdf", "eip-monitoring-2021-01.csv"]
    assert ReportDelivery.objects.get().sent_at is not None


def test_a_month_starting_at_a_weekend_is_sent_on_the_monday(january):
    UserFactory(role=Role.PROGRAMME_MANAGER)
    assert monthly_report_send("2021-05-01") is False  # Saturday
    assert monthly_report_send("2021-05-04") is True  # Monday 3 May is a bank holiday; Tuesday 4 May


@pytest.mark.document_scan
def test_the_export_contains_no_name_birth_date_postcode_phone_or_email(january, eight_clients, client):
    evaluator = UserFactory(role=Role.EVALUATOR)
    client.force_login(evaluator, backend="eip.people.backends.AccountBackend")
    body = ""
    for name in (
        "evaluation-export-referrals",
        "evaluation-export-assessments",
        "evaluation-export-events",
        "evaluation-export-case-weeks",
        "evaluation-export-partner-outcomes",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200 and response.streaming
        body += b"".join(response.streaming_content).decode()
    assert body.count("\n") > 20
    secrets = set()
    for r in Referral.objects.all():
        secrets |= {
            r.client_first_name,
            r.client_last_name,
            r.client_phone,
            r.client_email,
            r.client_postcode,
            r.client_address,
            r.case_dynamic,
        }
        if r.client_date_of_birth:
            secrets |= {r.client_date_of_birth.isoformat(), r.client_date_of_birth.strftime("%d/%m/%Y")}
    for partner in PartnerDetails.objects.all():
        secrets |= {partner.first_name, partner.last_name, partner.phone, partner.postcode, partner.address}
    for person in Person.objects.all():
        secrets |= {person.first_name, person.last_name}
    from eip.people.models import User

    for user in User.objects.all():
        secrets |= {user.email, user.full_name}
    secrets = {s for s in secrets if s and len(str(s)) > 2}
    assert len(secrets) > 30
    found = [s for s in secrets if str(s) in body]
    assert found == []


def test_pseudonymous_ids_are_stable_and_keyed(january, settings):
    rows = list(export.referral_rows())
    again = list(export.referral_rows())
    assert [r[0] for r in rows] == [r[0] for r in again]
    # The person referred twice has one ID on both referrals.
    person_ids = [r[0] for r in rows]
    assert len(person_ids) == 5 and len(set(person_ids)) == 4
    settings.EIP_PSEUDONYM_KEY = "another-key"
    assert [r[0] for r in export.referral_rows()] != person_ids


# Cells a spreadsheet would run as a formula, planted where an administrator, an importer or a
# form could have stored them; each reaches at least one CSV.
HOSTILE = {
    "borough": '=HYPERLINK("http://x.example","Open")',
    "team": "-2+3+cmd|' /C calc'!A0",
    "gender": "@SUM(1+1)",
    "item": "+cmd|' /C calc'!A0",
    "rating": "\t=1+1",
    "second_item": "\r=2+2",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cells(text):
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_neutralised(text, planted):
    cells = _cells(text)
    executable = [c for c in cells if c.startswith(FORMULA_START) and not re.fullmatch(r"-\d+(\.\d+)?", c)]
    assert executable == []
    # Each planted value is still there, shown as text behind a single quote.
    for value in planted:
        assert "'" + value in cells, value


@pytest.mark.probe(12)
def test_csv_exports_neutralise_cells_a_spreadsheet_would_execute(january, client):
    from assessments.models import AssessmentAnswer
    from eip.people.models import Borough

    Borough.objects.filter(code="camden").update(name=HOSTILE["borough"])
    Referral.objects.filter(client_first_name="Adam").update(team=HOSTILE["team"])
    # Outside the report's period: the report only counts genders it knows.
    Referral.objects.filter(client_first_name="Dan").update(client_gender=HOSTILE["gender"])
    # A genuine negative number (acknowledged "before" it was received, as an import can have it) stays numeric.
    bilal = Referral.objects.get(client_first_name="Bilal")
    Referral.objects.filter(pk=bilal.pk).update(acknowledged_at=bilal.received_at - timedelta(days=3))
    case = january["cases"][0]
    assessment_complete(
        case=case,
        user=january["practitioner"],
        instrument="soag",
        stage="intake",
        assessed_on=date(2021, 1, 9),
        answers=soag(physical="high"),
    )
    first, second = AssessmentAnswer.objects.filter(assessment__case=case).order_by("pk")[:2]
    AssessmentAnswer.objects.filter(pk=first.pk).update(item=HOSTILE["item"], rating=HOSTILE["rating"])
    AssessmentAnswer.objects.filter(pk=second.pk).update(item=HOSTILE["second_item"])

    client.force_login(UserFactory(role=Role.PROGRAMME_MANAGER), backend="eip.people.backends.AccountBackend")
    query = {"date_from_0": "1", "date_from_1": "1", "date_from_2": "2021", "date_to_0": "31", "date_to_1": "1"}
    report = client.get(reverse("monitoring-report"), {**query, "date_to_2": "2021", "format": "csv"})
    assert report.status_code == 200
    _assert_neutralised(report.content.decode(), [HOSTILE["borough"], HOSTILE["team"]])
    # The monthly e-mail attaches the same CSV.
    _assert_neutralised(report_csv(monitoring_report(period=JANUARY)), [HOSTILE["borough"], HOSTILE["team"]])

    client.force_login(UserFactory(role=Role.EVALUATOR), backend="eip.people.backends.AccountBackend")
    referrals = b"".join(client.get(reverse("evaluation-export-referrals")).streaming_content).decode()
    _assert_neutralised(referrals, [HOSTILE["borough"], HOSTILE["team"], HOSTILE["gender"]])
    assert "-3" in _cells(referrals)
    assessments = b"".join(client.get(reverse("evaluation-export-assessments")).streaming_content).decode()
    _assert_neutralised(assessments, [HOSTILE["item"], HOSTILE["rating"], HOSTILE["second_item"]])


@pytest.mark.probe(12)
@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ("-1+1", "'-1+1"),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-120.00", "-120.00"),
        (-3, -3),
        (Decimal("-1.50"), Decimal("-1.50")),
        ("Camden", "Camden"),
        ("", ""),
        (None, None),
    ],
)
def test_a_cell_that_would_start_a_formula_is_shown_as_text(value, cell):
    from eip.spreadsheets import neutralise_formula

    assert neutralise_formula(value) == cell


@pytest.mark.probe(12)
def test_every_csv_writer_goes_through_the_neutralising_writer():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    apps = ["eip", "referrals", "cases", "assessments", "accommodation", "evaluation"]
    writers = [
        f"{path.relative_to(root)}"
        for app in apps
        for path in (root / app).rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text()) and path.name != "spreadsheets.py"
    ]
    assert writers == []


def test_the_export_rebuilds_januarys_report_from_records_entered_on_screen(january, eight_clients, tmp_path):
    """The same check as tests/test_evaluation_tables.py, on records made through the services."""
    for name, (columns, rows) in export.FILES.items():
        (tmp_path / f"{name}.csv").write_text("".join(export.csv_lines(columns, rows())))
    out = io.StringIO()
    call_command("evaluation_tables", str(tmp_path), "--from", "2021-01", "--to", "2021-01", stdout=out)
    report = json.loads(json.dumps(monitoring_report(period=JANUARY)))
    report.pop("generated_at")
    report["accommodation"].pop("fund")
    assert json.loads(out.getvalue()) == report
