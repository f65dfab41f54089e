"""The case's single "next meeting" (cases.Case.next_meeting_at, arranged on the Meetings tab)
is retired: meetings are planned in the diary. A next meeting still to come becomes a planned
diary meeting, so nothing anyone arranged is lost: 45 minutes, as its invitation said, by
video (the weekly meeting's usual form; the old form did not ask), planned by the case's
practitioner."""

from django.db import migrations
from django.utils import timezone

ACTIVE_STAGES = ("awaiting_consultation", "awaiting_consent", "intervention", "exit")


def arranged_meetings_planned(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Appointment = apps.get_model("diary", "Appointment")
    arranged = Case.objects.filter(next_meeting_at__gte=timezone.now(), stage__in=ACTIVE_STAGES)
    for case in arranged.iterator():
        if not Appointment.objects.filter(
            case=case, kind="meeting", status="planned", starts_at=case.next_meeting_at
        ).exists():
            Appointment.objects.create(
                case=case,
                kind="meeting",
                starts_at=case.next_meeting_at,
                duration_minutes=45,
                modality="video",
                scheduled_by_id=case.practitioner_id,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_case_draft"),
        ("diary", "0002_sessionreminderoptin_sessionreminder_and_more"),
    ]

    operations = [migrations.RunPython(arranged_meetings_planned, migrations.RunPython.noop)]
