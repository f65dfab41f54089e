from celery import shared_task


@shared_task
def partner_follow_up_reminders():
    """Daily: one reminder per closed case for the partner's three-month follow-up."""
    from .services import follow_up_reminders_schedule

    return follow_up_reminders_schedule()
