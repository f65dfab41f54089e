"""The working-day calendar for England and Wales: Monday to Friday, less bank holidays.

Statutory and programme deadlines ("acknowledge within 3 working days") are counted
here and nowhere else, so every part of the app agrees on what a working day is.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

# Years are filled in on first use (expand=True), so the calendar never runs out.
# Substitute days ("Boxing Day (observed)") are included, as they are real days off.
_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")

_SATURDAY = 5


def is_working_day(day: date) -> bool:
    return day.weekday() < _SATURDAY and day not in _BANK_HOLIDAYS


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start`; `start` itself is not counted."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    for _ in range(days):
        day = next_working_day(day)
    return day


def working_day_received(received_at: datetime) -> date:
    """The working day from which something received at `received_at` counts.

    Receipt after the end of the working day, or on a weekend or bank holiday,
    counts from the next working day. The clock is London's (BST in summer), not UTC.
    """
    local = timezone.localtime(received_at)
    day = local.date()
    if is_working_day(day) and local.hour < settings.EIP_WORKING_DAY_END_HOUR:
        return day
    return next_working_day(day)


def working_days_after_receipt(received_at: datetime, days: int) -> date:
    """The deadline `days` working days after receipt, e.g. for acknowledging a referral."""
    return add_working_days(working_day_received(received_at), days)


def working_days_between(start: date, end: date) -> int:
    """How many working days fall in (start, end]; 0 when `end` is not after `start`."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


# --- when reminders and alerts are delivered ---------------------------------------------

# Every reminder and alert reaches people at the start of a working day, never at midnight
# or at a weekend: 09:00 London time (GMT or BST, whichever is in force that day). The daily
# digest of notifications comes just before, at 08:30, so the day starts with it.
REMINDER_HOUR = 9
DIGEST_TIME = time(8, 30)
WARNING = "warning"
OVERDUE = "overdue"
DIGEST = "digest"


def previous_working_day(day: date) -> date:
    """The last working day strictly before `day`."""
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def reminder_delivery_at(*, day: date, timing: str) -> datetime:
    """When a reminder or alert about `day` is delivered: 09:00 London time on a working day.

    timing=WARNING: `day` is when the warning should reach people ("the day before the
    deadline", "seven days before the placement ends"); it arrives that day if it is a
    working day, else on the last working day before it, so a warning is never late.

    timing=OVERDUE: `day` is the deadline (the last day the duty could be done); the alert
    arrives on the first working day after it, e.g. a Friday deadline alerts on Monday, or on
    Tuesday when Monday is a bank holiday.

    timing=DIGEST: `day` is the last day whose notifications the daily digest carries; it
    arrives at 08:30 on the first working day after it, so Friday's, Saturday's and Sunday's
    notifications come together on Monday (Tuesday after a bank holiday). See `digest_day`.

    The one rule for every kind of reminder, so they all arrive when someone is at work.
    """
    at = time(REMINDER_HOUR)
    if timing == WARNING:
        delivered_on = day if is_working_day(day) else previous_working_day(day)
    elif timing in (OVERDUE, DIGEST):
        delivered_on = next_working_day(day)
        at = DIGEST_TIME if timing == DIGEST else at
    else:
        raise ValueError(f"timing must be {WARNING!r}, {OVERDUE!r} or {DIGEST!r}, not {timing!r}")
    # Built in London's zone explicitly: the day's own UTC offset applies (BST or GMT),
    # whatever time zone a request may have activated.
    return datetime.combine(delivered_on, at, tzinfo=ZoneInfo(settings.TIME_ZONE))


def digest_day(arrived_at: datetime) -> date:
    """The day whose digest carries a notification that arrived at `arrived_at`: that day, or the
    day before when it arrived before the digest's time (it still makes that morning's digest)."""
    local = timezone.localtime(arrived_at, ZoneInfo(settings.TIME_ZONE))
    return local.date() if local.time() >= DIGEST_TIME else local.date() - timedelta(days=1)


def receipt_rule() -> str:
    """The cut-off, in the words shown to referrers wherever a deadline counts from receipt."""
    return (
        f"Anything received after {settings.EIP_WORKING_DAY_END_HOUR}:00, or on a weekend or bank holiday, "
        "counts from the next working day."
    )
