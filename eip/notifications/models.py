from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """A message to one user, shown in the app and e-mailed, now or when it falls due.

    This is the outbox for every time-bound duty: the row is written in the same
    transaction as the thing that creates the duty, and the beat-scheduled sweeper
    (`tasks.reminders_send_due`) sends it once `due_at` has passed. A reminder therefore
    survives a broker outage and is sent once however often beat or a worker repeats.

    `message` is e-mailed in clear and must not carry personal data about a partner,
    a child or anyone else in a case. Refer to records by their reference instead, e.g.
    "Referral EIP-2026-0004 must be acknowledged by Tuesday 5 January".
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60, help_text="Domain code, e.g. referral.acknowledgement_due")
    key = models.CharField(max_length=200, help_text="Scheduling the same key twice for a recipient does nothing.")
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    message = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    due_at = models.DateTimeField(db_index=True)
    # For a recurring duty, the date of the instance this reminds about (the week's meeting
    # due date): the sweeper schedules the next instance from the latest one.
    occurrence = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the sweeper last handed it to a worker; a claim older than the retry
    # interval is taken again, so a lost message is retried.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The duty was done before it fell due; a cancelled notification is never sent.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The outbound guard refused the e-mail (it carried third-party details): it is also
    # cancelled, so it is never retried, and supervisors were alerted.
    refused_at = models.DateTimeField(null=True, blank=True)
    # How the recipient chose to be e-mailed about it, recorded when it was delivered:
    # "immediate", "digest" (waiting for, then carried by, the daily digest) or "in_app".
    email = models.CharField(max_length=20, blank=True)
    # The daily digest (itself a notification of kind notifications.digest) that e-mailed it.
    digest = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="digested")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_unique_recipient_key"),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="notification_not_both_sent_and_cancelled",
                violation_error_message="A notification is either sent or cancelled, not both.",
            ),
            models.CheckConstraint(
                condition=Q(read_at__isnull=True) | Q(sent_at__isnull=False),
                name="notification_read_only_once_sent",
                violation_error_message="A notification cannot be read before it is sent.",
            ),
            models.CheckConstraint(
                condition=Q(subject_type__isnull=True, subject_id__isnull=True)
                | Q(subject_type__isnull=False, subject_id__isnull=False),
                name="notification_subject_complete_or_absent",
                violation_error_message="Give both the subject's type and its id, or neither.",
            ),
        ]
        indexes = [
            # The sweeper's query: what is still waiting to go out, by due time.
            models.Index(
                fields=["due_at"],
                name="notification_pending_due",
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
            ),
            # The inbox: a user's delivered notifications, newest first.
            models.Index(fields=["recipient", "-sent_at"], name="notification_inbox"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject"),
            # The digest's query: a user's delivered, unread notifications still waiting for it.
            models.Index(
                fields=["recipient"],
                name="notification_awaiting_digest",
                condition=Q(email="digest", digest__isnull=True, read_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.kind} for {self.recipient_id} due {self.due_at:%Y-%m-%d %H:%M}"


class NotificationPreference(models.Model):
    """How one user wants to be e-mailed about one kind of notification (eip.notifications.kinds).
    No row: the kind's default. Generic on purpose: any app's kind, any of its declared options."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=60)
    email = models.CharField(max_length=20)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self):
        return f"{self.kind} for {self.user_id}: {self.email}"


class Message(models.Model):
    """One e-mail or text message handed to the delivery service (GOV.UK Notify in production),
    kept so that the service's delivery receipt can find it and a failure shows on the record
    it was about. Neither the address nor the words are kept: the reference is enough."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Not delivered"

    channel = models.CharField(max_length=10, choices=Channel.choices)
    template = models.CharField(max_length=60, help_text="Key in settings.NOTIFY_TEMPLATES")
    # Ours, sent with the message and returned in the receipt.
    reference = models.CharField(max_length=64, unique=True)
    # The delivery service's id for it ("" from the local backend).
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    # The service's own word for a failure, e.g. "permanent-failure".
    failure = models.CharField(max_length=40, blank=True)
    sent_at = models.DateTimeField()
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "status"], name="message_subject_status")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.reference} ({self.status})"
