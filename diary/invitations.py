"""The calendar invitation of a planned session or meeting (cases.calendar writes it): the
case reference and the kind only, never names or the place."""

from django.utils import timezone

from cases import calendar

from .models import Appointment


def appointment_invitation(appointment: Appointment) -> str:
    case = appointment.case
    kind = "Session" if appointment.kind == Appointment.Kind.SESSION else "Professionals meeting"
    people = [case.practitioner.email]
    if appointment.kind == Appointment.Kind.MEETING:
        people.append(case.referrer.email)  # the weekly meeting is with the social worker
    return calendar.invitation(
        uid=f"eip-appointment-{appointment.pk}",
        start=appointment.starts_at,
        minutes=appointment.duration_minutes,
        summary=f"{kind} {case.reference}",
        description=f"{kind} for {case.reference} ({appointment.get_modality_display().lower()}). "
        "The place and details are in EIP.",
        organiser_email=case.practitioner.email,
        attendee_emails=people,
        sequence=appointment.sequence,
        cancelled=appointment.status == Appointment.Status.CANCELLED,
    )


def next_meeting_invitation(case) -> tuple[str, str] | None:
    """(subject, invitation) of the case's next planned professionals meeting, for the e-mail
    the case's Meetings tab sends to the practitioner and the social worker."""
    appointment = case.appointments.filter(
        kind=Appointment.Kind.MEETING, status=Appointment.Status.PLANNED, starts_at__gte=timezone.now()
    ).first()
    if appointment is None:
        return None
    return f"Professionals meeting {case.reference}", appointment_invitation(appointment)
