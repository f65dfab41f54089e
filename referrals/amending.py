"""After sending: the social worker amends a referral (the practitioners are told, and the
referral keeps a change log of what changed, when and by whom) or withdraws it with a reason,
as long as no decision has been made."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.notifications.services import notification_cancel, notification_send_now
from eip.people.models import User

from . import matching
from .duty import referral_practitioners_to_tell
from .models import PartnerDetails, Referral, ReferralChange
from .services import ReferralError, ReferralIncomplete, referral_answers_store

S = Referral.Status
OPEN = (S.SUBMITTED, S.ACKNOWLEDGED, S.MORE_INFO)

# The social worker's answers (the referral form's fields), as an amendment changes and logs them.
REFERRAL_ANSWERS = [
    "team",
    "team_other",
    "referrer_phone",
    "client_first_name",
    "client_last_name",
    "client_date_of_birth",
    "client_gender",
    "client_ethnicity",
    "client_first_language",
    "client_interpreter_needed",
    "client_additional_needs",
    "client_phone",
    "client_email",
    "client_address",
    "client_postcode",
    "client_safe_contact_times",
    "risk_markers",
    "risk_markers_other",
    "police_involved",
    "police_details",
    "orders",
    "dash_completed",
    "dash_score",
    "accommodation_may_be_needed",
    "client_willingness",
    "case_dynamic",
]
PARTNER_FIELDS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "phone",
    "address",
    "postcode",
    "lives_with_client",
    "safe_contact",
]


def _shown(record, field) -> str:
    value = getattr(record, field)
    display = getattr(record, f"get_{field}_display", None)
    if display and value:
        return str(display())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "strftime"):
        return f"{value:%-d %B %Y}"
    return "" if value is None else str(value)


def _differences(before, after, fields, *, partner: bool, hidden: bool = False) -> list[dict]:
    found = []
    for field in fields:
        old, new = _shown(before, field), _shown(after, field)
        if old != new:
            label = str(type(after)._meta.get_field(field).verbose_name)
            label = f"partner's {label}" if partner else label
            entry = {"field": label[0].upper() + label[1:], "partner": partner}
            # A safe address is never written into the log.
            entry.update({"before": "", "after": ""} if hidden else {"before": old, "after": new})
            found.append(entry)
    return found


def _children(children) -> str:
    return "; ".join(f"aged {c.age} ({c.get_plan_display()})" for c in children) or "none"


def referral_changes(*, referral, partner, children) -> list[dict]:
    """What an amendment would change, field by field (nothing is saved)."""
    before = Referral.objects.get(pk=referral.pk)
    before_partner = PartnerDetails.objects.get(referral_id=referral.pk)
    found = _differences(before, referral, REFERRAL_ANSWERS, partner=False)
    found += _differences(
        before_partner,
        partner,
        [f for f in PARTNER_FIELDS if f not in ("address", "postcode")],
        partner=True,
    )
    found += _differences(
        before_partner, partner, ["address", "postcode"], partner=True, hidden=before_partner.safe_address
    )
    old_children = _children(before.children.all())
    new_children = old_children if children is None else _children(children)
    if old_children != new_children:
        found.append({"field": "Children", "before": old_children, "after": new_children, "partner": True})
    return found


@transaction.atomic
def referral_amend(*, referral: Referral, partner, children: list | None, user: User, expected_version: int):
    """Save the social worker's changes to a referral already sent, log them and tell the
    practitioners. Refuses once a decision is made, and a save from an out-of-date page."""
    if referral.status not in OPEN:
        raise ReferralError(
            f"Referral {referral.reference} has been {referral.get_status_display().lower()} and can no longer be "
            f"changed. Contact the practitioner if something needs correcting."
        )
    changes = referral_changes(referral=referral, partner=partner, children=children)
    if not changes:
        raise ReferralIncomplete({"__all__": "Nothing has changed. Change an answer, or go back to the referral."})
    referral_answers_store(
        referral=referral, partner=partner, children=children, user=user, expected_version=expected_version
    )
    change = ReferralChange.objects.create(referral=referral, changed_by=user, changes=changes)
    if referral.person_id:
        matching.person_match_keys_refresh(person=referral.person)
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=referral,
        detail={"event": "amended", "fields": [c["field"] for c in changes]},
    )
    notification_send_now(
        recipients=referral_practitioners_to_tell(referral=referral),
        kind="referral.amended",
        key=f"referral:{referral.pk}:amended:{change.pk}",
        subject=referral,
        link=reverse("referral-detail", args=[referral.pk]),
        message=f"The social worker has changed referral {referral.reference}: {len(changes)} "
        f"answer{'s' if len(changes) != 1 else ''}. Open it to see the change log.",
    )
    return change


@transaction.atomic
def referral_withdraw(*, referral: Referral, user: User, reason: str) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in OPEN:
        raise ReferralError(
            f"Referral {referral.reference} has been {referral.get_status_display().lower()} and can no longer be "
            f"withdrawn."
        )
    if not reason.strip():
        raise ReferralIncomplete({"reason": "Say why you are withdrawing the referral"})
    referral.status = S.WITHDRAWN
    referral.withdrawn_at = timezone.now()
    referral.withdrawn_reason = reason.strip()
    referral.version += 1
    referral.save()
    notification_cancel(subject=referral)
    audit_record(actor=user, action=AuditEvent.Action.CHANGED, record=referral, detail={"event": "withdrawn"})
    notification_send_now(
        recipients=referral_practitioners_to_tell(referral=referral),
        kind="referral.withdrawn",
        key=f"referral:{referral.pk}:withdrawn",
        subject=referral,
        link=reverse("referral-detail", args=[referral.pk]),
        message=f"The social worker has withdrawn referral {referral.reference}.",
    )
    return referral
