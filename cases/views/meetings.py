"""The professionals meetings tab."""

from django.shortcuts import redirect

from eip import access
from eip.forms_util import error_summary, submit

from .. import forms, services
from .shell import case_for_page, case_page_render


@access.policy("case.view")
def case_meetings(request, pk):
    case = case_for_page(request, pk)
    can_work = access.allowed(request.user, "case.work", case)
    which = request.POST.get("form")
    form = forms.MeetingForm(request.POST if which == "meeting" else None) if can_work else None
    arrange = (
        forms.MeetingArrangeForm(request.POST if which == "arrange" else None, initial={"version": case.version})
        if can_work
        else None
    )
    if (
        which == "meeting"
        and form is not None
        and submit(
            request,
            form,
            lambda d: services.meeting_record(case=case, user=request.user, **d),
            "Meeting recorded.",
        )
    ):
        return redirect("case-meetings", pk=pk)
    if (
        which == "arrange"
        and arrange is not None
        and submit(
            request,
            arrange,
            lambda d: services.meeting_arrange(
                case=case, user=request.user, at=arrange.at_datetime(), expected_version=forms.page_version(d)
            ),
            "Next meeting arranged. Download the invitation to add it to Outlook.",
        )
    ):
        return redirect("case-meetings", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_meetings.html",
        "case-meetings",
        form=form,
        arrange=arrange,
        meetings=list(case.meetings.all()),
        errors=error_summary(*[f for f in (form, arrange) if f]),
    )
