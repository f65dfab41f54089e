"""The case's recurring duty: a professionals meeting every week during the intervention.

A missed week reminds the practitioner and the social worker once, at 09:00 on the next
working day, and so does every further week missed, until a meeting is recorded, the
intervention is paused (consent withdrawn) or the case closes. Each week's reminder is keyed
by its due date, so however often the sweeper runs, each missed week reminds once.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.urls import reverse

from eip.notifications.duties import recurring_duty
from eip.notifications.models import Notification
from eip.notifications.services import notification_schedule
from eip.workdays import OVERDUE, reminder_delivery_at

from .models import Case

MEETING_REMINDER = "case.meeting_overdue"


def _week() -> timedelta:
    return timedelta(days=settings.EIP_MEETING_INTERVAL_DAYS)


def meeting_reminder_schedule(*, case: Case, due: date, since: date) -> None:
    """Remind the practitioner and the social worker if no meeting is recorded by `due`.
    `since` is the last meeting (or the start of the intervention)."""
    notification_schedule(
        recipients=[case.practitioner, case.referrer],
        kind=MEETING_REMINDER,
        key=f"case:{case.pk}:meeting-due:{due.isoformat()}",
        subject=case,
        link=reverse("case-detail", args=[case.pk]),
        due_at=reminder_delivery_at(day=due, timing=OVERDUE),
        occurrence=due,
        message=f"No professionals meeting has been recorded for case {case.reference} since "
        f"{since:%-d %B %Y}. A meeting was due by {due:%A %-d %B %Y}.",
    )


@recurring_duty("case.weekly_meeting")
def meeting_reminders_remind(*, now: datetime) -> int:
    """Schedule next week's reminder for every case whose latest week's reminder has fallen due
    (that week was missed: a recorded meeting would have moved the reminder on). After an outage
    of several weeks, only the latest missed week is reminded: one message, not a backlog."""
    cases = list(
        Case.objects.filter(stage__in=Case.MEETING_STAGES)
        .select_related("practitioner", "referrer")
        .annotate(last_meeting=Max("meetings__held_on"))
    )
    if not cases:
        return 0
    latest = dict(
        Notification.objects.filter(
            kind=MEETING_REMINDER,
            subject_type=ContentType.objects.get_for_model(Case),
            subject_id__in=[case.pk for case in cases],
            cancelled_at__isnull=True,
            occurrence__isnull=False,
        )
        .values("subject_id")
        .annotate(last=Max("occurrence"))
        .values_list("subject_id", "last")
    )
    scheduled = 0
    for case in cases:
        since = max(filter(None, [case.last_meeting, case.intervention_started_on]), default=None)
        if since is None:
            continue
        reminded = latest.get(case.pk)
        if reminded is None:
            due = since + _week()
        elif reminder_delivery_at(day=reminded, timing=OVERDUE) <= now:
            due = reminded + _week()
        else:
            continue  # this week's reminder is still to come
        while reminder_delivery_at(day=due + _week(), timing=OVERDUE) <= now:
            due += _week()
        meeting_reminder_schedule(case=case, due=due, since=since)
        scheduled += 1
    return scheduled
