"""Away and cover: who is away, who covers them, and marking someone away."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from eip import access
from eip.forms_util import error_summary, submit
from eip.people.cover import absences_current_and_planned
from eip.people.models import Absence, Role

from .. import forms
from ..services.cover import absence_end, absence_set


@access.policy("absence.view")
def absence_list(request):
    user = request.user
    form = forms.AbsenceForm(request.POST or None, user=user)
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: absence_set(
            practitioner=d.get("practitioner") if user.role == Role.SUPERVISOR else user,
            cover=d["cover"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            user=user,
        ),
        "The absence and cover are recorded. The cover has been told.",
    ):
        return redirect("absence-list")
    rows = absences_current_and_planned(practitioner=None if user.role == Role.SUPERVISOR else user)
    return render(
        request,
        "cases/absence_list.html",
        {
            "form": form,
            "rows": [
                {"absence": row, "can_end": access.allowed(user, "absence.set", row.practitioner)} for row in rows
            ],
            "errors": error_summary(form),
        },
    )


@require_POST
@access.policy("absence.set")
def absence_end_view(request, pk):
    absence = get_object_or_404(Absence.objects.select_related("practitioner"), pk=pk)
    access.require(request.user, "absence.set", absence.practitioner)
    absence_end(absence=absence, user=request.user)
    messages.success(request, f"Cover for {absence.practitioner.full_name} has ended.")
    return redirect("absence-list")
