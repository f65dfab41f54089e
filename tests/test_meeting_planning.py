"""Professionals meetings are planned in the diary, not with the Meetings tab's old "Arrange
the next meeting" form: the tab leads there, the next planned meeting's invitation is what the
tab e-mails to the practitioner and social worker, and a meeting arranged the old way before
the change is carried into the diary as a planned meeting."""

import html
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cases.models import Case
from diary import services as diary_services
from diary.models import Appointment
from eip.people.models import Role
from tests.factories import UserFactory
from tests.referral_factories import make_case
from tests.test_cases import to_intervention

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor"),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
        "spoc": UserFactory(role=Role.BOROUGH_SPOC, borough=camden),
    }


@pytest.fixture
def case(people):
    return to_intervention(make_case(people["worker"], people["practitioner"]), people, started_on=date.today())


def plan_meeting(case, user, starts_at):
    return diary_services.appointment_schedule(
        case=case, user=user, kind="meeting", starts_at=starts_at, duration_minutes=45, modality="video"
    )


def test_the_meetings_tab_leads_to_the_diary_to_plan_a_meeting_and_has_no_arrange_form(case, people, client_for):
    page = client_for(people["practitioner"]).get(reverse("case-meetings", args=[case.pk])).content.decode()
    assert "Arrange the next meeting" not in page and 'name="form" value="arrange"' not in page
    assert f'href="{reverse("appointment-schedule")}?case={case.pk}&amp;kind=meeting"' in page
    assert "Record a meeting" in page  # recording one after the event stays on the tab
    spoc_page = client_for(people["spoc"]).get(reverse("case-meetings", args=[case.pk])).content.decode()
    assert reverse("appointment-schedule") not in spoc_page
    with pytest.raises(NoReverseMatch):
        reverse("meeting-invitation", args=[case.pk])


def test_the_next_planned_meeting_invitation_is_emailed_to_the_practitioner_and_social_worker(
    case, people, client_for, django_capture_on_commit_callbacks
):
    client = client_for(people["practitioner"])
    send = reverse("invitation-send", args=[case.pk, "meeting"])
    nothing = client.post(send, follow=True).content.decode()
    assert "There is nothing to send an invitation for yet" in nothing

    now = timezone.now()
    later = plan_meeting(case, people["practitioner"], now + timedelta(days=6))
    sooner = plan_meeting(case, people["practitioner"], now + timedelta(days=2))
    plan_meeting(case, people["practitioner"], now + timedelta(days=1)).delete()
    diary_services.appointment_cancel(
        appointment=plan_meeting(case, people["practitioner"], now + timedelta(hours=3)),
        user=people["practitioner"],
        reason="Social worker in court",
    )
    page = client.get(reverse("case-meetings", args=[case.pk])).content.decode()
    assert "Email the next meeting's invitation to the practitioner and social worker" in html.unescape(page)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send)
    assert response.status_code == 302 and response["Location"] == reverse("case-meetings", args=[case.pk])
    (message,) = mail.outbox
    assert sorted(message.to) == sorted([people["practitioner"].email, people["worker"].email])
    (_name, ics, _type) = message.attachments[0]
    assert f"UID:eip-appointment-{sooner.pk}" in ics and f"eip-appointment-{later.pk}" not in ics
    assert f"mailto:{people['worker'].email}" in ics
    assert case.events.filter(kind="invitation_sent").exists()


@pytest.mark.django_db(transaction=True)
def test_a_next_meeting_arranged_the_old_way_becomes_a_planned_diary_meeting(camden):
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER)
    coming, past, closed = (make_case(worker, practitioner) for _ in range(3))
    Case.objects.filter(pk=closed.pk).update(
        stage=Case.Stage.DISENGAGED, closure_reason="dropped_out", closed_at=timezone.now()
    )
    before = [("cases", "0011_case_draft"), ("diary", "0002_sessionreminderoptin_sessionreminder_and_more")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("cases", "Case")
    next_week = timezone.now() + timedelta(days=7)
    old.objects.filter(pk__in=[coming.pk, closed.pk]).update(next_meeting_at=next_week)
    old.objects.filter(pk=past.pk).update(next_meeting_at=timezone.now() - timedelta(days=7))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    (planned,) = Appointment.objects.all()
    assert planned.case_id == coming.pk and planned.kind == "meeting" and planned.status == "planned"
    assert planned.starts_at == next_week and planned.duration_minutes == 45
    assert planned.scheduled_by_id == practitioner.pk
