"""E-mail and text messages through GOV.UK Notify, the delivery service UK public services use.

Production sets NOTIFY_API_KEY: every e-mail the outbound guard released goes out through
`NotifyEmailBackend` (the transport behind eip.outbound.ReleasedOnlyEmailBackend), and text
messages through `sms_send`. The default run and the tests keep a local backend: e-mails to the
console or the test outbox, texts to `local_sms_outbox` and the log. Templates are Notify's, named
by id in settings.NOTIFY_TEMPLATES; Notify's delivery receipts come back to
`views.delivery_receipt`, which marks a failed message so it shows on its record.
"""

import logging
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.db import models
from django.utils import timezone

from .models import Message, Notification

logger = logging.getLogger(__name__)

# The header a notification's e-mail carries so its Message row points back to it.
NOTIFICATION_HEADER = "X-EIP-Notification"
# Notify's receipt statuses; anything else is still on its way.
FAILED_STATUSES = {"permanent-failure", "temporary-failure", "technical-failure", "validation-failed"}
DELIVERED_STATUSES = {"delivered"}

# The local backend's texts, for `make run` (also logged) and tests: dicts of to, template, personalisation.
local_sms_outbox: list[dict] = []


def notify_enabled() -> bool:
    return bool(settings.NOTIFY_API_KEY)


def _client():
    from notifications_python_client.notifications import NotificationsAPIClient

    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=settings.NOTIFY_TIMEOUT
    )


def template_id(template: str) -> str:
    template_id = settings.NOTIFY_TEMPLATES.get(template, "")
    if not template_id:
        raise ImproperlyConfigured(f"Set the GOV.UK Notify template id for {template!r} (NOTIFY_TEMPLATES)")
    return template_id


def _record(*, channel, template, reference, provider_id, subject=None, notification_id=None) -> Message:
    subject_fields = {}
    if subject is not None:
        subject_fields = {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": subject.pk}
    elif notification_id:
        # A notification's e-mail is about the notification's subject (the case, the referral).
        subject_fields = (
            Notification.objects.filter(pk=notification_id).values("subject_type_id", "subject_id").first() or {}
        )
    return Message.objects.create(
        channel=channel,
        template=template,
        reference=reference,
        provider_id=provider_id,
        notification_id=notification_id,
        sent_at=timezone.now(),
        **subject_fields,
    )


def sms_send(*, to: str, template: str, personalisation: dict, subject: models.Model | None = None) -> Message:
    """Send a text message from a fixed template. The caller has released its words through the
    outbound guard (eip.outbound) and checked whose number it is."""
    reference = uuid.uuid4().hex
    provider_id = ""
    if notify_enabled():
        response = _client().send_sms_notification(
            phone_number=to, template_id=template_id(template), personalisation=personalisation, reference=reference
        )
        provider_id = response.get("id", "")
    else:
        local_sms_outbox.append({"to": to, "template": template, "personalisation": dict(personalisation)})
        logger.info("Text message %s (template %s) kept by the local backend.", reference, template)
    return _record(
        channel=Message.Channel.SMS, template=template, reference=reference, provider_id=provider_id, subject=subject
    )


class NotifyEmailBackend(BaseEmailBackend):
    """Django e-mail through GOV.UK Notify's one generic e-mail template, whose subject and body
    are ((subject)) and ((body)). Used only behind ReleasedOnlyEmailBackend, so every message
    it is given has passed the outbound guard."""

    def send_messages(self, email_messages):
        client = _client()
        sent = 0
        for message in email_messages:
            notification_id = message.extra_headers.get(NOTIFICATION_HEADER)
            for address in message.recipients():
                reference = uuid.uuid4().hex
                try:
                    response = client.send_email_notification(
                        email_address=address,
                        template_id=template_id("email"),
                        personalisation={"subject": str(message.subject), "body": str(message.body)},
                        reference=reference,
                    )
                except Exception:
                    if self.fail_silently:
                        continue
                    raise
                _record(
                    channel=Message.Channel.EMAIL,
                    template="email",
                    reference=reference,
                    provider_id=response.get("id", ""),
                    notification_id=int(notification_id) if notification_id else None,
                )
            sent += 1
        return sent


def delivery_receipt_record(*, receipt: dict) -> Message | None:
    """Notify's callback about one message: mark it delivered or failed. Returns the message,
    or None when the receipt names no message of ours (it is ignored)."""
    reference, provider_id = receipt.get("reference") or "", receipt.get("id") or ""
    message = None
    if reference:
        message = Message.objects.filter(reference=reference).first()
    if message is None and provider_id:
        message = Message.objects.filter(provider_id=provider_id).first()
    if message is None:
        return None
    status = str(receipt.get("status", ""))
    if status in FAILED_STATUSES:
        message.status, message.failure = Message.Status.FAILED, status[:40]
    elif status in DELIVERED_STATUSES and message.status != Message.Status.FAILED:
        message.status = Message.Status.DELIVERED
    else:
        return message
    message.status_at = timezone.now()
    message.save(update_fields=["status", "failure", "status_at"])
    return message


def messages_not_delivered(*, subject: models.Model) -> models.QuerySet[Message]:
    """The messages about `subject` the delivery service could not deliver, newest first."""
    return Message.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk, status=Message.Status.FAILED
    )


# messages_not_delivered(subject)[:n] as one fixed statement: a case's overview asks it on every
# view, and building and compiling the ORM's query cost more than running it.
_NOT_DELIVERED_SQL = """
SELECT m.id, m.channel, m.sent_at FROM notifications_message m
WHERE m.subject_type_id = %s AND m.subject_id = %s AND m.status = %s
ORDER BY m.sent_at DESC, m.id DESC LIMIT %s"""


def messages_not_delivered_latest(*, subject: models.Model, n: int = 5) -> list[Message]:
    """The newest `n` of messages_not_delivered(subject): their channel and when they were sent."""
    params = [ContentType.objects.get_for_model(subject).pk, subject.pk, Message.Status.FAILED.value, n]
    return list(Message.objects.raw(_NOT_DELIVERED_SQL, params))
