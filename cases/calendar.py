"""Calendar invitations (iCalendar, RFC 5545, written by the icalendar library) that open in
Outlook. They carry the case reference and the kind of meeting only: never names of the
client, partner or children, nor the place (an address typed there could say where someone
lives) — the place and any video link stay in EIP."""

from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText


def invitation(
    *,
    uid: str,
    start,
    minutes: int,
    summary: str,
    description: str,
    organiser_email: str,
    attendee_emails: list[str],
    sequence: int = 0,
    cancelled: bool = False,
) -> str:
    """The invitation text. A rescheduled event keeps its uid with a higher `sequence`, so
    calendars move it; `cancelled` sends the cancellation that removes it."""
    calendar = Calendar()
    calendar.add("prodid", "-//EIP//Case management//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"{uid}@{settings.EIP_CALENDAR_DOMAIN}")
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    start_utc = start.astimezone(UTC)
    event.add("dtstart", start_utc)
    event.add("dtend", start_utc + timedelta(minutes=minutes))
    event.add("summary", summary)
    event.add("description", description)
    event["organizer"] = vCalAddress(f"mailto:{organiser_email}")
    for email in attendee_emails:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode()
