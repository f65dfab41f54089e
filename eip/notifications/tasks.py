"""Celery tasks for notifications. Deadlines are never carried in task ETAs: they live
in the database and beat runs `reminders_send_due` every minute, so a missed run, a
restarted worker or a lost message is caught up by the next sweep."""

from celery import shared_task

from . import services


@shared_task(name="eip.notifications.tasks.reminders_send_due")
def reminders_send_due() -> int:
    """The sweeper: claim what is due and queue each for delivery. Returns the count."""
    ids = services.reminders_claim_due()
    # Queued after the claim has committed, so a worker always sees the claimed row.
    for notification_id in ids:
        services.dispatch_safely(notification_deliver, notification_id)
    return len(ids)


@shared_task(name="eip.notifications.tasks.notification_deliver", acks_late=True)
def notification_deliver(notification_id: int) -> bool:
    return services.notification_deliver(notification_id=notification_id)
