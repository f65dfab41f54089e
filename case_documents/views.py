"""The documents tab of a case, a document's download, and withdrawing one. Every read is
audited: the tab with the ids of the documents it listed, each download as an export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cases.kernel import CaseError
from cases.views.shell import case_for_page, case_page_render
from eip import access, outbound
from eip.audit.models import AuditEvent
from eip.audit.services import audit_list_viewed, audit_record
from eip.forms_util import error_summary, submit
from eip.uploads import document_text

from . import selectors, services
from .forms import CaseDocumentForm, WithdrawForm
from .models import CaseDocument


def _can_add(user, case) -> bool:
    return access.allowed(user, "case_document.add", case) and case.referral.anonymised_at is None


@access.policy("case_document.view")
def case_documents(request, pk):
    case = case_for_page(request, pk, "case_document.view")
    can_add = _can_add(request.user, case)
    if request.method == "POST" and not can_add:
        raise PermissionDenied
    form = CaseDocumentForm(request.POST or None, request.FILES or None) if can_add else None
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.case_document_add(case=case, user=request.user, **d),
        "Document uploaded.",
    ):
        return redirect("case-documents", pk=pk)
    documents = selectors.case_documents_list(user=request.user, case=case)
    audit_list_viewed(
        actor=request.user,
        model=CaseDocument,
        ids=[d.pk for d in documents],
        label=f"documents on case {case.reference}",
        page="case-documents",
    )
    return case_page_render(
        request,
        case,
        "case_documents/case_documents.html",
        "case-documents",
        form=form,
        documents=documents,
        can_add_documents=can_add,
        can_open_withdrawn=access.allowed(request.user, "case_document.open_withdrawn", case),
        errors=error_summary(form) if form is not None else [],
    )


@access.policy("case_document.view")
def case_document_download(request, pk, document_pk):
    """The file, read from storage by the app after the permission check: the partner mark and
    the withdrawal are honoured here as in the list, and the guard reads what it can of it."""
    case = case_for_page(request, pk, "case_document.view", audit=False)
    document = selectors.document_for_download(user=request.user, case=case, pk=document_pk)
    if document is None:
        raise Http404
    released = outbound.outbound_release(
        # For the borough SPOC the guard checks the description and a Word document's words for the
        # partner's or children's details (a scan or a photo cannot be read: the mark keeps those).
        content=[("Description", document.title), ("The document", document_text(document.file))],
        audience=outbound.audience_for(request.user),
        channel="download",
        concerning=[case],
        user=request.user,
        label="a case document",
    )
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        record=document,
        detail={"case": case.pk, "document": document.category, "withdrawn": document.withdrawn},
    )
    return released.document_response(document.file, download_name=document.download_name())


def _document_to_change(request, pk, document_pk):
    case = case_for_page(request, pk, "case_document.add", audit=False)
    document = selectors.documents_visible(user=request.user, case=case).filter(pk=document_pk).first()
    if document is None:
        raise Http404
    if not _can_add(request.user, case):
        raise PermissionDenied
    return case, document


@access.policy("case_document.add")
def case_document_withdraw(request, pk, document_pk):
    case, document = _document_to_change(request, pk, document_pk)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED,
        record=case,
        detail={"page": "case-document-withdraw", "case_document": document.pk},
    )
    if document.withdrawn:
        messages.info(request, "This document has already been withdrawn.")
        return redirect("case-documents", pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.case_document_withdraw(document=document, user=request.user, reason=d["reason"]),
        "Document withdrawn. It stays listed, with your reason.",
    ):
        return redirect("case-documents", pk=pk)
    return case_page_render(
        request,
        case,
        "case_documents/withdraw.html",
        "case-documents",
        form=form,
        document=document,
        errors=error_summary(form),
    )


@require_POST
@access.policy("case_document.add")
def case_document_restrict(request, pk, document_pk):
    _, document = _document_to_change(request, pk, document_pk)
    try:
        services.case_document_restrict(document=document, user=request.user)
        messages.success(request, "The document is now marked as holding partner information.")
    except CaseError as refused:
        messages.error(request, str(refused))
    return redirect("case-documents", pk=pk)
