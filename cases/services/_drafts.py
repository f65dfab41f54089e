"""What the plan and closure drafts share: one draft per case and form, kept for its
author alone, replaced by whoever completes the form."""

from django.utils import timezone

from eip.audit.models import AuditEvent
from eip.audit.services import audit_record

from ..kernel import CaseError
from ..models import CaseDraft


def draft_keep(*, case, user, form: str, content: dict) -> CaseDraft:
    """Store `content` as `user`'s draft of `form` on a locked case. Someone else's draft is
    theirs: it is refused rather than overwritten."""
    draft = CaseDraft.objects.select_for_update().select_related("started_by").filter(case=case, form=form).first()
    if draft is not None and draft.started_by_id != user.pk:
        raise CaseError(
            f"{draft.started_by.full_name} started a draft of this form on "
            f"{timezone.localtime(draft.started_at):%-d %B %Y}: only they can continue it."
        )
    if draft is None:
        draft = CaseDraft.objects.create(case=case, form=form, started_by=user, content=content)
    else:
        draft.content = content
        draft.save(update_fields=["content", "saved_at"])
    audit_record(actor=user, action=AuditEvent.Action.CHANGED, record=draft)
    return draft


def drafts_remove(*, case, forms) -> None:
    """Completing a form replaces its draft, whoever started it."""
    CaseDraft.objects.filter(case=case, form__in=forms).delete()
