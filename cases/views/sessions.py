"""The sessions tab."""

from django.shortcuts import redirect

from eip import access
from eip.forms_util import error_summary, submit

from .. import forms, services
from .shell import case_for_page, case_page_render


@access.policy("case.view")
def case_sessions(request, pk):
    case = case_for_page(request, pk)
    form = forms.SessionForm(request.POST or None) if access.allowed(request.user, "case.work", case) else None
    if (
        request.method == "POST"
        and form is not None
        and submit(
            request,
            form,
            lambda d: services.session_record(case=case, user=request.user, **d),
            "Session recorded.",
        )
    ):
        return redirect("case-sessions", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_sessions.html",
        "case-sessions",
        form=form,
        sessions=list(case.sessions.all()),
        errors=error_summary(form) if form else [],
    )
