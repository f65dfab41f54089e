"""Two person records found to be one person: a practitioner proposes the merge, a
supervisor who did not propose it confirms; everything recorded against the merged record
(referrals, cases, anything else that points at a person) moves to the one kept."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.errors import Incomplete, Refused
from eip.notifications.services import notification_send_now
from eip.people.models import Role, User

from . import matching
from .models import Person, PersonMatchKey, PersonMerge

M = PersonMerge.Status


class MergeError(Refused):
    """A merge the programme does not allow, with the reason in plain English."""


class MergeIncomplete(Incomplete, MergeError):
    pass


def _records_pointing_at(person: Person):
    """Every relation onto Person except its own bookkeeping: what a merge moves."""
    for relation in Person._meta.related_objects:
        if relation.related_model in (PersonMerge, PersonMatchKey, Person) or relation.many_to_many:
            continue
        yield relation.related_model, relation.field.name


@transaction.atomic
def person_merge_propose(*, kept: Person, merged: Person, user: User, reason: str) -> PersonMerge:
    if user.role not in (Role.PRACTITIONER, Role.SUPERVISOR):
        raise MergeError("Only a practitioner or a supervisor can propose merging two records.")
    if kept.pk == merged.pk:
        raise MergeError("Choose two different records.")
    if not reason.strip():
        raise MergeIncomplete({"reason": "Say why these are the same person"})
    kept, merged = (Person.objects.select_for_update().get(pk=p.pk) for p in (kept, merged))
    if kept.merged_into_id or merged.merged_into_id:
        raise MergeError("One of these records has already been merged into another.")
    if PersonMerge.objects.filter(status=M.PROPOSED, merged__in=[kept, merged]).exists():
        raise MergeError("A merge of one of these records is already waiting for a supervisor.")
    merge = PersonMerge.objects.create(kept=kept, merged=merged, reason=reason.strip(), proposed_by=user)
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATED,
        record=merge,
        detail={"event": "merge proposed", "kept": kept.pk, "merged": merged.pk},
    )
    notification_send_now(
        recipients=User.objects.filter(role=Role.SUPERVISOR, is_active=True).exclude(pk=user.pk),
        kind="person.merge_proposed",
        key=f"person-merge:{merge.pk}:proposed",
        subject=merge,
        link=reverse("person-merge-detail", args=[merge.pk]),
        message=f"{user.full_name} proposes merging two records of the same person. A supervisor must confirm it.",
    )
    return merge


@transaction.atomic
def person_merge_decide(*, merge: PersonMerge, user: User, confirm: bool, note: str = "") -> PersonMerge:
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if user.role != Role.SUPERVISOR:
        raise MergeError("Only a supervisor can confirm or reject a merge.")
    if merge.status != M.PROPOSED:
        raise MergeError("This merge has already been decided.")
    if merge.proposed_by_id == user.pk:
        raise MergeError("A merge must be confirmed by someone other than the person who proposed it.")
    if not confirm and not note.strip():
        raise MergeIncomplete({"note": "Say why these are not the same person"})
    kept, merged = (Person.objects.select_for_update().get(pk=pk) for pk in (merge.kept_id, merge.merged_id))
    if confirm:
        if kept.merged_into_id or merged.merged_into_id:
            raise MergeError("One of these records has been merged into another since this was proposed.")
        moved = {}
        for model, field in _records_pointing_at(merged):
            ids = list(model.objects.filter(**{field: merged}).values_list("pk", flat=True))
            if ids:
                model.objects.filter(pk__in=ids).update(**{field: kept})
                moved[model._meta.label_lower] = ids
        merged.merged_into = kept
        merged.save(update_fields=["merged_into"])
        PersonMatchKey.objects.filter(person=merged).delete()
        matching.person_match_keys_refresh(person=kept)
        merge.moved = moved
    merge.status = M.CONFIRMED if confirm else M.REJECTED
    merge.decided_by, merge.decided_at, merge.decision_note = user, timezone.now(), note.strip()
    merge.save()
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=merge,
        detail={
            "event": "merge confirmed" if confirm else "merge rejected",
            "kept": kept.pk,
            "merged": merged.pk,
            "moved": merge.moved,
        },
    )
    if confirm:
        audit_record(actor=user, action=AuditEvent.Action.CHANGED, record=kept, detail={"merged_in": merged.pk})
    return merge


def person_merge_explanation(*, merge: PersonMerge) -> list[str]:
    """What happened, in sentences: who proposed, who decided, when, and what moved."""
    lines = [
        f"Proposed by {merge.proposed_by.full_name} on {timezone.localtime(merge.proposed_at):%-d %B %Y at %H:%M}: "
        f"{merge.reason}"
    ]
    if merge.decided_at:
        verb = "Confirmed" if merge.status == M.CONFIRMED else "Rejected"
        lines.append(
            f"{verb} by {merge.decided_by.full_name} on {timezone.localtime(merge.decided_at):%-d %B %Y at %H:%M}"
            + (f": {merge.decision_note}" if merge.decision_note else ".")
        )
    for label, ids in sorted(merge.moved.items()):
        noun = label.split(".")[1]
        lines.append(f"Moved to person {merge.kept_id}: {len(ids)} {noun}{'s' if len(ids) != 1 else ''}.")
    return lines
