"""A referral not acknowledged in time reminds every working day until it is acknowledged
(issue 17: every duty reminds until it is done).

The first overdue alert is written when the referral is submitted (services.referral_submit)
and reaches the supervisors and programme managers at 09:00 on the first working day after the
deadline. From the next working day on, this recurring duty reminds the practitioners on intake
duty (who acknowledge it) and the supervisors at 09:00 each working day, once a day: keyed by the
referral and the day, so two beats or a repeated sweep remind once. Only today's reminder is ever
written: after an outage, one message, not a backlog. Acknowledging, declining or withdrawing the
referral ends them (only referrals still waiting are reminded).
"""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from eip.notifications.duties import recurring_duty
from eip.notifications.services import notification_schedule
from eip.people.models import Role, User
from eip.workdays import OVERDUE, REMINDER_HOUR, is_working_day, previous_working_day, reminder_delivery_at

from .duty import intake_duty_recipients
from .models import Referral

STILL_OVERDUE = "referral.acknowledgement_still_overdue"
WAITING = (Referral.Status.SUBMITTED, Referral.Status.MORE_INFO)


@recurring_duty("referrals.acknowledgement_overdue")
def acknowledgement_overdue_remind(*, now: datetime) -> int:
    """Today's reminder for every referral whose first overdue alert went on an earlier working
    day and that is still not acknowledged. Returns how many referrals were reminded."""
    local = timezone.localtime(now)
    today = local.date()
    if not is_working_day(today) or local.hour < REMINDER_HOUR:
        return 0
    # The first alert comes on the first working day after the deadline, so a deadline before the
    # last working day had its first alert on an earlier working day than today.
    alerted_before = previous_working_day(today)
    waiting = list(
        Referral.objects.filter(
            acknowledged_at__isnull=True, status__in=WAITING, acknowledgement_due__lt=alerted_before
        ).select_related("borough")
    )
    if not waiting:
        return 0
    recipients = {user.pk: user for user in intake_duty_recipients()}
    recipients |= {user.pk: user for user in User.objects.filter(role=Role.SUPERVISOR, is_active=True)}
    due_at = reminder_delivery_at(day=alerted_before, timing=OVERDUE)  # 09:00 today
    for referral in waiting:
        notification_schedule(
            recipients=list(recipients.values()),
            kind=STILL_OVERDUE,
            key=f"referral:{referral.pk}:ack-overdue:{today.isoformat()}",
            subject=referral,
            link=reverse("referral-detail", args=[referral.pk]),
            due_at=due_at,
            occurrence=today,
            message=f"Referral {referral.reference} from {referral.borough.name} is still not acknowledged: "
            f"it was due by {referral.acknowledgement_due:%A %-d %B %Y}. Acknowledge it today.",
        )
    return len(waiting)
