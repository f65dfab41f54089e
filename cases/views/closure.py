"""The exit stage and the closure tab."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from eip import access
from eip.forms_util import error_summary, submit

from .. import forms, services
from ..models import CaseDraft
from ..selectors import case_draft_for
from .plan import DRAFT_SAVED
from .shell import case_for_page, case_page_render


@require_POST
@access.policy("case.work")
def case_exit(request, pk):
    case = case_for_page(request, pk, "case.work", audit=False)
    try:
        services.exit_start(case=case, user=request.user)
        messages.success(request, "Exit stage started.")
    except services.CaseError as refused:
        messages.error(request, str(refused))
    return redirect("case-close", pk=pk)


@access.policy("case.view")
def case_close(request, pk):
    case = case_for_page(request, pk)
    form = None
    draft = case_draft_for(case=case, form=CaseDraft.Form.CLOSURE) if case.is_open else None
    mine = draft is not None and draft.started_by_id == request.user.pk
    can_work = access.allowed(request.user, "case.work", case)
    if can_work and case.is_open:
        initial = {**(draft.content if mine else {}), "version": case.version}
        form = forms.CloseForm(request.POST or None, initial=initial)
        if request.method == "POST" and "save_draft" in request.POST:
            if submit(
                request,
                form,
                lambda d: services.closure_draft_save(case=case, user=request.user, **_closure(d)),
                DRAFT_SAVED,
            ):
                return redirect("case-close", pk=pk)
        elif request.method == "POST" and submit(
            request,
            form,
            lambda d: services.case_close(
                case=case, user=request.user, **_closure(d), expected_version=forms.page_version(d)
            ),
            "The case is closed. The referrer has been told.",
        ):
            return redirect("case-detail", pk=pk)
    elif request.method == "POST" and not case.is_open and can_work:
        # Closed by someone else while this page was open: say so rather than drop it silently.
        messages.error(
            request,
            "Someone else closed this case while you were editing. Your closure has not been saved: "
            "the closure shown below is the one on the record.",
        )
    return case_page_render(
        request,
        case,
        "cases/case_close.html",
        "case-close",
        form=form,
        draft=draft,
        can_draft=draft is None or mine,
        can_reopen=not case.is_open and access.allowed(request.user, "case.reopen", case),
        errors=error_summary(form) if form else [],
    )


def _closure(data) -> dict:
    return {name: data[name] for name in ("reason", "exit_summary", "onward_plan", "no_exit_assessment_reason")}
