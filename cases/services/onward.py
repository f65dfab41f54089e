"""Onward referrals to other services, and how long a case waits for them."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from ..kernel import CaseIncomplete, case_event_record, case_lock, stale_page_check
from ..models import OnwardReferral
from ._common import clean_and_save


@transaction.atomic
def onward_referral_record(
    *, case, user, service, service_other="", made_on, status="made", outcome=""
) -> OnwardReferral:
    case = case_lock(case)
    if service == OnwardReferral.Service.OTHER and not service_other.strip():
        raise CaseIncomplete({"service_other": "Name the service"})
    held = case.consultations.filter(held=True).exists()
    onward = clean_and_save(
        OnwardReferral(
            case=case,
            service=service,
            service_other=service_other,
            made_on=made_on,
            status=status,
            outcome=outcome,
            following_consultation=held,
            recorded_by=user,
            started_on=made_on if status in ("accepted", "engaged") else None,
        )
    )
    case_event_record(
        case,
        user,
        "onward_referral",
        f"Onward referral to {onward.get_service_display()} made",
        partner_related=onward.partner_related,
    )
    return onward


@transaction.atomic
def onward_referral_update(
    *, onward, user, status, outcome, on: date | None = None, expected_version: int | None = None
) -> OnwardReferral:
    case = case_lock(onward.case)
    onward = OnwardReferral.objects.select_for_update().get(pk=onward.pk)
    stale_page_check(
        current_version=onward.version,
        expected_version=expected_version,
        message=f"Someone else updated the {onward.get_service_display()} referral while you were editing. "
        "Your change has not been saved: check its current status and enter it again.",
    )
    onward.status, onward.outcome = status, outcome
    onward.version += 1
    if status in ("accepted", "engaged") and onward.started_on is None:
        onward.started_on = on or timezone.localdate()
    clean_and_save(onward)
    case_event_record(
        case,
        user,
        "onward_referral",
        f"{onward.get_service_display()}: {onward.get_status_display().lower()}",
        partner_related=onward.partner_related,
    )
    return onward


def weeks_waiting(onward: OnwardReferral, today: date | None = None) -> int | None:
    """Weeks a case has been held waiting for the service to take the person on."""
    if onward.status in ("declined",):
        return None
    end = onward.started_on or today or timezone.localdate()
    return (end - onward.made_on).days // 7
