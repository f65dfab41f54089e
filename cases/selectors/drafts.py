"""The draft of a long case form, if anyone has saved one."""

from ..models import CaseDraft


def case_draft_for(*, case, form: str) -> CaseDraft | None:
    return CaseDraft.objects.filter(case=case, form=form).select_related("started_by").first()
