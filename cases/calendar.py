"""Calendar invitations (iCalendar, RFC 5545) that open in Outlook. They carry the case
reference and the kind of meeting only: never names of the client, partner or children."""

from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    # Lines longer than 75 octets are folded with CRLF + space.
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > 74:
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


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
) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    start_utc = start.astimezone(UTC)
    end_utc = start_utc + timedelta(minutes=minutes)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//EIP//Case management//EN",
        "METHOD:REQUEST",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:{uid}@{settings.EIP_CALENDAR_DOMAIN}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{timezone.now().astimezone(UTC):{fmt}}",
        f"DTSTART:{start_utc:{fmt}}",
        f"DTEND:{end_utc:{fmt}}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        f"ORGANIZER:mailto:{organiser_email}",
        *[f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{email}" for email in attendee_emails],
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
