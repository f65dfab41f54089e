"""The professionals meetings tab: the meetings recorded, and recording one. Meetings are
planned ahead in the diary, whose panel heads this tab."""

from django.shortcuts import redirect

from eip import access
from eip.forms_util import error_summary, submit

from .. import forms, services
from .shell import case_for_page, case_page_render


@access.policy("case.view")
def case_meetings(request, pk):
    case = case_for_page(request, pk)
    can_work = access.allowed(request.user, "case.work", case)
    form = forms.MeetingForm(request.POST if request.POST.get("form") == "meeting" else None) if can_work else None
    if (
        form is not None
        and form.is_bound
        and submit(
            request,
            form,
            lambda d: services.meeting_record(case=case, user=request.user, **d),
            "Meeting recorded.",
        )
    ):
        return redirect("case-meetings", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_meetings.html",
        "case-meetings",
        form=form,
        meetings=list(case.meetings.all()),
        errors=error_summary(form) if form else [],
    )
