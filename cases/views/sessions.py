"""The sessions tab."""

from eip import access

from .. import forms, services
from .shell import case_form_tab


@access.policy("case.view")
def case_sessions(request, pk):
    return case_form_tab(
        request,
        pk,
        tab="case-sessions",
        template="cases/case_sessions.html",
        form_class=forms.SessionForm,
        perform=lambda case, d: services.session_record(case=case, user=request.user, **d),
        success="Session recorded.",
        context=lambda case: {"sessions": list(case.sessions.all())},
    )
