"""The subject access pages of a case: the requests, preparing, reviewing, releasing and
downloading the export. Reached through the case's own gate, and audited."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.kernel import CaseError
from cases.models import SubjectAccessRequest
from cases.views.shell import case_for_page, case_page_render
from eip import access, outbound
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.forms_util import error_summary, submit

from . import forms, services
from .selectors import (
    content_digest,
    subject_access_pdf,
    subject_access_release_html,
    subject_access_review_facts,
    subject_access_review_html,
)


def _sar(request, case, action, sar_pk):
    """The access gate for one subject access request on a case already let through."""
    return access.get_for_user(
        request.user,
        action,
        SubjectAccessRequest.objects.filter(case=case).select_related("case__referral", "requested_by", "reviewed_by"),
        pk=sar_pk,
    )


@access.policy("sar.view")
def case_sar(request, pk):
    case = case_for_page(request, pk, "sar.view")
    user = request.user
    today = timezone.localdate()
    rows = [
        {
            "sar": sar,
            "overdue": sar.status != SubjectAccessRequest.Status.RELEASED and today > sar.due_on,
            "can_review": access.allowed(user, "sar.review", sar),
            "can_download": access.allowed(user, "sar.download", sar),
            "can_release": sar.status == SubjectAccessRequest.Status.APPROVED
            and access.allowed(user, "sar.release", sar),
        }
        for sar in case.subject_access_requests.select_related("requested_by", "reviewed_by", "released_by")
    ]
    return case_page_render(
        request,
        case,
        "cases/case_sar.html",
        "case-sar",
        rows=rows,
        can_prepare=access.allowed(user, "sar.prepare", case) and not any(r["sar"].is_open for r in rows),
    )


@access.policy("sar.prepare")
def sar_prepare(request, pk):
    case = case_for_page(request, pk, "sar.prepare")
    returned = case.subject_access_requests.filter(status=SubjectAccessRequest.Status.RETURNED).first()
    form = forms.SubjectAccessPrepareForm(
        request.POST or None, initial={"received_on": returned.received_on} if returned else None
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.subject_access_request_prepare(case=case, user=request.user, received_on=d["received_on"]),
        "The export is prepared. A supervisor has been asked to review it.",
    ):
        return redirect("case-sar", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/sar_prepare.html",
        "case-sar",
        form=form,
        returned=returned,
        errors=error_summary(form),
    )


@access.policy("sar.review")
def sar_review(request, pk, sar_pk):
    case = case_for_page(request, pk, "sar.view", audit=False)
    sar = _sar(request, case, "sar.review", sar_pk)
    audit_record(
        actor=request.user, action=AuditEvent.Action.VIEWED, record=sar, detail={"page": "subject access review"}
    )
    form = None
    if sar.status == SubjectAccessRequest.Status.PREPARED and sar.requested_by_id != request.user.pk:
        form = forms.SubjectAccessReviewForm(request.POST or None)
        if request.method == "POST" and submit(
            request,
            form,
            lambda d: services.subject_access_request_review(
                sar=sar, user=request.user, approve=d["decision"] == "approve", notes=d["notes"]
            ),
            "Your review is recorded. The practitioner has been told.",
        ):
            return redirect("case-sar", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/sar_review.html",
        "case-sar",
        sar=sar,
        form=form,
        facts=subject_access_review_facts(sar=sar),
        review_html=subject_access_review_html(sar=sar),
        errors=error_summary(form) if form else [],
    )


@require_POST
@access.policy("sar.release")
def sar_release(request, pk, sar_pk):
    case = case_for_page(request, pk, "sar.view", audit=False)
    sar = _sar(request, case, "sar.release", sar_pk)
    try:
        services.subject_access_request_release(sar=sar, user=request.user)
        messages.success(request, "The export is recorded as released to the client.")
    except CaseError as refused:
        messages.error(request, str(refused))
    return redirect("case-sar", pk=pk)


@access.policy("sar.download")
def sar_download(request, pk, sar_pk):
    case = case_for_page(request, pk, "sar.view", audit=False)
    sar = _sar(request, case, "sar.download", sar_pk)
    if content_digest(sar.content_html) != sar.content_digest:
        messages.error(request, "The export has changed since it was prepared. Prepare it again.")
        return redirect("case-sar", pk=pk)
    # Made for the client, whoever downloads it: checked against the case's third-party details
    # as they are now (a partner who moved since the export was prepared is caught here).
    released = outbound.outbound_release(
        content=subject_access_release_html(sar=sar),
        audience="client",
        channel="download",
        concerning=[case],
        user=request.user,
        label="the subject access export",
    )
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        record=sar,
        detail={"document": "subject access export", "status": sar.status},
    )
    return released.response(
        subject_access_pdf(sar=sar),
        content_type="application/pdf",
        filename=f"subject-access-{case.reference}-{sar.pk}.pdf",
    )
