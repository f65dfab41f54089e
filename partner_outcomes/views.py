from django.shortcuts import redirect

from cases.views.shell import case_for_page, case_page_render
from eip import access
from eip.forms_util import error_summary, submit

from . import services
from .forms import PartnerOutcomeForm
from .models import BEHAVIOURS, PartnerOutcome


@access.policy("partner_outcome.view")
def partner_outcomes_view(request, pk):
    """The partner's safety measure for one case: for the social worker (who records it) and the
    supervisor. Not for the practitioner working with the client, nor any other role."""
    case = case_for_page(request, pk, "partner_outcome.view")  # audited
    can_record = access.allowed(request.user, "partner_outcome.record", case)
    form = PartnerOutcomeForm(request.POST or None) if can_record else None
    if (
        request.method == "POST"
        and form is not None
        and submit(
            request,
            form,
            lambda d: services.partner_outcome_record(
                case=case,
                user=request.user,
                stage=d["stage"],
                asked_on=d["asked_on"],
                asked_by=d["asked_by"],
                not_asked=d["not_asked"],
                answers=d,
            ),
            "The partner's safety measure is recorded.",
        )
    ):
        return redirect("case-partner-outcomes", pk=pk)
    return case_page_render(
        request,
        case,
        "partner_outcomes/case.html",
        "case-partner-outcomes",
        outcomes=list(PartnerOutcome.objects.filter(case=case)),
        behaviours=BEHAVIOURS,
        form=form,
        errors=error_summary(form) if form is not None else [],
        follow_up_due_on=services.follow_up_due_on(case),
    )
