"""The partner's own account of their safety: recorded by the social worker, seen only by the social
worker and the supervisor, reported only as suppressed aggregates, reminded once at three months."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.tabs import CASE_TABS
from data_protection.selectors import subject_access_export_html
from eip import access
from eip.notifications.models import Notification
from eip.people.models import Role
from evaluation.report import Period, monitoring_report
from partner_outcomes import services
from partner_outcomes.models import PartnerOutcome
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
CANARY_LABELS = (
    "Partner-reported safety",
    "Partner's safety",
    "feels listened to",
    "Record the partner",
    "safety follow-up",
)
ANSWERS = {"physical": "weekly", "sexual": "dont_know", "harassment": "monthly", "jcc": "daily"}


@pytest.fixture
def world(camden):
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER)
    return worker, practitioner, make_case(worker, practitioner)


def _form(stage, **answers):
    data = {"stage": stage, "asked_on_0": "4", "asked_on_1": "1", "asked_on_2": "2021", "asked_by": "social_worker"}
    return data | answers


def test_the_social_worker_records_the_measure_and_the_supervisor_reads_it(world, client_for):
    worker, practitioner, case = world
    url = reverse("case-partner-outcomes", args=[case.pk])
    page = client_for(worker).post(url, _form("intake", **ANSWERS, feels_safe="2", listened_to="partly"))
    assert page.status_code == 302
    outcome = PartnerOutcome.objects.get()
    assert (outcome.stage, outcome.asked_on, outcome.jcc, outcome.feels_safe) == (
        "intake",
        date(2021, 1, 4),
        "daily",
        2,
    )
    body = client_for(UserFactory(role=Role.SUPERVISOR)).get(url).content.decode()
    assert "controlling behaviour: daily or almost daily" in body and "feels a little safe" in body
    # The practitioner works with the client: the measure is not theirs to see.
    assert client_for(practitioner).get(url).status_code == 403


def test_a_missing_answer_is_named_beside_its_field_and_nothing_typed_is_lost(world, client_for):
    worker, _, case = world
    url = reverse("case-partner-outcomes", args=[case.pk])
    page = client_for(worker).post(url, _form("intake", physical="weekly", listened_to="yes"))
    body = page.content.decode()
    assert page.status_code == 200 and not PartnerOutcome.objects.exists()
    assert "Choose how safe the partner feels" in body
    assert "Choose how often this is happening" in body
    assert 'value="weekly" selected' in body
    # Not asked, with the reason: no answers needed.
    client_for(worker).post(url, _form("intake", not_asked="not_safe"))
    assert PartnerOutcome.objects.get().not_asked == "not_safe"


def test_the_follow_up_waits_for_closure_and_the_reminder_comes_once(world, monkeypatch):
    worker, _, case = world
    with pytest.raises(services.PartnerOutcomeIncomplete):
        services.partner_outcome_record(
            case=case, user=worker, stage="follow_up", asked_on=date(2021, 1, 4), asked_by="social_worker",
            not_asked="not_reached",
        )  # fmt: skip
    # Closed on Friday 5 February 2021 after an intervention: due 91 days later, Friday 7 May 2021.
    type(case).objects.filter(pk=case.pk).update(
        intervention_started_on=date(2021, 1, 4),
        closed_at=datetime(2021, 2, 5, 15, tzinfo=LONDON),
        closure_reason="completed",
        stage="closed",
    )
    monkeypatch.setattr(timezone, "now", lambda: datetime(2021, 2, 8, 7, tzinfo=LONDON))
    assert services.follow_up_reminders_schedule() == 1
    services.follow_up_reminders_schedule()
    reminder = Notification.objects.get(kind=services.REMINDER_KIND)
    assert reminder.recipient == worker
    assert timezone.localtime(reminder.due_at) == datetime(2021, 5, 7, 9, tzinfo=LONDON)
    assert "three-month safety follow-up" in reminder.message
    case.refresh_from_db()
    services.partner_outcome_record(
        case=case, user=worker, stage="follow_up", asked_on=date(2021, 2, 8), asked_by="partner_support_worker",
        not_asked="declined",
    )  # fmt: skip
    reminder.refresh_from_db()
    assert reminder.cancelled_at is not None and reminder.sent_at is None


def _partners(count, worker, practitioner, exit_on=date(2021, 3, 10)):
    for n in range(count):
        case = make_case(worker, practitioner, client_first_name=f"Client{n}")
        services.partner_outcome_record(
            case=case, user=worker, stage="intake", asked_on=date(2021, 1, 4), asked_by="social_worker",
            answers={**ANSWERS, "feels_safe": 2, "listened_to": "no"},
        )  # fmt: skip
        services.partner_outcome_record(
            case=case, user=worker, stage="exit", asked_on=exit_on, asked_by="social_worker",
            answers={"physical": "none", "sexual": "dont_know", "harassment": "monthly",
                     "jcc": "weekly" if n else "daily", "feels_safe": 4, "listened_to": "yes"},
        )  # fmt: skip


MARCH = Period(date(2021, 3, 1), date(2021, 3, 31))


def test_the_report_gives_aggregates_of_five_or_more_and_hides_smaller_counts(world):
    worker, practitioner, _ = world
    _partners(6, worker, practitioner)
    exit_ = monitoring_report(period=MARCH)["partner_outcomes"]["exit"]
    assert exit_["partners"] == 6
    assert exit_["physical"]["stopped"] == 6
    assert exit_["jcc"]["reduced"] == 5 and exit_["jcc"]["same"] == "<5"  # one partner: hidden
    assert exit_["sexual"]["not_known"] == 6
    assert (exit_["feels_safer"], exit_["feels_listened_to"]) == (6, 6)
    # Outside the period nothing is counted.
    assert (
        monitoring_report(period=Period(date(2021, 4, 1), date(2021, 4, 30)))["partner_outcomes"]["exit"]["partners"]
        == 0
    )


def test_three_partners_are_never_shown_as_three(world):
    worker, practitioner, _ = world
    _partners(3, worker, practitioner)
    exit_ = monitoring_report(period=MARCH)["partner_outcomes"]["exit"]
    assert exit_["partners"] == "<5" and exit_["physical"]["stopped"] == "<5"


@pytest.mark.document_scan
def test_the_measure_appears_nowhere_the_client_housing_or_finance_can_see(world, client_for):
    """Canary: after a measure is recorded, no page for the practitioner's work with the client, nor
    housing's, finance's or the borough SPOC's pages, say anything of it."""
    worker, practitioner, case = world
    services.partner_outcome_record(
        case=case, user=worker, stage="intake", asked_on=date(2021, 1, 4), asked_by="social_worker",
        answers={**ANSWERS, "feels_safe": 1, "listened_to": "no"},
    )  # fmt: skip
    housing = UserFactory(role=Role.HOUSING_SPOC, borough=case.borough)
    finance = UserFactory(role=Role.FINANCE)
    spoc = UserFactory(role=Role.BOROUGH_SPOC, borough=case.borough)
    # Every tab of the case the practitioner or the borough SPOC may open (the data-quality tab,
    # notes, assessments, accommodation, subject access...), and housing's and finance's pages.
    pages = [
        (user, reverse(tab.url_name, args=[case.pk]))
        for user in (practitioner, spoc)
        for tab in CASE_TABS
        if access.allowed(user, tab.action, case)
    ]
    assert len(pages) > 12
    pages += [
        (housing, reverse("home")),
        (housing, reverse("housing-list")),
        (finance, reverse("home")),
        (finance, reverse("finance-overview")),
        (spoc, reverse("home")),
        (spoc, reverse("case-list")),
    ]
    # The client's own document: what a subject access request would release to them.
    export = subject_access_export_html(case=case, received_on=date(2021, 2, 1), generated_at=timezone.now())
    assert case.referral.client_last_name in export
    assert [label for label in CANARY_LABELS if label in export] == [] and "Not at all safe" not in export
    for user, url in pages:
        body = client_for(user).get(url, follow=True).content.decode()
        assert [label for label in CANARY_LABELS if label in body] == [], (user.role, url)
        assert "Not at all safe" not in body
    for role in (Role.HOUSING_SPOC, Role.FINANCE, Role.BOROUGH_SPOC, Role.PRACTITIONER, Role.EVALUATOR):
        user = UserFactory(role=role, borough=case.borough if role in (Role.HOUSING_SPOC, Role.BOROUGH_SPOC) else None)
        assert client_for(user).get(reverse("case-partner-outcomes", args=[case.pk])).status_code in (403, 404)
