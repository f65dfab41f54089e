"""Planning sessions and professionals meetings ahead, and what becomes of them: moved,
cancelled with a reason, or recorded as held through the case's own session and meeting
records (so the weekly-meeting duty and its reminders work as for any recorded meeting)."""

from django.db import transaction
from django.utils import timezone

from cases.kernel import CaseError, CaseIncomplete, Stage, case_event_record, case_lock, stage_require
from cases.models import Case, Modality
from cases.services import meeting_record, session_record

from .models import Appointment

K = Appointment.Kind
STALE = (
    "Someone else changed this session or meeting while you were editing. Your changes have not been "
    "saved: check it and enter them again."
)


def _when(at) -> str:
    return f"{timezone.localtime(at):%A %-d %B %Y at %H:%M}"


def _check(*, starts_at, duration_minutes, place, modality) -> None:
    errors = {}
    if starts_at < timezone.now():
        errors["day"] = "The date and time must be in the future"
    if not 1 <= duration_minutes <= 480:
        errors["duration_minutes"] = "Enter a length between 1 and 480 minutes"
    if len(place) > 300:
        errors["place"] = "Place or video link must be 300 characters or fewer"
    if modality not in Modality.values:
        errors["modality"] = "Select how it will be held"
    if errors:
        raise CaseIncomplete(errors)


@transaction.atomic
def appointment_schedule(
    *, case: Case, user, kind: str, starts_at, duration_minutes: int, modality: str, place: str = ""
) -> Appointment:
    case = case_lock(case)
    stage_require(case, Case.ACTIVE_STAGES, "plan a session or meeting")
    if kind not in K.values:
        raise CaseIncomplete({"kind": "Select a session with the client or a professionals meeting"})
    place = place.strip()
    _check(starts_at=starts_at, duration_minutes=duration_minutes, place=place, modality=modality)
    appointment = Appointment.objects.create(
        case=case,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        modality=modality,
        place=place,
        scheduled_by=user,
    )
    case_event_record(
        case,
        user,
        "appointment_planned",
        f"{appointment.get_kind_display()} planned for {_when(starts_at)} "
        f"({appointment.get_modality_display().lower()})",
    )
    return appointment


def _lock(appointment: Appointment, expected_sequence: int | None) -> Appointment:
    locked = Appointment.objects.select_for_update().select_related("case").get(pk=appointment.pk)
    if expected_sequence is not None and locked.sequence != expected_sequence:
        raise CaseError(STALE)
    if not locked.is_planned:
        raise CaseError(f"This {locked.get_kind_display().lower()} is already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    user,
    starts_at,
    duration_minutes: int,
    modality: str,
    place: str = "",
    expected_sequence: int | None = None,
) -> Appointment:
    """Move it: the same invitation with a higher sequence, so calendars move the event."""
    appointment = _lock(appointment, expected_sequence)
    case = case_lock(appointment.case)
    stage_require(case, Case.ACTIVE_STAGES, "move a session or meeting")
    place = place.strip()
    _check(starts_at=starts_at, duration_minutes=duration_minutes, place=place, modality=modality)
    was = appointment.starts_at
    appointment.starts_at, appointment.duration_minutes = starts_at, duration_minutes
    appointment.modality, appointment.place = modality, place
    appointment.sequence += 1
    appointment.save()
    case_event_record(
        case,
        user,
        "appointment_moved",
        f"{appointment.get_kind_display()} moved from {_when(was)} to {_when(starts_at)}",
    )
    return appointment


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, user, reason: str, expected_sequence: int | None = None
) -> Appointment:
    appointment = _lock(appointment, expected_sequence)
    if not reason.strip():
        raise CaseIncomplete({"reason": "Say why it is cancelled"})
    case = case_lock(appointment.case)
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancelled_reason = reason.strip()
    appointment.cancelled_by, appointment.cancelled_at = user, timezone.now()
    appointment.sequence += 1
    appointment.save()
    # The reason stays on the record (it may name people); the timeline says what happened.
    case_event_record(
        case,
        user,
        "appointment_cancelled",
        f"{appointment.get_kind_display()} of {_when(appointment.starts_at)} cancelled",
    )
    return appointment


@transaction.atomic
def appointment_record_held(*, appointment: Appointment, user, expected_sequence: int | None = None, **record):
    """Record it as held: a planned session becomes the session's attendance record
    (cases' session_record), a planned meeting the meeting's record (meeting_record), with
    the details the practitioner confirmed. Returns that record."""
    appointment = _lock(appointment, expected_sequence)
    held_on = record.get("held_on")
    if held_on and held_on > timezone.localdate():
        raise CaseIncomplete({"held_on": "The date must be today or in the past"})
    if appointment.kind == K.SESSION:
        stage_require(appointment.case, [Stage.INTERVENTION, Stage.EXIT], "record a session")
        appointment.session = session_record(case=appointment.case, user=user, **record)
        made = appointment.session
    else:
        appointment.meeting = meeting_record(case=appointment.case, user=user, **record)
        made = appointment.meeting
    appointment.status = Appointment.Status.RECORDED
    appointment.save(update_fields=["status", "session", "meeting"])
    return made


def appointments_cancel_on_closure(case: Case, user) -> int:
    """The case closed: what was still planned on it is cancelled (its invitations become
    cancellations), and no reminder goes to the client. Registered with cases.kernel."""
    planned = list(Appointment.objects.select_for_update().filter(case=case, status=Appointment.Status.PLANNED))
    for appointment in planned:
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancelled_reason = "The case closed."
        appointment.cancelled_by, appointment.cancelled_at = user, timezone.now()
        appointment.sequence += 1
        appointment.save()
    if planned:
        case_event_record(
            case,
            user,
            "appointment_cancelled",
            f"{len(planned)} planned session{'s' if len(planned) != 1 else ''} or meeting"
            f"{'s' if len(planned) != 1 else ''} cancelled as the case closed",
        )
    return len(planned)
