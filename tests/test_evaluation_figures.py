"""The report's figures worked the way the evaluators worked theirs: every percentage from the
counts, rounded once, half up. Each case here is one where rounding twice gives another answer."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accommodation.models import AccommodationRequest, Fund, Placement
from assessments.services import assessment_complete
from cases.models import Case, Consultation
from eip.people.models import Role
from evaluation.models import AccommodationNeed, AwaitingStart
from evaluation.report import Period, age_in_months, data_quality, mean, monitoring_report
from referrals import services as referral_services
from referrals.models import Referral
from tests.assessment_factories import needs, soag
from tests.factories import UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
JANUARY = Period(date(2021, 1, 1), date(2021, 1, 31))
FEBRUARY = Period(date(2021, 2, 1), date(2021, 2, 28))


def _cases(camden, count, **fields):
    practitioner = UserFactory(role=Role.PRACTITIONER)
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    cases = []
    for number in range(count):
        referral = make_referral(worker, client_first_name=f"Client{number}")
        referral_services.referral_acknowledge(referral=referral, user=practitioner, consultation_timeline="x")
        referral_services.referral_link_person(referral=referral, user=practitioner, person=None)
        case = referral_services.referral_accept(referral=referral, user=practitioner)
        Case.objects.filter(pk=case.pk).update(stage="exit", **fields)
        cases.append(Case.objects.get(pk=case.pk))
    return practitioner, cases


def _soag(case, user, stage, on, **ratings):
    assessment_complete(case=case, user=user, instrument="soag", stage=stage, assessed_on=on, answers=soag(**ratings))


@pytest.fixture
def sixteen(camden):
    """Sixteen clients with SOAGs at intake (January) and exit (January): harassment and stalking
    in 4 at intake and 2 at exit; coercive control in 15 and 8; sexual abuse "don't know" at
    intake for 15 of them."""
    user, cases = _cases(camden, 16, intervention_started_on=date(2020, 12, 1))
    for n, case in enumerate(cases):
        _soag(
            case,
            user,
            "intake",
            date(2021, 1, 4),
            harassment="moderate" if n < 4 else "none",
            jcc="high" if n < 15 else "none",
            sexual="none" if n == 0 else "dont_know",
        )
        _soag(
            case,
            user,
            "exit",
            date(2021, 1, 25),
            harassment="standard" if n < 2 else "none",
            jcc="standard" if n < 8 else "none",
        )
    return user, cases


def test_a_reduction_is_worked_from_the_counts_4_to_2_of_16_is_50_percent(sixteen):
    change = monitoring_report(period=JANUARY)["soag"]["intake_vs_exit"]
    harassment = change["harassment"]
    assert (harassment["clients"], harassment["intake_perpetrating"], harassment["exit_perpetrating"]) == (16, 4, 2)
    # 25% and 12.5% -> 13%; from the rounded percentages the reduction would be 48%.
    assert (harassment["intake_perpetrating_percent"], harassment["exit_perpetrating_percent"]) == (25, 13)
    assert harassment["reduction_percent"] == 50
    # The evaluation's coercive control line: 94% -> 50%, a 47% reduction (15 -> 8 of 16).
    assert (change["jcc"]["intake_perpetrating_percent"], change["jcc"]["exit_perpetrating_percent"]) == (94, 50)
    assert change["jcc"]["reduction_percent"] == 47
    # Sexual abuse: none perpetrating at intake, so no reduction can be worked out ("N/A").
    assert change["sexual"]["reduction_percent"] is None


def test_one_of_three_to_none_of_three_is_a_full_reduction_and_two_to_one_of_three_is_half(camden):
    user, cases = _cases(camden, 3, intervention_started_on=date(2021, 1, 4))
    for n, case in enumerate(cases):
        _soag(
            case,
            user,
            "intake",
            date(2021, 1, 6),
            physical="high" if n == 0 else "none",
            jcc="high" if n < 2 else "none",
        )
        _soag(case, user, "exit", date(2021, 2, 10), jcc="moderate" if n == 0 else "none")
    change = monitoring_report(period=FEBRUARY)["soag"]["intake_vs_exit"]
    assert (change["physical"]["intake_perpetrating_percent"], change["physical"]["exit_perpetrating_percent"]) == (
        33,
        0,
    )
    assert change["physical"]["reduction_percent"] == 100
    # 67% -> 33%: from the rounded percentages (67 - 33) / 67 = 50.7 -> 51; from the counts 2 -> 1 is 50.
    assert (change["jcc"]["intake_perpetrating_percent"], change["jcc"]["exit_perpetrating_percent"]) == (67, 33)
    assert change["jcc"]["reduction_percent"] == 50


def test_gaps_are_counted_per_item_beside_the_number_of_assessments(sixteen):
    quality = monitoring_report(period=JANUARY)["data_quality"]
    intake = quality["assessments"]["soag"]["intake"]
    assert intake["assessments"] == 16
    assert intake["items_with_gaps"] == {"sexual": {"dont_know": 15, "missing": 0}}
    assert quality["assessments"]["soag"]["exit"] == {"assessments": 16, "items_with_gaps": {}}
    assert quality["referrals"]["referrals"] == 0  # the sixteen were referred today, not in January 2021


def test_gaps_are_read_through_the_periods_assessments_once(sixteen):
    # At 100,000 cases the answers were read against every assessment ever made (an id subquery
    # joined again for the instrument): the period's assessments come first, joined once.
    with CaptureQueriesContext(connection) as queries:
        quality = data_quality(JANUARY)
    assert quality["assessments"]["soag"]["intake"]["items_with_gaps"] == {"sexual": {"dont_know": 15, "missing": 0}}
    (answers,) = [q["sql"] for q in queries.captured_queries if "assessments_assessmentanswer" in q["sql"]]
    assert len(re.findall(r'"assessments_assessment"(?!\.)', answers)) == 1  # the table, read once
    assert "IN (SELECT" not in answers


def test_averages_are_rounded_once_half_up(camden):
    assert mean(231, 28) == 8.3  # 8.25: a float round() gives 8.2
    assert mean(21, 4) == 5.3  # 5.25
    assert mean(0, 0) is None
    user, cases = _cases(camden, 4, intervention_started_on=date(2021, 1, 4))
    # Needs practitioner housing scores at exit 5, 5, 5, 6: mean 5.25 -> 5.3.
    for n, case in enumerate(cases):
        for stage, on in (("intake", date(2021, 1, 6)), ("exit", date(2021, 2, 8))):
            assessment_complete(
                case=case,
                user=user,
                instrument="needs",
                stage=stage,
                assessed_on=on,
                review_date=on,
                answers=needs([(6 if n == 3 else 5) if stage == "exit" else 2] + [10] * 9),
            )
    # Interventions of 28, 84, 59 and 60 days closed in February: 231 days / 4 / 7 = 8.25 weeks.
    for case, days in zip(cases, (28, 84, 59, 60), strict=True):
        closed = date(2021, 1, 4) + timedelta(days=days)
        Case.objects.filter(pk=case.pk).update(
            closed_at=datetime.combine(closed, datetime.min.time(), tzinfo=LONDON).replace(hour=15),
            closure_reason="completed",
            stage="closed",
        )
    report = monitoring_report(period=Period(date(2021, 2, 1), date(2021, 3, 31)))
    assert report["needs"]["exit"]["housing"]["average_practitioner_score"] == 5.3
    assert report["needs"]["intake"]["housing"]["with_high_need"] == 4
    assert report["needs"]["exit"]["housing"]["with_high_need"] == 0
    monitoring = report["monitoring"]
    assert monitoring["average_intervention_weeks"] == 8.3
    assert (monitoring["shortest_intervention_weeks"], monitoring["longest_intervention_weeks"]) == (4.0, 12.0)


def test_age_is_in_completed_months():
    assert age_in_months(date(1985, 5, 20), date(2021, 1, 19)) == 35 * 12 + 7
    assert age_in_months(date(1985, 5, 20), date(2021, 1, 20)) == 35 * 12 + 8


def test_the_suitable_cases_not_started_add_up_to_those_accepted(camden):
    user, cases = _cases(camden, 7)
    Referral.objects.filter(case__in=cases).update(decided_at=datetime(2021, 1, 10, 12, tzinfo=LONDON))
    Case.objects.filter(pk=cases[0].pk).update(intervention_started_on=date(2021, 1, 20))
    for case, state in zip(
        cases[1:5], ("due_to_start", "being_contacted", "further_assessment", "refused"), strict=True
    ):
        AwaitingStart.objects.create(case=case, state="being_contacted", recorded_on=date(2021, 1, 12))
        AwaitingStart.objects.create(case=case, state=state, recorded_on=date(2021, 1, 25))
    # A change after the period's end does not count: case 1 was still due to start on 31 January.
    AwaitingStart.objects.create(case=cases[1], state="refused", recorded_on=date(2021, 2, 2))
    Consultation.objects.create(
        case=cases[5],
        scheduled_at=datetime(2021, 1, 15, 10, tzinfo=LONDON),
        held=True,
        outcome="not_suitable",
        not_suitable_reason="not_known_to_csc",
        recorded_by=user,
    )
    report = monitoring_report(period=JANUARY)
    assert report["suitable_not_started"] == {
        "suitable": 7,
        "started": 1,
        "due_to_start": 1,
        "being_contacted": 1,
        "further_assessment": 1,
        "refused": 1,
        "not_suitable_at_consultation": 1,
        "closed_before_starting": 0,
        "not_recorded": 1,
    }
    assert report["unsuitable_reasons"]["at_consultation"] == {"not_known_to_csc": 1}
    assert report["monitoring"]["assessed_unsuitable"] == 1


def test_accommodation_needs_count_service_users_and_their_outcomes(camden):
    user, cases = _cases(camden, 5, intervention_started_on=date(2021, 1, 4))
    fund = Fund.objects.covering(date(2021, 1, 12)).first() or Fund.objects.create(
        name="Phase 1", starts_on=date(2020, 8, 1), total=Decimal("14000"), places=10
    )
    for case in cases[:4]:
        AccommodationNeed.objects.create(case=case, assessed_on=date(2021, 1, 8))
    # Placed through the programme (the placement alone says so), and asked for twice: counted once.
    for status in ("withdrawn", "approved"):
        request = AccommodationRequest.objects.create(
            case=cases[0],
            status=status,
            borough=camden,
            requested_by=user,
            needed_from=date(2021, 1, 11),
            housing_options_explained=True,
        )
    AccommodationRequest.objects.filter(case=cases[0]).update(requested_at=datetime(2021, 1, 9, 9, tzinfo=LONDON))
    Placement.objects.create(
        request=request,
        fund=fund,
        proposed_by=user,
        provider="Hotel",
        kind="hotel",
        nightly_rate=Decimal("60"),
        start_on=date(2021, 1, 12),
        planned_end_on=date(2021, 2, 9),
        distance_miles=Decimal("2"),
        status="approved",
    )
    AccommodationNeed.objects.filter(case=cases[1]).update(outcome="found_other", outcome_on=date(2021, 1, 20))
    AccommodationNeed.objects.filter(case=cases[2]).update(outcome="not_needed", outcome_on=date(2021, 2, 3))
    report = monitoring_report(period=JANUARY)
    assert report["monitoring"]["assessed_as_requiring_accommodation"] == 4
    assert report["accommodation_needs"] == {
        "assessed_as_needing": 4,
        "placed_through_programme": 1,
        "found_other_accommodation": 1,
        "not_needed_after_all": 0,  # decided on 3 February: still in process at the end of January
        "in_process": 2,
    }


def test_every_figure_of_the_report_is_defined_here_and_in_the_readme(camden):
    from pathlib import Path

    from evaluation.report import DEFINITIONS

    defined = {name.strip().split(".")[0] for d in DEFINITIONS for name in d.figure.split(",")}
    report = monitoring_report(period=JANUARY)
    sections = set(report) - {"schema_version", "period", "generated_at"}
    figures = (sections - {"monitoring"}) | set(report["monitoring"])
    assert figures - defined == set()
    readme = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text()
    for d in DEFINITIONS:
        assert f"| {d.figure} | {d.counted} | {d.population} | {d.date} | {d.evaluation_wording} |" in readme


def test_the_report_costs_the_same_queries_whether_or_not_anyone_qualifies(camden):
    """The benchmark holds the report's query count constant as data grows: a figure whose rows
    are looked up only when some case qualifies would cost more queries in a busier month."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            monitoring_report(period=JANUARY)
        return len(captured)

    empty = queries()
    user, cases = _cases(camden, 3, intervention_started_on=date(2021, 1, 4))
    Referral.objects.filter(case__in=cases).update(decided_at=datetime(2021, 1, 10, 12, tzinfo=LONDON))
    AccommodationNeed.objects.create(case=cases[0], assessed_on=date(2021, 1, 8))
    AwaitingStart.objects.create(case=cases[1], state="due_to_start", recorded_on=date(2021, 1, 12))
    assert queries() == empty


def _plan(sql, params=(), seqscan=True):
    with connection.cursor() as cursor:
        if not seqscan:  # a test database is too small for the planner to prefer an index
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    return plan


def _looked_up_per_row(sql, table) -> bool:
    """Every scan of `table` in the plan runs once per outer row (a subplan, not hashed)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()[0]

    def scans(node, per_row):
        here = per_row or (
            node.get("Parent Relationship") == "SubPlan" and not node.get("Subplan Name", "").startswith("hashed")
        )
        if node.get("Relation Name") == table:
            yield here
        for child in node.get("Plans", ()):
            yield from scans(child, here)

    found = list(scans(plan["Plan"], False))
    return bool(found) and all(found)


def _statements(fn, table):
    with CaptureQueriesContext(connection) as queries:
        fn()
    return [q["sql"] for q in queries.captured_queries if f'"{table}"' in q["sql"]]


def test_the_pathways_look_up_each_open_cases_consultations_not_every_consultation(camden):
    # At 100,000 cases PostgreSQL made "consultation held by the period's end" a semi-join that
    # hashed every consultation ever held, for the few thousand cases open in the month.
    from evaluation.report import pathways_and_outcomes

    (pathways,) = _statements(lambda: pathways_and_outcomes(JANUARY), "cases_consultation")
    assert _looked_up_per_row(pathways, "cases_consultation")
    # Whether a case was placed is asked once per case, not once per figure.
    assert pathways.count('"accommodation_placement"') == 1


def test_the_suitable_cases_look_up_their_own_consultations(camden):
    # The same at 100,000 cases: "found not suitable at consultation" hashed every such consultation.
    from evaluation.report import suitable_not_started

    (statement,) = _statements(lambda: suitable_not_started(JANUARY), "cases_consultation")
    assert "OFFSET 0" in statement  # a subquery PostgreSQL neither flattens nor hashes


def test_the_guard_reads_who_supports_the_partner_through_an_index(camden):
    # The monthly report's release asked for the supporters of a month's referrals; PostgreSQL
    # read all 100,000 cases to find the few with one recorded.
    from cases.selectors.identifiers import case_identifiers

    (statement,) = _statements(lambda: list(case_identifiers(Referral.objects.values("pk"))), "cases_case")
    assert "case_supporter_idx" in _plan(statement, seqscan=False)
