"""Intervention sessions with the client."""

from django.db import transaction

from ..kernel import CaseIncomplete, case_event_record, case_lock, stage_require
from ..models import Case, InterventionSession
from ._common import clean_and_save

St = Case.Stage


@transaction.atomic
def session_record(*, case, user, held_on, modality, duration_minutes, attendance, topics, notes):
    case = case_lock(case)
    stage_require(case, [St.INTERVENTION, St.EXIT], "record a session")
    if attendance == InterventionSession.Attendance.ATTENDED and not duration_minutes:
        # The monitoring report counts intervention hours: an attended session has a length.
        raise CaseIncomplete({"duration_minutes": "Enter how long the session lasted"})
    session = clean_and_save(
        InterventionSession(
            case=case,
            held_on=held_on,
            modality=modality,
            duration_minutes=duration_minutes,
            attendance=attendance,
            topics=list(topics),
            notes=notes,
            recorded_by=user,
        )
    )
    case_event_record(
        case,
        user,
        "session",
        f"Session on {held_on:%-d %B}: {session.get_attendance_display().lower()} "
        f"({session.get_modality_display().lower()})",
    )
    return session
