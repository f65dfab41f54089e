"""The case's data-quality tab: what the monthly report and the evaluation will miss for this
case, with where each gap is put right, and the two records only this page takes (why a
suitable case has not started; an assessed accommodation need and its outcome)."""

from django.http import HttpResponse
from django.shortcuts import redirect

from cases.views.shell import case_for_page, case_page_render
from eip import access
from eip.forms_util import error_summary, submit

from . import services
from .forms import AccommodationNeedForm, AccommodationNeedOutcomeForm, AwaitingStartForm
from .models import AccommodationNeed, AwaitingStart
from .quality import case_data_gaps


@access.policy("case_data.view")
def case_data_quality(request, pk):
    case = case_for_page(request, pk, "case_data.view")
    can_record = access.allowed(request.user, "case_data.record", case)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    if which and not can_record:
        return HttpResponse(status=403)
    data = request.POST if which else None
    user = request.user
    needs = list(AccommodationNeed.objects.filter(case=case).order_by("-assessed_on", "-pk"))
    waiting = AwaitingStartForm(data if which == "waiting" else None)
    need_form = AccommodationNeedForm(data if which == "need" else None)
    outcome_forms = {
        need.pk: AccommodationNeedOutcomeForm(data if which == f"outcome-{need.pk}" else None, need=need)
        for need in needs
        if need.outcome == AccommodationNeed.Outcome.IN_PROCESS
    }
    done = False
    if which == "waiting":
        done = submit(
            request,
            waiting,
            lambda d: services.awaiting_start_record(case=case, user=user, **d),
            "Recorded why the intervention has not started.",
        )
    elif which == "need":
        done = submit(
            request,
            need_form,
            lambda d: services.accommodation_need_record(case=case, user=user, **d),
            "Accommodation need recorded.",
        )
    elif which.startswith("outcome-"):
        form = next((f for pk_, f in outcome_forms.items() if f"outcome-{pk_}" == which), None)
        if form is None:  # settled meanwhile, or not this case's
            return redirect("case-data-quality", pk=pk)
        done = submit(
            request,
            form,
            lambda d: services.accommodation_need_outcome_record(need=form.need, user=user, **d),
            "Outcome of the accommodation need recorded.",
        )
    if done:
        return redirect("case-data-quality", pk=pk)
    return case_page_render(
        request,
        case,
        "evaluation/case_data_quality.html",
        "case-data-quality",
        gaps=case_data_gaps(case=case, user=user),
        waiting_history=list(AwaitingStart.objects.filter(case=case).order_by("-recorded_on", "-pk")),
        needs=[{"need": need, "form": outcome_forms.get(need.pk), "form_name": f"outcome-{need.pk}"} for need in needs],
        can_record=can_record,
        show_waiting=not case.intervention_started_on,
        waiting_form=waiting,
        need_form=need_form,
        errors=error_summary(waiting, need_form, *outcome_forms.values()),
    )
