"""Calendar invitations for the consultation (downloaded or emailed) and the next planned
professionals meeting (emailed; the diary downloads each planned one)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from eip import access, outbound
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record

from .. import services
from ..tasks import invitation_for
from .shell import case_for_page


@access.policy("case.view")
def consultation_invitation(request, pk, consultation_pk):
    case = case_for_page(request, pk, audit=False)
    if not case.consultations.filter(pk=consultation_pk).exists():
        return redirect("case-plan", pk=pk)
    return _invitation_download(request, case, "consultation")


def _invitation_download(request, case, what):
    invitation = invitation_for(case, what)
    if invitation is None:
        return redirect("case-detail", pk=case.pk)
    released = outbound.outbound_release(
        content=invitation[1],
        audience=outbound.audience_for(request.user),
        channel="download",
        concerning=[case],
        user=request.user,
        label=f"the {what} calendar invitation",
    )
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        record=case,
        detail={"document": f"{what} invitation"},
    )
    return released.response(
        content_type="text/calendar; charset=utf-8; method=REQUEST", filename=f"{what}-{case.reference}.ics"
    )


@require_POST
@access.policy("case.work")
def invitation_send(request, pk, what):
    case = case_for_page(request, pk, "case.work", audit=False)
    if what not in ("consultation", "meeting") or invitation_for(case, what) is None:
        messages.error(request, "There is nothing to send an invitation for yet.")
    else:
        services.invitation_send(case=case, user=request.user, what=what)
        messages.success(
            request,
            f"The invitation has been emailed to {case.practitioner.full_name} and {case.referrer.full_name}.",
        )
    return redirect("case-plan" if what == "consultation" else "case-meetings", pk=pk)
