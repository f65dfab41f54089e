"""Assessments: totals, need flags and MARAC criteria against hand-computed cases; locking and
corrections; the schedule, its reminders and gaps; change over time."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from assessments import services
from assessments.instruments import need_level
from assessments.models import Assessment, DashQuestion
from assessments.selectors import change_over_time, exit_assessments_complete, schedule_for_case
from cases import services as case_services
from cases.models import Case
from cases.selectors import caseload_for_user, due_items
from eip.notifications.models import Notification
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from tests.assessment_factories import dash, needs, soag, viability
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
STARTED = date(2026, 1, 12)


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden),
        "practitioner": UserFactory(role=Role.PRACTITIONER),
    }


@pytest.fixture
def case(people):
    case = make_case(people["worker"], people["practitioner"])
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=STARTED)
    return Case.objects.get(pk=case.pk)


def complete(case, user, instrument, stage, answers, **extra):
    extra.setdefault("assessed_on", date(2026, 1, 14))
    if instrument == "needs":
        extra.setdefault("review_date", date(2026, 2, 14))
    return services.assessment_complete(
        case=case, user=user, instrument=instrument, stage=stage, answers=answers, **extra
    )


@pytest.mark.parametrize(
    "score, level",
    [(0, "high need"), (4, "high need"), (5, "need"), (8, "need"), (9, "no need"), (10, "no need")],
)
def test_eight_or_less_is_a_need_and_four_or_less_a_high_need(score, level):
    assert need_level(score) == level


def test_needs_totals_are_out_of_100_for_each_rater(case, people):
    practitioner_scores = [3, 5, 8, 9, 10, 4, 6, 2, 7, 0]  # 3+5+8+9+10+4+6+2+7+0 = 54
    user_scores = [5, 6, 9, 10, 10, 6, 7, 5, 8, 4]  # 5+6+9+10+10+6+7+5+8+4 = 70
    a = complete(case, people["practitioner"], "needs", "intake", needs(practitioner_scores, user_scores))
    assert (a.practitioner_total, a.user_total) == (54, 70)
    change = change_over_time(case=case)
    levels = [row["cells"][0]["level"] for row in change["needs"]]
    assert levels == [
        "high need",
        "need",
        "need",
        "no need",
        "no need",
        "high need",
        "need",
        "high need",
        "need",
        "high need",
    ]


def test_a_needs_score_outside_0_to_10_or_missing_is_refused_with_the_area_named(case, people):
    answers = needs([5] * 10)
    answers["housing"]["practitioner_score"] = 11
    answers["identity"]["user_score"] = None
    with pytest.raises(services.AssessmentIncomplete) as missing:
        complete(case, people["practitioner"], "needs", "intake", answers, review_date=None)
    assert missing.value.errors == {
        "housing-practitioner_score": "Enter your score for housing, from 0 to 10",
        "identity-user_score": "Enter the service user's score for identity (sexuality, ethnicity and other "
        "issues), from 0 to 10",
        "review_date": "Enter the review date",
    }
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    "yes, judgement, escalation, marac",
    [
        (13, False, False, False),
        (14, False, False, True),
        (24, False, False, True),
        (3, True, False, True),
        (3, False, True, True),
        (0, False, False, False),
    ],
)
def test_the_dash_counts_yes_answers_and_meets_marac_criteria(case, people, yes, judgement, escalation, marac):
    a = complete(
        case,
        people["practitioner"],
        "dash",
        "intake",
        dash(yes),
        professional_judgement=judgement,
        potential_escalation=escalation,
    )
    assert a.yes_count == yes and a.meets_marac_criterion is marac
    open_actions = sorted(case.risk_actions.filter(done_on__isnull=True).values_list("kind", flat=True))
    assert open_actions == (["idva", "marac"] if marac else [])


def test_each_dash_answer_needs_its_source(case, people):
    answers = dash(5)
    answers["dash-7"]["source"] = ""
    del answers["dash-24"]
    with pytest.raises(services.AssessmentIncomplete) as missing:
        complete(case, people["practitioner"], "dash", "intake", answers)
    assert missing.value.errors == {
        "dash-7-source": "Say where the answer to question 7 came from",
        "dash-24-rating": "Answer question 24",
    }


def test_the_dash_questions_are_data_and_old_answers_keep_their_wording(case, people):
    assert DashQuestion.objects.filter(active=True).count() == 24
    a = complete(case, people["practitioner"], "dash", "intake", dash(2))
    DashQuestion.objects.filter(number=7).update(text="Is there conflict over child arrangements?")
    assert a.answers.get(item="dash-7").label == "Is there conflict over child contact?"
    assert services.items_for("dash")[6].label == "Is there conflict over child arrangements?"


def test_a_completed_assessment_is_locked_and_a_correction_is_a_new_version(case, people):
    p = people["practitioner"]
    original = complete(case, p, "soag", "intake", soag(physical="moderate", jcc="high"))
    with pytest.raises(services.AssessmentError, match="already been completed"):
        complete(case, p, "soag", "intake", soag())
    with pytest.raises(services.AssessmentIncomplete):
        services.assessment_correct(
            assessment=original,
            user=p,
            reason=" ",
            assessed_on=date(2026, 1, 14),
            answers=soag(physical="high", jcc="high"),
        )
    corrected = services.assessment_correct(
        assessment=original,
        user=p,
        reason="Disclosure at session 2",
        assessed_on=date(2026, 1, 14),
        answers=soag(physical="high", jcc="high"),
    )
    original.refresh_from_db()
    assert (original.version, original.is_current, corrected.version, corrected.is_current) == (
        1,
        False,
        2,
        True,
    )
    assert original.answers.get(item="physical").rating == "moderate"
    assert corrected.answers.get(item="physical").rating == "high" and corrected.supersedes == original
    with pytest.raises(services.AssessmentError, match="newer version"):
        services.assessment_correct(
            assessment=original, user=p, reason="x", assessed_on=date(2026, 1, 14), answers=soag()
        )


def test_sexual_abuse_dont_know_is_flagged_as_a_gap(case, people, client):
    a = complete(case, people["practitioner"], "soag", "intake", soag(sexual="dont_know", jcc="high"))
    cell = schedule_for_case(case=case)[0][0]
    assert cell.gaps == ["Sexual abuse: don't know"]
    client.force_login(people["practitioner"], backend="eip.people.backends.AccountBackend")
    page = client.get(reverse("assessment-detail", args=[case.pk, a.pk])).content.decode()
    assert "Sexual abuse: don&#x27;t know" in page and 'data-testid="gap"' in page


def test_the_schedule_shows_what_is_due_and_overdue(case, people):
    rows = schedule_for_case(case=case, today=date(2026, 1, 19))
    intake, mid, exit_ = rows[0]
    assert (intake.due, intake.overdue) == (date(2026, 1, 19), False)
    assert (mid.due, exit_.due) == (date(2026, 2, 9), None)
    assert schedule_for_case(case=case, today=date(2026, 1, 20))[0][0].overdue
    row = caseload_for_user(user=people["practitioner"]).get(pk=case.pk)
    item = [i for i in due_items(row, today=date(2026, 1, 20)) if "assessments" in i.what][0]
    assert item.what == "Intake assessments (0 of 4 done)" and item.overdue


def test_the_caseload_moves_on_to_the_four_week_assessments_once_intake_is_done(case, people):
    p = people["practitioner"]
    complete(case, p, "soag", "intake", soag())
    complete(case, p, "needs", "intake", needs([6] * 10))
    complete(case, p, "dash", "intake", dash(3))
    row = caseload_for_user(user=p).get(pk=case.pk)
    assert [i.what for i in due_items(row, date(2026, 1, 20)) if "assessments" in i.what] == [
        "Intake assessments (3 of 4 done)"
    ]
    complete(case, p, "viability", "intake", viability())
    row = caseload_for_user(user=p).get(pk=case.pk)
    item = [i for i in due_items(row, date(2026, 1, 20)) if "assessments" in i.what][0]
    assert (item.what, item.due, item.overdue) == (
        "Four-week assessments (0 of 4 done)",
        date(2026, 2, 9),
        False,
    )


def test_assessment_reminders_are_sent_once_and_not_when_the_stage_is_complete(people, monkeypatch):
    p, w = people["practitioner"], people["worker"]
    first, second = make_case(w, p), make_case(w, p)
    for c in (first, second):
        Case.objects.filter(pk=c.pk).update(stage=Case.Stage.AWAITING_CONSENT)
        c.refresh_from_db()
        case_services.risk_plan_revise(case=c, user=p, risks="R")
        for party in ("client", "partner"):
            case_services.consent_record(
                case=c,
                user=w,
                party=party,
                given_on=date(2026, 1, 5),
                method="written",
                obtained_by="SW",
                sharing="Both",
            )
        case_services.intervention_start(case=c, user=p, started_on=STARTED)
    for instrument, answers in (
        ("soag", soag()),
        ("needs", needs([7] * 10)),
        ("dash", dash(1)),
        ("viability", viability()),
    ):
        complete(second, p, instrument, "intake", answers)
    mail.outbox.clear()
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 1, 20, 9, 30, tzinfo=LONDON))
    reminders_send_due()
    reminders_send_due()
    intake_mail = [m for m in mail.outbox if "intake assessments" in m.body]
    assert len(intake_mail) == 1 and first.reference in intake_mail[0].body
    assert Notification.objects.get(key=f"case:{second.pk}:assessments:intake").cancelled_at is not None


def test_exit_assessments_can_only_be_done_at_exit_and_allow_closure(case, people):
    p = people["practitioner"]
    with pytest.raises(services.AssessmentError, match="once the exit stage has started"):
        complete(case, p, "soag", "exit", soag())
    case_services.exit_start(case=case, user=p)
    case.refresh_from_db()
    assert case.exit_started_on is not None
    for instrument, answers in (
        ("soag", soag()),
        ("needs", needs([9] * 10)),
        ("viability", viability("low")),
    ):
        assert not exit_assessments_complete(case=case)
        complete(case, p, instrument, "exit", answers, assessed_on=date.today())
    assert exit_assessments_complete(case=case)
    closed = case_services.case_close(
        case=case, user=p, reason="completed", exit_summary="Done", onward_plan="None needed"
    )
    assert closed.stage == Case.Stage.CLOSED and closed.no_exit_assessment_reason == ""


def test_change_over_time_puts_intake_and_exit_side_by_side(case, people):
    p = people["practitioner"]
    complete(
        case,
        p,
        "soag",
        "intake",
        soag(physical="high", sexual="dont_know", harassment="moderate", jcc="high"),
    )
    complete(case, p, "needs", "intake", needs([2, 3, 4, 5, 6, 7, 8, 9, 10, 1]))
    case_services.exit_start(case=case, user=p)
    case.refresh_from_db()
    complete(
        case,
        p,
        "soag",
        "exit",
        soag(physical="none", sexual="none", harassment="standard", jcc="moderate"),
        assessed_on=date.today(),
    )
    complete(case, p, "needs", "exit", needs([6, 6, 6, 6, 6, 9, 9, 9, 10, 5]), assessed_on=date.today())
    change = change_over_time(case=case)
    physical = change["soag"][0]["cells"]
    assert [c["label"] for c in physical] == ["High", "—", "None"]
    housing = change["needs"][0]["cells"]
    assert (housing[0]["practitioner"], housing[2]["practitioner"]) == (2, 6)
    assert (housing[0]["level"], housing[2]["level"]) == ("high need", "need")
    assert change["needs_totals"]["intake"].practitioner_total == 55
    assert change["needs_totals"]["exit"].practitioner_total == 72


def test_the_change_page_draws_both_charts_with_text_alternatives(case, people, client):
    p = people["practitioner"]
    complete(case, p, "soag", "intake", soag(physical="high"))
    complete(case, p, "needs", "intake", needs([5] * 10))
    client.force_login(p, backend="eip.people.backends.AccountBackend")
    page = client.get(reverse("case-assessments", args=[case.pk])).content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label=') == 2
    assert "<script" not in page.split("<main", 1)[1]


def test_a_social_worker_may_record_the_dash_but_not_the_practitioners_instruments(case, people, client):
    client.force_login(people["worker"], backend="eip.people.backends.AccountBackend")
    assert client.get(reverse("assessment-new", args=[case.pk, "dash", "intake"])).status_code == 200
    assert client.get(reverse("assessment-new", args=[case.pk, "soag", "intake"])).status_code == 403
