"""The referrer's weekly summary: every Monday (the next working day after a bank holiday) at
09:00 London time, the social worker who referred each active case is e-mailed that the last
week's summary of it is ready, with the case reference and a link, nothing more.

Sent through the notifications outbox: a recurring duty (run by the beat's sweeper every minute)
schedules one notification per case per week, keyed by case and week, so two beats or a repeated
sweep schedule it once, and the outbox delivers it once. After an outage, only the latest week is
sent: one message, not a backlog.
"""

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.progress_updates import PROGRESS_UPDATE
from eip.notifications.duties import recurring_duty
from eip.notifications.kinds import IN_APP
from eip.notifications.models import Notification, NotificationPreference
from eip.notifications.services import notification_schedule
from eip.workdays import OVERDUE, reminder_delivery_at

from .summary import week_bounds, week_start

WEEKLY_SUMMARY = "case.weekly_summary"


def summary_link(case: Case, week) -> str:
    return f"{reverse('case-weekly-summary', args=[case.pk])}?week={week.isoformat()}"


def summary_delivery_at(week) -> datetime:
    """When the summary of the week starting Monday `week` goes out: the first working day after
    its Sunday, at 09:00 (the one rule for every reminder, eip.workdays)."""
    return reminder_delivery_at(day=week + timedelta(days=6), timing=OVERDUE)


def summary_week_due(now: datetime):
    """The latest week whose summary is due by `now`."""
    last_week = week_start(timezone.localtime(now).date()) - timedelta(days=7)
    return last_week if summary_delivery_at(last_week) <= now else last_week - timedelta(days=7)


def referrers_not_emailed(*, user_ids) -> set[int]:
    """Those among `user_ids` who chose not to be e-mailed about progress updates at all: they
    read the weekly summary in EIP (one query for every referrer of the week)."""
    return set(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=PROGRESS_UPDATE, email=IN_APP).values_list(
            "user_id", flat=True
        )
    )


@recurring_duty("referrer_updates.weekly_summary")
def weekly_summaries_send(*, now: datetime) -> int:
    """Schedule the week's summary of every active case not yet given one, for its referrer
    unless they turned off e-mail about progress updates. Returns how many were scheduled."""
    week = summary_week_due(now)
    done = Notification.objects.filter(
        kind=WEEKLY_SUMMARY, occurrence=week, subject_type=ContentType.objects.get_for_model(Case)
    ).values_list("subject_id", flat=True)
    # A case opened after the week ended has nothing to say about it yet.
    cases = list(
        Case.objects.filter(stage__in=Case.ACTIVE_STAGES, opened_at__lt=week_bounds(week)[1])
        .exclude(pk__in=done)
        .select_related("referrer")
    )
    off = referrers_not_emailed(user_ids={case.referrer_id for case in cases})
    for case in cases:
        if case.referrer_id in off:
            continue
        notification_schedule(
            recipients=[case.referrer],
            kind=WEEKLY_SUMMARY,
            key=f"case:{case.pk}:weekly-summary:{week.isoformat()}",
            subject=case,
            link=summary_link(case, week),
            due_at=summary_delivery_at(week),
            occurrence=week,
            message=f"The weekly summary of case {case.reference} for the week of {week:%-d %B %Y} is ready. "
            "Sign in to EIP to read it.",
        )
    return len(cases) - sum(case.referrer_id in off for case in cases)
