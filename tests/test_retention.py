"""Data lifecycle: past retention, closed cases and declined referrals are anonymised and
abandoned drafts deleted, by a scheduled task that changes no report figure and runs safely
twice."""

from datetime import date, datetime, timedelta

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from eip.audit.models import AuditEvent
from eip.celery import app as celery_app
from eip.people.models import Role
from eip.retention import retention_apply
from evaluation.report import Period, age_in_months, monitoring_report
from referrals import services as referral_services
from referrals.models import Referral
from referrals.retention import referral_anonymise
from tests.factories import UserFactory
from tests.referral_factories import make_case, make_referral

pytestmark = pytest.mark.django_db
SECRETS = ("Zebedee", "Quixley", "07700 900789", "7 Hidden Lane", "QX1 1QX", "RETENTION-CANARY")


def _text_holding(value: str) -> list[str]:
    """Every model field, anywhere in the database, that still holds `value`."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, (models.CharField, models.TextField))
                and model.objects.filter(**{f"{field.name}__icontains": value}).exists()
            ):
                found.append(f"{model._meta.label}.{field.name}")
    return found


def _closed_case(worker, practitioner, *, closed_days_ago):
    case = make_case(
        worker,
        practitioner,
        client_first_name=SECRETS[0],
        client_last_name=SECRETS[1],
        client_phone=SECRETS[2],
        client_address=SECRETS[3],
        client_postcode=SECRETS[4],
        case_dynamic=f"{SECRETS[5]} in the referrer's words",
        partner={"first_name": f"{SECRETS[5]}-partner", "address": SECRETS[3], "postcode": SECRETS[4]},
    )
    case_services.consultation_schedule(
        case=case, user=practitioner, scheduled_at=timezone.now(), modality="video", attendees=f"{SECRETS[0]}'s SW"
    )
    case_services.consultation_record_outcome(
        consultation=case.consultations.get(), user=practitioner, outcome="suitable"
    )
    case_services.risk_plan_revise(
        case=case, user=practitioner, risks=f"{SECRETS[5]} risk", safety_planning=f"Refuge near {SECRETS[3]}"
    )
    for party in ("client", "partner"):
        case_services.consent_record(
            case=case,
            user=practitioner,
            party=party,
            given_on=date(2026, 1, 5),
            method="written",
            obtained_by="SW",
            sharing="Practitioner",
        )
    case_services.intervention_start(case=case, user=practitioner, started_on=date(2026, 1, 6))
    case_services.session_record(
        case=case,
        user=practitioner,
        held_on=date(2026, 1, 7),
        modality="video",
        duration_minutes=60,
        attendance="attended",
        topics=["communication"],
        notes=f"{SECRETS[0]} talked about {SECRETS[5]}",
    )
    # Handed over once, closed, reopened and closed again: each with words that can name the client.
    colleague, supervisor = UserFactory(role=Role.PRACTITIONER), UserFactory(role=Role.SUPERVISOR)
    case_services.case_reassign(
        case=case, to_practitioner=colleague, user=supervisor, reason=f"{SECRETS[0]} asked for another worker"
    )
    close = {"stage": "closed", "closure_reason": "completed", "exit_summary": f"{SECRETS[0]} completed"}
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now(), onward_plan=f"{SECRETS[3]} DVPP", **close)
    case_services.case_reopen(
        case=Case.objects.get(pk=case.pk), user=colleague, reason=f"{SECRETS[1]} is back in touch"
    )
    closed_at = timezone.now() - timedelta(days=closed_days_ago)
    Case.objects.filter(pk=case.pk).update(closed_at=closed_at, **close)
    return Case.objects.get(pk=case.pk)


@pytest.mark.document_scan
def test_a_closed_case_past_retention_keeps_its_figures_and_loses_who_anyone_was(camden, settings):
    settings.EIP_RETENTION_DAYS = {"closed_case": 365, "declined_referral": 365, "draft_referral": 90}
    worker, practitioner = UserFactory(role=Role.SOCIAL_WORKER, borough=camden), UserFactory(role=Role.PRACTITIONER)
    old = _closed_case(worker, practitioner, closed_days_ago=400)
    recent = make_case(worker, practitioner, client_first_name="Keepme")
    year = Period(date(2020, 1, 1), date.today())
    before = monitoring_report(period=year)
    assert _text_holding(SECRETS[5])  # planted

    done = retention_apply()

    assert done["closed_cases"] == 1
    for secret in SECRETS:
        assert _text_holding(secret) == [], secret
    after = monitoring_report(period=year)
    before.pop("generated_at"), after.pop("generated_at")
    assert after == before  # every figure, demographics included, is unchanged
    old.referral.refresh_from_db()
    # Month and year kept; the day the first or last of the month, whichever keeps the age counted.
    assert old.referral.anonymised_at and old.referral.client_date_of_birth in (date(1987, 5, 1), date(1987, 5, 31))
    assert old.events.filter(kind="anonymised").exists()
    assert AuditEvent.objects.filter(action="anonymised", record_id=str(old.referral.pk)).exists()
    assert Referral.objects.get(pk=recent.referral.pk).client_first_name == "Keepme"  # open: untouched
    assert retention_apply() == {"closed_cases": 0, "declined_referrals": 0, "drafts": 0}  # runs safely twice


def test_within_retention_nothing_changes(camden, settings):
    settings.EIP_RETENTION_DAYS = {"closed_case": 365, "declined_referral": 365, "draft_referral": 90}
    worker, practitioner = UserFactory(role=Role.SOCIAL_WORKER, borough=camden), UserFactory(role=Role.PRACTITIONER)
    case = _closed_case(worker, practitioner, closed_days_ago=300)
    assert retention_apply()["closed_cases"] == 0
    assert Referral.objects.get(pk=case.referral.pk).client_first_name == SECRETS[0]


def test_declined_referrals_are_anonymised_and_abandoned_drafts_deleted(camden, settings):
    settings.EIP_RETENTION_DAYS = {"closed_case": 365, "declined_referral": 30, "draft_referral": 90}
    worker, practitioner = UserFactory(role=Role.SOCIAL_WORKER, borough=camden), UserFactory(role=Role.PRACTITIONER)
    declined = make_referral(worker, partner={"first_name": SECRETS[5]})
    referral_services.referral_decline(
        referral=declined, user=practitioner, reason="not_contactable", details="", suggested_onward_referrals=""
    )
    Referral.objects.filter(pk=declined.pk).update(decided_at=timezone.now() - timedelta(days=31))
    old_draft = make_referral(worker, submit=False, client_first_name="Abandoned")
    Referral.objects.filter(pk=old_draft.pk).update(updated_at=timezone.now() - timedelta(days=91))
    new_draft = make_referral(worker, submit=False, client_first_name="Fresh")

    assert retention_apply() == {"closed_cases": 0, "declined_referrals": 1, "drafts": 1}
    assert _text_holding(SECRETS[5]) == []
    assert Referral.objects.get(pk=declined.pk).decline_reason == "not_contactable"  # still counted
    assert not Referral.objects.filter(pk=old_draft.pk).exists()
    assert Referral.objects.filter(pk=new_draft.pk).exists()


def test_an_open_case_is_never_anonymised(camden):
    case = make_case(UserFactory(role=Role.SOCIAL_WORKER, borough=camden), UserFactory(role=Role.PRACTITIONER))
    from cases.retention import case_anonymise

    with pytest.raises(ValueError):
        case_anonymise(case=case)


def test_retention_runs_every_night():
    celery_app.loader.import_default_modules()
    schedule = celery_app.conf.beat_schedule
    assert schedule["retention"]["task"] == "cases.tasks.retention_apply_task"
    assert "cases.tasks.retention_apply_task" in celery_app.tasks


@pytest.mark.parametrize(
    ("born_on_day", "received"),
    [(15, (2026, 3, 1, 12)), (1, (2026, 3, 1, 12)), (31, (2026, 3, 30, 12)), (29, (2026, 2, 28, 23))],
)
def test_anonymising_keeps_the_age_at_referral_the_report_counts(camden, born_on_day, received):
    # Keeping month and year by moving the birthday to the 1st made someone born on the 15th and
    # referred on the 1st a month older in the report (the figures changed on such days).
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    referral = make_referral(worker)
    born = date(1988, 1 if born_on_day != 29 else 2, 1).replace(day=born_on_day)
    year, month, day, hour = received
    received_at = timezone.make_aware(datetime(year, month, day, hour))
    Referral.objects.filter(pk=referral.pk).update(client_date_of_birth=born, received_at=received_at)
    counted = age_in_months(born, timezone.localtime(received_at).date())

    referral_anonymise(referral=Referral.objects.get(pk=referral.pk))

    kept = Referral.objects.get(pk=referral.pk).client_date_of_birth
    assert (kept.year, kept.month) == (born.year, born.month)
    assert kept.day in (1, 28, 29, 31)  # the first or last of the month, never the day itself
    assert age_in_months(kept, timezone.localtime(received_at).date()) == counted
