"""Notifications and reminders: the one way the app tells people about time-bound duties.

Callers schedule inside the transaction that creates the duty and cancel inside the one
that fulfils it. Nothing here talks to the broker: rows due now are handed to the publisher
after commit (after the response, in a request: eip.notifications.publish), and a broker
failure never reaches the caller: the sweeper picks the row up on its next run.
"""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import connection, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from eip import outbound
from eip.db.claims import advisory_claim
from eip.workdays import DIGEST as DIGEST_TIMING
from eip.workdays import digest_day, reminder_delivery_at

from .digest import digest_send
from .govuk_notify import NOTIFICATION_HEADER
from .kinds import DIGEST, DIGEST_KIND, IMMEDIATE, IN_APP
from .models import Notification
from .preferences import notification_preference
from .publish import dispatch_safely, notifications_due_now  # noqa: F401  (dispatch_safely: callers queue through it)

logger = logging.getLogger(__name__)

# A row handed to a worker but still unsent this long afterwards (message lost, worker
# killed, mail server down) is claimed again by the next sweep.
REDISPATCH_AFTER = timedelta(minutes=10)
# Rows claimed per sweep; anything beyond waits for the next run, a minute later.
SWEEP_BATCH = 500


def _subject_filter(subject: models.Model) -> dict:
    return {
        "subject_type": ContentType.objects.get_for_model(subject),
        "subject_id": subject.pk,
    }


def notification_schedule(
    *,
    recipients: Iterable,
    kind: str,
    key: str,
    message: str,
    due_at: datetime,
    subject: models.Model | None = None,
    link: str = "",
    occurrence: date | None = None,
) -> list[Notification]:
    """Schedule `message` for each active recipient at `due_at`; return their rows.

    Call inside the transaction that creates the duty, so the reminder exists exactly
    when the duty does. Idempotent per (recipient, key): an existing row is returned
    unchanged. `message` must not contain personal data (see `Notification`).
    Something already due is queued for delivery as soon as the transaction commits.
    """
    active = [user for user in recipients if user.is_active]
    if not active:
        return []
    subject_fields = _subject_filter(subject) if subject is not None else {}
    with transaction.atomic():
        # ignore_conflicts makes a repeat a no-op on PostgreSQL and SQLite alike, and
        # unlike catching IntegrityError it does not break the caller's transaction.
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    kind=kind,
                    key=key,
                    message=message,
                    link=link,
                    due_at=due_at,
                    occurrence=occurrence,
                    **subject_fields,
                )
                for user in active
            ],
            ignore_conflicts=True,
        )
        rows = list(Notification.objects.filter(recipient__in=active, key=key).select_related("recipient"))
    due_now = [
        row.pk for row in rows if row.due_at <= timezone.now() and row.sent_at is None and row.cancelled_at is None
    ]
    if due_now:
        transaction.on_commit(lambda: notifications_due_now(due_now))
    return rows


def notification_send_now(
    *,
    recipients: Iterable,
    kind: str,
    key: str,
    message: str,
    subject: models.Model | None = None,
    link: str = "",
) -> list[Notification]:
    """Notify now: delivered once the caller's transaction commits."""
    return notification_schedule(
        recipients=recipients,
        kind=kind,
        key=key,
        message=message,
        due_at=timezone.now(),
        subject=subject,
        link=link,
    )


def notification_cancel(*, subject: models.Model, kind: str | None = None, but_occurrence: date | None = None) -> int:
    """The duty about `subject` is done: withdraw its unsent reminders. Returns how many.
    `but_occurrence` keeps the reminders of that instance of a recurring duty (still owed)."""
    pending = Notification.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True, **_subject_filter(subject))
    if kind is not None:
        pending = pending.filter(kind=kind)
    if but_occurrence is not None:
        pending = pending.exclude(occurrence=but_occurrence)
    return pending.update(cancelled_at=timezone.now())


def notification_mark_read(*, notification: Notification, user) -> Notification:
    if notification.recipient_id != user.pk:
        raise PermissionDenied("Only the recipient can mark a notification as read.")
    if notification.sent_at is None:
        raise PermissionDenied("This notification has not been sent yet.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_list_for_user(*, user, unread_only: bool = False, topic: str = "") -> models.QuerySet[Notification]:
    """The user's delivered notifications, newest first; only unread ones, or one topic's
    (the first part of the kind: "referral", "case", ...), when asked."""
    rows = (
        Notification.objects.filter(recipient=user, sent_at__isnull=False)
        .exclude(kind=DIGEST_KIND)  # the daily e-mail itself; its notifications are in the list
        .order_by("-sent_at", "-pk")
    )
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    if topic:
        # A kind is "topic.what", or just "topic" for an app with one kind.
        rows = rows.filter(Q(kind__startswith=f"{topic}.") | Q(kind=topic))
    return rows


def notification_topics_for_user(*, user) -> list[str]:
    """The topics the user has notifications about, for the list's filter."""
    kinds = notification_list_for_user(user=user).order_by().values_list("kind", flat=True).distinct()
    return sorted({kind.split(".", 1)[0] for kind in kinds})


def notification_mark_read_bulk(*, user, notification_ids: Iterable[int] | None = None, topic: str = "") -> int:
    """Mark the user's own delivered notifications among `notification_ids` read (all of them, or
    all about `topic`, when no ids are given); others' are left alone. Returns how many were newly read."""
    unread = notification_list_for_user(user=user, unread_only=True, topic=topic)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def notification_unread_count(*, user) -> int:
    return notification_list_for_user(user=user).filter(read_at__isnull=True).count()


# PostgreSQL advisory locks name a notification being delivered: (this namespace, its id).
# A session lock dies with its connection, so a killed worker's claim ends with it.
DELIVERY_LOCK_NAMESPACE = 0x454950  # "EIP"


def reminders_claim_due(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Claim up to `limit` due, unsent rows for delivery and return their ids.

    Rows another sweeper holds are skipped rather than waited for, so overlapping
    sweeps claim disjoint sets (PostgreSQL; SQLite has one writer at a time anyway), and so
    are rows a worker is delivering at this moment.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - REDISPATCH_AFTER))
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids and connection.vendor == "postgresql":
            # A delivery in progress holds its row's advisory lock; taking it for the length of
            # this transaction fails for those rows, which are left to the worker sending them.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM unnest(%s::bigint[]) AS id "
                    "WHERE pg_try_advisory_xact_lock(%s, (id %% 2147483648)::integer)",
                    [ids, DELIVERY_LOCK_NAMESPACE],
                )
                free = {row[0] for row in cursor.fetchall()}
            ids = [pk for pk in ids if pk in free]
        Notification.objects.filter(pk__in=ids).update(dispatched_at=now)
    return ids


def _delivery_claim(notification_id: int):
    """True if this process may deliver the notification now, False if another is (a claim,
    not a row lock: see eip.db.claims). The sweeper's advisory transaction lock uses the same key."""
    return advisory_claim(namespace=DELIVERY_LOCK_NAMESPACE, key=notification_id)


def _absolute_link(link: str) -> str:
    base = getattr(settings, "EIP_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    if not link or "://" in link:
        return link
    return f"{base}/{link.lstrip('/')}"


def _email_subject(message: str) -> str:
    first_line = message.strip().splitlines()[0] if message.strip() else "Notification"
    if len(first_line) > 100:
        first_line = first_line[:99].rstrip() + "\u2026"
    return f"EIP: {first_line}"


# Messages about the person themselves, not their work: never handed to a cover.
NOT_COVERED = ("cover.", "outbound.", "notifications.")


def _hand_to_cover(notification: Notification) -> None:
    """A practitioner away today: the colleague covering them gets the message too (keyed as
    the original, so nothing reaches the cover twice), delivered by the same outbox. The
    absent practitioner's own copy stays in their notifications for when they are back."""
    from eip.people.cover import cover_for
    from eip.people.models import Role

    recipient = notification.recipient
    if recipient.role != Role.PRACTITIONER or notification.kind.startswith(NOT_COVERED):
        return
    cover = cover_for(users=[recipient]).get(recipient.pk)
    if cover is None:
        return
    notification_schedule(
        recipients=[cover],
        kind=notification.kind,
        key=notification.key,
        message=f"Covering for {recipient.full_name}: {notification.message}",
        due_at=timezone.now(),
        subject=notification.subject if notification.subject_id else None,
        link=notification.link,
        occurrence=notification.occurrence,
    )


def notification_deliver(*, notification_id: int) -> bool:
    """Send one notification: make it visible in the app and e-mail it as the recipient chose
    for its kind (at once, in the daily digest, or not at all: eip.notifications.preferences).

    Returns False when there is nothing to do because it was already sent or cancelled, or
    another worker is sending it right now, which makes repeated deliveries (beat running
    twice, a message redelivered after a worker died) harmless. No row lock or transaction is
    held while the mail server is talking: the row is claimed (see `_delivery_claim`), read,
    mailed, and then marked sent. If sending fails nothing is marked and a later sweep retries.
    """
    with _delivery_claim(notification_id) as claimed:
        if not claimed:
            return False
        # Read after claiming: a delivery that finished just before ours has set sent_at.
        notification = (
            Notification.objects.select_related("recipient")
            .filter(pk=notification_id, sent_at__isnull=True, cancelled_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        unsent = Notification.objects.filter(pk=notification_id, sent_at__isnull=True, cancelled_at__isnull=True)
        recipient = notification.recipient
        if not recipient.is_active:
            # Someone whose account was closed gets no more case e-mail.
            unsent.update(cancelled_at=timezone.now())
            return False
        _hand_to_cover(notification)
        if notification.kind == DIGEST_KIND:
            return digest_send(digest=notification, absolute=_absolute_link)
        email_choice = notification_preference(user=recipient, kind=notification.kind)
        if email_choice in (DIGEST, IN_APP):
            # In the app now; e-mailed with the next daily digest, or not at all.
            unsent.update(sent_at=timezone.now(), email=email_choice)
            if email_choice == DIGEST:
                digest_schedule(recipient=recipient)
            return True
        body = notification.message.strip()
        if notification.link:
            body = f"{body}\n\n{_absolute_link(notification.link)}"
        email = EmailMessage(
            subject=_email_subject(notification.message),
            body=body + "\n",
            to=[recipient.email],
            headers={NOTIFICATION_HEADER: str(notification.pk)},
        )
        try:
            # E-mail leaves the secure system: checked against the third-party details of the
            # case it is about, whoever receives it.
            outbound.outbound_release(
                content=email,
                audience=outbound.audience_for(recipient),
                channel="email",
                concerning=[notification.subject] if notification.subject_id else [],
                label=outbound.ALERT_LABEL if notification.kind == "outbound.refused" else "an e-mail notification",
            )
        except outbound.OutboundRefused:
            # Never sent and never retried; the refusal is audited and supervisors were alerted.
            now = timezone.now()
            unsent.update(refused_at=now, cancelled_at=now)
            return False
        email.send()
        # A cancel that landed while the mail was going out keeps the row cancelled.
        unsent.update(sent_at=timezone.now(), email=IMMEDIATE)
    return True


def digest_schedule(*, recipient, after=None) -> Notification:
    """Make sure a digest will carry what `recipient` has just received (once per user per day)."""
    day = digest_day(after or timezone.now())
    while True:
        due_at = reminder_delivery_at(day=day, timing=DIGEST_TIMING)
        row = notification_schedule(
            recipients=[recipient],
            kind=DIGEST_KIND,
            key=f"digest:{due_at.date().isoformat()}",
            message="Your daily EIP email",
            due_at=due_at,
            link=reverse("notification-list"),
        )[0]
        if row.sent_at is None and row.cancelled_at is None:
            return row
        # That day's digest has already gone (a clock or sweep running late): the next one.
        day = due_at.date()
