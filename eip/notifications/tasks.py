"""Celery tasks for notifications. Deadlines are never carried in task ETAs: they live
in the database and beat runs `reminders_send_due` every minute, so a missed run, a
restarted worker or a lost message is caught up by the next sweep."""

from celery import shared_task

from . import duties, publish, services


@shared_task(name="eip.notifications.tasks.reminders_send_due", soft_time_limit=60, time_limit=90)
def reminders_send_due() -> int:
    """The sweeper: remind recurring duties, claim what is due and queue it for delivery, a
    batch per message. Returns the count."""
    # Recurring duties still undone get their next reminder first (once per instance: keyed),
    # so one still owed is sent in this same sweep.
    duties.recurring_duties_remind()
    ids = services.reminders_claim_due()
    # Queued after the claim has committed, so a worker always sees the claimed rows.
    for batch in publish.notification_batches(ids):
        publish.dispatch_safely(notifications_deliver, batch)
    return len(ids)


# A batch of 50 with a 10-second mail timeout fits well inside five minutes; past the soft
# limit the batch stops where it is, and what it had not sent waits for the next sweep.
@shared_task(name="eip.notifications.tasks.notifications_deliver", acks_late=True, soft_time_limit=300, time_limit=330)
def notifications_deliver(notification_ids: list[int]) -> int:
    """Deliver each notification in turn; returns how many were sent. A failure (the mail
    server down) stops the batch: the rest wait in the database for the sweeper."""
    return sum(services.notification_deliver(notification_id=pk) for pk in notification_ids)


@shared_task(name="eip.notifications.tasks.notification_deliver", acks_late=True, soft_time_limit=60, time_limit=90)
def notification_deliver(notification_id: int) -> bool:
    return services.notification_deliver(notification_id=notification_id)
