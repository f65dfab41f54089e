from cases.views import case_form_tab
from eip import access

from . import services
from .forms import PartnerOutcomeForm
from .models import BEHAVIOURS, PartnerOutcome


@access.policy("partner_outcome.view")
def partner_outcomes_view(request, pk):
    """The partner's safety measure for one case: for the social worker (who records it) and the
    supervisor. Not for the practitioner working with the client, nor any other role."""
    return case_form_tab(
        request,
        pk,
        tab="case-partner-outcomes",
        template="partner_outcomes/case.html",
        view="partner_outcome.view",
        record="partner_outcome.record",
        form_class=PartnerOutcomeForm,
        perform=lambda case, d: services.partner_outcome_record(
            case=case,
            user=request.user,
            stage=d["stage"],
            asked_on=d["asked_on"],
            asked_by=d["asked_by"],
            not_asked=d["not_asked"],
            answers=d,
        ),
        success="The partner's safety measure is recorded.",
        context=lambda case: {
            "outcomes": list(PartnerOutcome.objects.filter(case=case)),
            "behaviours": BEHAVIOURS,
            "follow_up_due_on": services.follow_up_due_on(case),
        },
    )
