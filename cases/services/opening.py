"""Opening a case from an accepted referral."""

from django.db import transaction
from django.utils import timezone

from eip import access
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record

from ..kernel import MARAC_DASH_THRESHOLD
from ..models import Case, CaseEvent
from .risk import risk_actions_raise


@transaction.atomic
def case_open(*, referral, practitioner, user) -> Case:
    """Open the case for an accepted referral. The referring social worker is granted the
    case (they see the cases that came from their referrals)."""
    case = Case.objects.create(
        referral=referral,
        person=referral.person,
        borough=referral.borough,
        referrer=referral.referrer,
        practitioner=practitioner,
        opened_at=timezone.now(),
    )
    access.grant(referral.referrer, "cases.view_case", case)
    CaseEvent.objects.create(
        case=case, actor=user, kind="opened", summary=f"Case opened from referral {referral.reference}"
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATED,
        record=case,
        detail={"referral": referral.reference, "practitioner": practitioner.pk},
    )
    if referral.dash_score is not None and referral.dash_score >= MARAC_DASH_THRESHOLD:
        risk_actions_raise(
            case=case,
            user=user,
            reason=f"DASH score of {referral.dash_score} at referral (MARAC threshold {MARAC_DASH_THRESHOLD})",
        )
    return case
