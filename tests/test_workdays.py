"""The working-day calendar. Every expected date below was worked out by hand against the
published England and Wales bank holidays (gov.uk) and a calendar."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from eip.workdays import (
    OVERDUE,
    WARNING,
    add_working_days,
    is_working_day,
    next_working_day,
    reminder_delivery_at,
    working_day_received,
    working_days_after_receipt,
    working_days_between,
)

LONDON = ZoneInfo("Europe/London")


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 12, 24), True),  # Thursday before Christmas
        (date(2020, 12, 25), False),  # Christmas Day (Friday)
        (date(2020, 12, 28), False),  # Boxing Day fell on Saturday; Monday is the substitute
        (date(2020, 12, 29), True),
        (date(2021, 1, 1), False),  # New Year's Day (Friday)
        (date(2021, 4, 2), False),  # Good Friday
        (date(2021, 4, 5), False),  # Easter Monday
        (date(2021, 4, 6), True),
        (date(2021, 6, 5), False),  # Saturday
        (date(2021, 6, 6), False),  # Sunday
        (date(2021, 6, 7), True),  # Monday
        (date(2021, 12, 27), False),  # Christmas Day substitute (25th was a Saturday)
        (date(2021, 12, 28), False),  # Boxing Day substitute (26th was a Sunday)
    ],
)
def test_is_working_day(day, expected):
    assert is_working_day(day) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 6, 2), date(2021, 6, 3)),  # Wednesday -> Thursday
        (date(2021, 6, 4), date(2021, 6, 7)),  # Friday -> Monday
        (date(2021, 6, 5), date(2021, 6, 7)),  # Saturday -> Monday
        (date(2020, 12, 24), date(2020, 12, 29)),  # over Christmas and the Boxing Day substitute
        (date(2021, 4, 1), date(2021, 4, 6)),  # over Good Friday, the weekend and Easter Monday
    ],
)
def test_next_working_day_is_strictly_after(day, expected):
    assert next_working_day(day) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2021, 6, 2), 0, date(2021, 6, 2)),
        (date(2021, 6, 4), 1, date(2021, 6, 7)),  # Friday + 1 = Monday
        (date(2021, 6, 4), 5, date(2021, 6, 11)),  # a full working week
        # Thu 24 Dec 2020: 25th and 28th are holidays, 26th-27th weekend -> 29, 30, 31.
        (date(2020, 12, 24), 3, date(2020, 12, 31)),
        # Thu 1 Apr 2021: Good Friday 2nd, weekend, Easter Monday 5th -> 6, 7, 8.
        (date(2021, 4, 1), 3, date(2021, 4, 8)),
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected


def test_add_working_days_refuses_negative_counts():
    with pytest.raises(ValueError):
        add_working_days(date(2021, 6, 2), -1)


@pytest.mark.parametrize(
    ("received_at", "counts_from", "due_in_3"),
    [
        # Christmas 2020, in working hours: counts from the 24th; 29, 30, 31.
        (london(2020, 12, 24, 10, 0), date(2020, 12, 24), date(2020, 12, 31)),
        # The last minute before close still counts as that day.
        (london(2020, 12, 24, 16, 59), date(2020, 12, 24), date(2020, 12, 31)),
        # At 17:00 the day is over.
        (london(2020, 12, 24, 17, 0), date(2020, 12, 29), date(2021, 1, 4)),
        # Christmas Eve evening counts from Tue 29 Dec: 30, 31, (1 Jan holiday, weekend) 4 Jan.
        (london(2020, 12, 24, 18, 0), date(2020, 12, 29), date(2021, 1, 4)),
        # Easter 2021, Maundy Thursday morning: 6, 7, 8 April.
        (london(2021, 4, 1, 9, 0), date(2021, 4, 1), date(2021, 4, 8)),
        # Received on Good Friday: counts from Tue 6 Apr; 7, 8, 9.
        (london(2021, 4, 2, 11, 0), date(2021, 4, 6), date(2021, 4, 9)),
        # Friday evening: counts from Monday 7 June; 8, 9, 10.
        (london(2021, 6, 4, 19, 0), date(2021, 6, 7), date(2021, 6, 10)),
        # Saturday morning: counts from Monday; 8, 9, 10.
        (london(2021, 6, 5, 10, 0), date(2021, 6, 7), date(2021, 6, 10)),
        # Sunday late night: counts from Monday.
        (london(2021, 6, 6, 23, 30), date(2021, 6, 7), date(2021, 6, 10)),
        # Summer: 16:30 UTC is 17:30 BST, after hours; counts from Wed 2 June -> 3, 4, 7.
        (utc(2021, 6, 1, 16, 30), date(2021, 6, 2), date(2021, 6, 7)),
        # Summer: 15:30 UTC is 16:30 BST, in hours; counts from Tue 1 June -> 2, 3, 4.
        (utc(2021, 6, 1, 15, 30), date(2021, 6, 1), date(2021, 6, 4)),
        # Winter: 16:30 UTC is 16:30 GMT, in hours; counts from Tue 5 Jan -> 6, 7, 8.
        (utc(2021, 1, 5, 16, 30), date(2021, 1, 5), date(2021, 1, 8)),
        # 23:30 UTC on Thu 3 June is 00:30 BST on Friday: Friday, in hours -> 7, 8, 9.
        (utc(2021, 6, 3, 23, 30), date(2021, 6, 4), date(2021, 6, 9)),
    ],
)
def test_deadline_counts_from_the_working_day_of_receipt(received_at, counts_from, due_in_3):
    assert working_day_received(received_at) == counts_from
    assert working_days_after_receipt(received_at, 3) == due_in_3


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2021, 6, 4), date(2021, 6, 4), 0),
        (date(2021, 6, 7), date(2021, 6, 4), 0),  # end before start
        (date(2021, 6, 4), date(2021, 6, 7), 1),  # Friday to Monday
        (date(2020, 12, 24), date(2020, 12, 31), 3),  # 29, 30, 31
        (date(2020, 12, 24), date(2021, 1, 4), 4),  # 29, 30, 31, 4
        (date(2021, 3, 31), date(2021, 4, 9), 5),  # 1, 6, 7, 8, 9 April
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


@pytest.mark.parametrize(
    ("day", "timing", "delivered"),
    [
        # Warnings come on their day when it is a working day, else on the working day before.
        (date(2020, 12, 30), WARNING, utc(2020, 12, 30, 9)),  # Wednesday, GMT
        (date(2021, 1, 3), WARNING, utc(2020, 12, 31, 9)),  # Sunday; Friday 1 Jan is New Year's Day
        (date(2020, 12, 28), WARNING, utc(2020, 12, 24, 9)),  # Boxing Day substitute, Christmas, weekend
        (date(2021, 3, 28), WARNING, utc(2021, 3, 26, 9)),  # the Sunday clocks go forward; Friday is GMT
        (date(2021, 6, 1), WARNING, utc(2021, 6, 1, 8)),  # 09:00 BST is 08:00 UTC
        # Overdue alerts come at 09:00 on the first working day after the deadline.
        (date(2020, 12, 31), OVERDUE, utc(2021, 1, 4, 9)),  # Thursday; New Year's Day, weekend
        (date(2020, 12, 24), OVERDUE, utc(2020, 12, 29, 9)),  # Christmas, weekend, Boxing Day substitute
        (date(2021, 4, 1), OVERDUE, utc(2021, 4, 6, 8)),  # Good Friday to Easter Monday; now BST
        (date(2023, 3, 24), OVERDUE, utc(2023, 3, 27, 8)),  # Friday GMT; Monday after clocks went forward
        (date(2022, 10, 28), OVERDUE, utc(2022, 10, 31, 9)),  # Friday BST; Monday after clocks went back
        (date(2022, 6, 1), OVERDUE, utc(2022, 6, 6, 8)),  # Platinum Jubilee: Thursday and Friday off
        (date(2023, 5, 5), OVERDUE, utc(2023, 5, 9, 8)),  # Coronation bank holiday Monday 8 May
        (date(2021, 6, 5), OVERDUE, utc(2021, 6, 7, 8)),  # a Saturday deadline alerts on Monday
    ],
)
def test_reminders_arrive_on_a_working_day_at_nine_london_time(day, timing, delivered):
    at = reminder_delivery_at(day=day, timing=timing)
    assert at == delivered
    local = at.astimezone(LONDON)
    assert (local.hour, local.minute) == (9, 0) and is_working_day(local.date())


def test_the_delivery_time_ignores_a_time_zone_a_request_activated():
    with timezone.override(ZoneInfo("America/New_York")):
        assert reminder_delivery_at(day=date(2021, 6, 1), timing=WARNING) == utc(2021, 6, 1, 8)


def test_an_unknown_timing_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="timing"):
        reminder_delivery_at(day=date(2021, 6, 1), timing="soon")
