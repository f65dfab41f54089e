"""Demonstration diary (`make run`): the case on track has its next session and professionals
meeting planned, so the diary and the case's Sessions and Meetings tabs show how planning looks.
Loaded after the demonstration cases."""

from datetime import datetime, time

from django.utils import timezone

from cases.models import Case
from eip.people.models import User
from eip.workdays import next_working_day

from . import services
from .models import Appointment


def load_demo_diary():
    on_track = Case.objects.filter(referral__client_first_name="Jordan", stage=Case.Stage.INTERVENTION).first()
    if on_track is None or Appointment.objects.exists():
        return
    practitioner = User.objects.get(email="practitioner@eip.example")
    today = timezone.localdate()
    for kind, day, at, modality, place in (
        ("session", next_working_day(today), time(14), "face_to_face", "Family centre, room 2"),
        ("meeting", next_working_day(next_working_day(today)), time(10), "video", "Teams link in the invitation"),
    ):
        services.appointment_schedule(
            case=on_track,
            user=practitioner,
            kind=kind,
            starts_at=timezone.make_aware(datetime.combine(day, at)),
            duration_minutes=60 if kind == "session" else 45,
            modality=modality,
            place=place,
        )
