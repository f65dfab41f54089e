"""Reopening a closed case."""

from django.contrib import messages
from django.shortcuts import redirect

from eip import access
from eip.forms_util import error_summary, submit

from .. import forms, services
from .shell import case_for_page, case_page_render


@access.policy("case.reopen")
def case_reopen(request, pk):
    case = case_for_page(request, pk, "case.view")
    if case.is_open:
        messages.info(request, "The case is open.")
        return redirect("case-detail", pk=pk)
    access.require(request.user, "case.reopen", case)
    blocker = services.reopen_blocker(case)
    form = forms.ReopenForm(request.POST or None, initial={"version": case.version})
    if (
        not blocker
        and request.method == "POST"
        and submit(
            request,
            form,
            lambda d: services.case_reopen(
                case=case, user=request.user, reason=d["reason"], expected_version=forms.page_version(d)
            ),
            "The case is open again. The supervisors and the social worker have been told.",
        )
    ):
        return redirect("case-detail", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_reopen.html",
        "case-close",
        form=form,
        blocker=blocker,
        errors=error_summary(form),
    )
