"""The intake duty page: who is told about new referrals, and changing it."""

from django.contrib import messages
from django.shortcuts import redirect, render

from eip import access
from eip.people.models import Role, User

from . import duty


@access.policy("intake_duty.view")
def intake_duty(request):
    user = request.user
    if request.method == "POST":
        chosen = request.POST.get("practitioner", "")
        practitioner = access.get_for_user(
            user,
            "intake_duty.set",
            User.objects.filter(role=Role.PRACTITIONER, is_active=True),
            pk=int(chosen) if chosen.isdigit() and len(chosen) < 10 else 0,
        )
        on_duty = request.POST.get("on_duty") == "yes"
        duty.intake_duty_set(practitioner=practitioner, on_duty=on_duty, user=user)
        who = "You are" if practitioner.pk == user.pk else f"{practitioner.full_name} is"
        messages.success(request, f"{who} {'now on' if on_duty else 'no longer on'} intake duty.")
        return redirect("intake-duty")
    practitioners = list(
        User.objects.filter(role=Role.PRACTITIONER, is_active=True).select_related("intake_duty").order_by("full_name")
    )
    rows = [(p, hasattr(p, "intake_duty"), access.allowed(user, "intake_duty.set", p)) for p in practitioners]
    return render(
        request,
        "referrals/intake_duty.html",
        {"rows": rows, "nobody_on_duty": not any(on for _p, on, _c in rows)},
    )
