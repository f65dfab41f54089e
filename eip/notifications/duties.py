"""Recurring duties: a duty that falls due again and again (a professionals meeting every
week) reminds once for every instance missed, until it is done.

Each pathway app registers a function that, given the time, schedules through
`notification_schedule` the reminders still owed for its duties, keyed per instance, so
running it any number of times (beat firing twice, two sweepers) schedules each instance
once. The sweeper (tasks.reminders_send_due) calls them all before it claims what is due.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

_REMINDERS: dict[str, Callable[..., int]] = {}


def recurring_duty(name: str):
    """Register `remind(*, now) -> int` (how many instances it scheduled) under `name`."""

    def register(remind: Callable[..., int]) -> Callable[..., int]:
        _REMINDERS[name] = remind
        return remind

    return register


def recurring_duties_remind(*, now: datetime | None = None) -> dict[str, int]:
    """Schedule the reminders owed for every registered recurring duty. One duty failing is
    logged and does not stop the others, nor the sweep that delivers what is due."""
    now = now or timezone.now()
    scheduled = {}
    for name, remind in _REMINDERS.items():
        try:
            with transaction.atomic():
                scheduled[name] = remind(now=now)
        except Exception:
            logger.exception("Reminding the recurring duty %s failed; the next sweep tries again.", name)
    return scheduled
