"""Demonstration cases at each stage, made through the same services as the screens."""

from datetime import date, timedelta

from django.utils import timezone

from eip.people.models import User
from referrals import demo as referral_demo
from referrals import services as referral_services

from . import services
from .models import Case

CLIENTS = [
    ("Jordan", "Price", date(1986, 3, 2), "man", "white_british", "child_in_need", "Megan"),
    ("Arjun", "Patel", date(1992, 8, 17), "man", "asian_indian", "early_help", "Priya"),
    ("Delroy", "Campbell", date(1983, 12, 5), "man", "black_caribbean", "child_protection", "Natalie"),
    ("Adam", "Kowalski", date(1994, 6, 25), "man", "white_other", "child_in_need", "Ola"),
    ("Liam", "Walsh", date(1990, 4, 11), "man", "white_british", "early_help", "Siobhan"),
]


def _case(worker, practitioner, client, days_ago):
    referral = referral_demo._referral(worker, client, days_ago=days_ago)
    referral_services.referral_acknowledge(referral=referral, user=practitioner, consultation_timeline="This week.")
    referral_services.referral_link_person(referral=referral, user=practitioner, person=None)
    case = referral_services.referral_accept(referral=referral, user=practitioner)
    # Demo histories are backdated; the case should look as old as its referral.
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(days=max(days_ago - 1, 0)))
    case.refresh_from_db()
    return case


def _to_intervention(case, worker, practitioner, started_on):
    consultation = services.consultation_schedule(
        case=case,
        user=practitioner,
        scheduled_at=timezone.now() - timedelta(days=(timezone.localdate() - started_on).days + 3),
        modality="video",
        attendees=f"{worker.full_name} (social worker)",
    )
    services.consultation_record_outcome(consultation=consultation, user=practitioner, outcome="suitable")
    services.risk_plan_revise(
        case=case,
        user=practitioner,
        risks="Verbal aggression during arguments about child contact.",
        protective_factors="Client motivated to keep contact with the children.",
        actions=[
            {
                "action": "Agree a safety plan with the partner",
                "owner": worker.full_name,
                "due": started_on + timedelta(days=3),
            }
        ],
        safety_planning="Partner has a safe word with the social worker.",
        contingency="Escalate to MARAC.",
    )
    for party in ("client", "partner"):
        services.consent_record(
            case=case,
            user=worker,
            party=party,
            given_on=started_on,
            method="verbal_in_person",
            obtained_by=f"{worker.full_name}, social worker",
            sharing="Practitioner, social worker, supervisor",
        )
    return services.intervention_start(case=case, user=practitioner, started_on=started_on)


def load_demo_cases():
    if Case.objects.count() > 1:
        return
    camden = User.objects.get(email="sw.camden@eip.example")
    sutton = User.objects.get(email="sw.sutton@eip.example")
    practitioner = User.objects.get(email="practitioner@eip.example")
    today = timezone.localdate()

    # In intervention, meetings up to date.
    on_track = _to_intervention(
        _case(camden, practitioner, CLIENTS[0], 30), camden, practitioner, today - timedelta(days=21)
    )
    for days_ago in (14, 7, 2):
        services.meeting_record(
            case=on_track,
            user=practitioner,
            held_on=today - timedelta(days=days_ago),
            attendees="Alex Morgan, Sam Okafor",
            risk_updates="No new incidents.",
            progress_update="Attending every session.",
        )
        services.session_record(
            case=on_track,
            user=practitioner,
            held_on=today - timedelta(days=days_ago),
            modality="face_to_face",
            duration_minutes=60,
            attendance="attended",
            topics=["emotional_regulation", "impact_on_children"],
            notes="Good engagement.",
        )
    # In intervention, no meeting for ten days: overdue.
    _to_intervention(_case(sutton, practitioner, CLIENTS[1], 20), sutton, practitioner, today - timedelta(days=10))
    # Awaiting consent after a consultation.
    waiting = _case(camden, practitioner, CLIENTS[2], 12)
    consultation = services.consultation_schedule(
        case=waiting,
        user=practitioner,
        scheduled_at=timezone.now() - timedelta(days=2),
        modality="telephone",
        attendees="Sam Okafor",
    )
    services.consultation_record_outcome(consultation=consultation, user=practitioner, outcome="suitable")
    # Awaiting its consultation, booked for tomorrow.
    booked = _case(camden, practitioner, CLIENTS[4], 2)
    services.consultation_schedule(
        case=booked,
        user=practitioner,
        scheduled_at=timezone.now() + timedelta(days=1),
        modality="video",
        attendees="Sam Okafor",
    )
    # Closed: did not engage.
    closed = _case(sutton, practitioner, CLIENTS[3], 40)
    services.case_close(
        case=closed,
        user=practitioner,
        reason="did_not_engage",
        exit_summary="Three appointments offered; none attended.",
        onward_plan="Social worker to revisit in the CIN plan review.",
        no_exit_assessment_reason="The client did not engage.",
    )
