from collections.abc import Callable

from celery import shared_task
from django.core.mail import EmailMessage

from eip import outbound

from . import calendar
from .models import Case

# what -> (case -> (subject, iCalendar text) or None): invitations another app makes for a
# case (the diary's next planned professionals meeting), registered from its AppConfig.ready().
_INVITATION_SOURCES: dict[str, Callable[[Case], tuple[str, str] | None]] = {}


def invitation_source(what: str, build: Callable[[Case], tuple[str, str] | None]) -> None:
    _INVITATION_SOURCES[what] = build


def invitation_for(case: Case, what: str) -> tuple[str, str] | None:
    """(subject, iCalendar text) for the case's consultation or next meeting, or None."""
    people = [case.practitioner.email, case.referrer.email]
    if what == "consultation":
        consultation = case.consultations.first()
        if consultation is None:
            return None
        return f"Case consultation {case.reference}", calendar.invitation(
            uid=f"eip-consultation-{consultation.pk}",
            start=consultation.scheduled_at,
            minutes=60,
            summary=f"Case consultation {case.reference}",
            description=f"Case consultation for {case.reference} "
            f"({consultation.get_modality_display().lower()}). Details are in EIP.",
            organiser_email=case.practitioner.email,
            attendee_emails=people,
        )
    build = _INVITATION_SOURCES.get(what)
    return build(case) if build else None


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def invitation_email(case_id: int, what: str) -> bool:
    case = Case.objects.select_related("practitioner", "referrer", "referral").get(pk=case_id)
    invitation = invitation_for(case, what)
    if invitation is None:
        return False
    subject, ics = invitation
    message = EmailMessage(
        subject=f"EIP: {subject}",
        body=f"{subject}. The invitation is attached.",
        to=[case.practitioner.email, case.referrer.email],
    )
    message.attach("invitation.ics", ics, "text/calendar; method=REQUEST")
    try:
        outbound.outbound_release(
            content=message,
            audience="practitioner",
            channel="email",
            concerning=[case],
            label=f"the {what} calendar invitation",
        )
    except outbound.OutboundRefused:
        return False  # not sent; audited and supervisors alerted
    message.send()
    return True


# Nightly, over every closed case: longer than the default limits, still bounded.
@shared_task(soft_time_limit=1800, time_limit=1860)
def retention_apply_task() -> dict:
    """Nightly: anonymise what is past retention (eip.retention)."""
    from eip.retention import retention_apply

    return retention_apply()
