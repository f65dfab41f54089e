"""Demonstration case notes (`make run`): a few days of the journal on the case on track,
one with the partner (restricted) and one shared with the referrer. Loaded after the
demonstration cases."""

from datetime import timedelta

from django.utils import timezone

from cases.models import Case
from eip.people.models import User

from . import services
from .models import CaseNote


def load_demo_case_notes():
    on_track = Case.objects.filter(referral__client_first_name="Jordan", stage=Case.Stage.INTERVENTION).first()
    if on_track is None or CaseNote.objects.exists():
        return
    practitioner = User.objects.get(email="practitioner@eip.example")
    now = timezone.now()
    for days_ago, contacted, method, text, extra in (
        (
            6,
            "client",
            "phone",
            "Phoned the client to confirm Thursday's session. He asked to move it to the afternoon because of a "
            "job interview; agreed 2pm.",
            {},
        ),
        (
            4,
            "partner",
            "phone",
            "The partner's support worker passed on that she feels safer since the move and wants the weekly "
            "check-ins to continue.",
            {},
        ),
        (
            2,
            "social_worker",
            "video",
            "Weekly catch-up with the social worker. The client attended both sessions this week and is using "
            "his time-out plan; next step is the communication module.",
            {"share_with_referrer": True},
        ),
    ):
        services.case_note_write(
            case=on_track,
            user=practitioner,
            contact_at=now - timedelta(days=days_ago, hours=3),
            contacted=contacted,
            method=method,
            text=text,
            **extra,
        )
