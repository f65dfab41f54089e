"""Away and cover: a practitioner (or their supervisor) records that they are away from one day
to another, with a named colleague covering. While it lasts, the cover works the absent
practitioner's cases (cases.rules.holds_case), gets their reminders (the notification sweeper)
and their intake-duty notifications (referrals.duty). Whom it concerns is asked of
eip.people.cover, each day, so it all stops when the absence ends."""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from eip.access import require
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.notifications.services import notification_send_now
from eip.people.models import Absence, Role

from ..kernel import CaseError, CaseIncomplete


def _active_absences():
    return Absence.objects.filter(cancelled_at__isnull=True)


def _absence_check(*, practitioner, cover, starts_on, ends_on) -> None:
    errors = {}
    today = timezone.localdate()
    if starts_on is None:
        errors["starts_on"] = "Enter the first day away"
    if ends_on is None:
        errors["ends_on"] = "Enter the last day away"
    elif ends_on < today:
        errors["ends_on"] = "The last day away must be today or later"
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The last day away must be on or after the first"
    if cover is None or cover.role != Role.PRACTITIONER or not cover.is_active:
        errors["cover"] = "Choose the practitioner who will cover"
    elif cover.pk == practitioner.pk:
        errors["cover"] = "Choose someone else to cover"
    if errors:
        raise CaseIncomplete(errors)
    _overlap_check(practitioner=practitioner, cover=cover, starts_on=starts_on, ends_on=ends_on)


def _overlap_check(*, practitioner, cover, starts_on, ends_on) -> None:
    during = Q(starts_on__lte=ends_on, ends_on__gte=starts_on)
    if _active_absences().filter(during, practitioner=practitioner).exists():
        raise CaseIncomplete({"starts_on": f"{practitioner.full_name} is already away for some of these days"})
    if _active_absences().filter(during, practitioner=cover).exists():
        raise CaseIncomplete({"cover": f"{cover.full_name} is away for some of these days: choose someone else"})
    if _active_absences().filter(during, cover=practitioner).exists():
        raise CaseError(
            f"{practitioner.full_name} is covering a colleague on some of these days: "
            "arrange cover for that colleague with someone else first."
        )


@transaction.atomic
def absence_set(*, practitioner, cover, starts_on, ends_on, user) -> Absence:
    """Mark `practitioner` away from `starts_on` to `ends_on` (both days included), covered
    by `cover`. The cover is told."""
    if practitioner is None:
        raise CaseIncomplete({"practitioner": "Choose who is away"})
    require(user, "absence.set", practitioner)
    _absence_check(practitioner=practitioner, cover=cover, starts_on=starts_on, ends_on=ends_on)
    absence = Absence.objects.create(
        practitioner=practitioner, cover=cover, starts_on=starts_on, ends_on=ends_on, set_by=user
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATED,
        record=practitioner,
        label=f"{practitioner.full_name} away",
        detail={"event": "away", "from": starts_on.isoformat(), "to": ends_on.isoformat(), "cover": cover.pk},
    )
    notification_send_now(
        recipients=[cover],
        kind="cover.arranged",
        key=f"absence:{absence.pk}:cover",
        link=reverse("absence-list"),
        message=f"You are covering {practitioner.full_name} from {starts_on:%A %-d %B} to {ends_on:%A %-d %B %Y}: "
        "their cases, reminders and intake-duty notifications come to you on those days.",
    )
    return absence


@transaction.atomic
def absence_end(*, absence, user) -> Absence:
    """End an absence now (back early) or withdraw one not yet begun: cover stops at once."""
    require(user, "absence.set", absence.practitioner)
    absence = Absence.objects.select_for_update().get(pk=absence.pk)
    if absence.cancelled_at is not None:
        return absence
    absence.cancelled_at = timezone.now()
    absence.save(update_fields=["cancelled_at"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=absence.practitioner,
        label=f"{absence.practitioner.full_name} back",
        detail={"event": "away ended", "absence": absence.pk},
    )
    return absence
