"""The daily digest: one e-mail at 08:30 on working days with the notifications someone chose
to receive that way and has not yet read in the app.

The digest is itself a notification (kind notifications.digest, one key per user per day) in
the same outbox, so the sweeper and its claims send it once however many beats run. Its body
names only what happened and the case references, with a link into EIP: never the messages
themselves, which may name people.
"""

import re

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from eip import outbound

from .govuk_notify import NOTIFICATION_HEADER
from .kinds import DIGEST, notification_kind
from .models import Notification

# Case and referral references ("EIP-2026-0004"): the only identifiers a digest carries.
REFERENCE = re.compile(r"\bEIP-\d{4}-\d{4,}\b")


def digest_waiting(*, recipient):
    """What the recipient's next digest carries: delivered in the app, not read, not yet e-mailed."""
    return Notification.objects.filter(
        recipient=recipient, email=DIGEST, digest__isnull=True, read_at__isnull=True, sent_at__isnull=False
    ).order_by("sent_at", "pk")


def _line(notification: Notification) -> str:
    references = list(dict.fromkeys(REFERENCE.findall(notification.message)))
    label = notification_kind(notification.kind).label
    return f"* {label}: {', '.join(references)}" if references else f"* {label}"


def digest_body(*, notifications: list[Notification], link: str, settings_link: str) -> str:
    count = len(notifications)
    lines = [
        f"You have {count} new notification{'s' if count != 1 else ''} in EIP since your last daily email:",
        "",
        *(_line(n) for n in notifications),
        "",
        f"Read them in EIP: {link}",
        "",
        f"Choose which notifications are emailed to you: {settings_link}",
    ]
    return "\n".join(lines) + "\n"


def digest_send(*, digest: Notification, absolute) -> bool:
    """Send one digest (the caller holds its delivery claim). Nothing waiting, because everything
    was read in the app: the digest is cancelled and nothing is sent."""
    unsent = Notification.objects.filter(pk=digest.pk, sent_at__isnull=True, cancelled_at__isnull=True)
    carried = list(digest_waiting(recipient=digest.recipient).select_related("subject_type"))
    if not carried:
        unsent.update(cancelled_at=timezone.now())
        return False
    count = len(carried)
    email = EmailMessage(
        subject=f"EIP: your daily email, {count} notification{'s' if count != 1 else ''}",
        body=digest_body(
            notifications=carried,
            link=absolute(reverse("notification-list") + "?show=unread"),
            settings_link=absolute(reverse("notification-settings")),
        ),
        to=[digest.recipient.email],
        headers={NOTIFICATION_HEADER: str(digest.pk)},
    )
    try:
        outbound.outbound_release(
            content=email,
            audience=outbound.audience_for(digest.recipient),
            channel="email",
            concerning=[n.subject for n in carried if n.subject_id],
            label="the daily e-mail of notifications",
        )
    except outbound.OutboundRefused:
        # Audited and supervisors alerted; what it carried stays in the app and is not retried.
        now = timezone.now()
        Notification.objects.filter(pk__in=[n.pk for n in carried]).update(digest=digest)
        unsent.update(refused_at=now, cancelled_at=now)
        return False
    email.send()
    now = timezone.now()
    Notification.objects.filter(pk__in=[n.pk for n in carried]).update(digest=digest)
    unsent.update(sent_at=now, email=DIGEST)
    return True
