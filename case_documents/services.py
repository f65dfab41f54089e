"""Changing a case's documents: adding one, marking one as holding the partner's or children's
information, and withdrawing one with a reason. Every step is one timeline event and one audit
record through the case kernel; the timeline names the kind of document, never its description."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.kernel import CaseError, CaseIncomplete, EventKind, case_event_record, case_lock
from eip.uploads import check_named_document

from .models import CaseDocument, Category

REASON_MAX = 2000


def _open_to_change(case) -> None:
    if case.referral.anonymised_at is not None:
        raise CaseError("This case has been anonymised under the retention policy: its documents can no longer change.")


def _summary(document: CaseDocument, what: str) -> str:
    return f"{what}: {document.get_category_display().lower()}"


def case_document_add(
    *, case, user, category: str, title: str, file, partner_information: bool = False
) -> CaseDocument:
    """Put a document on a case. Its type is read from its bytes and must match its name's
    extension (eip.uploads); it is stored under a generated name. The file is stored before the
    case is locked, since writing to object storage can take seconds that no other work on the
    case should wait for, and removed again if the record is not made."""
    _open_to_change(case)
    title = (title or "").strip()
    errors = {}
    if category not in Category.values:
        errors["category"] = "Select the type of document"
    if not title:
        errors["title"] = "Describe the document, for example ‘Consent form signed by the client’"
    if not file:
        errors["file"] = "Choose the file to upload"
    else:
        try:
            check_named_document(file, getattr(file, "name", ""))
        except ValidationError as refused:
            errors["file"] = " ".join(refused.messages)
    if errors:
        raise CaseIncomplete(errors)
    document = CaseDocument(
        case=case,
        category=category,
        title=title,
        file=file,
        size=file.size,
        partner_information=bool(partner_information),
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )
    document.full_clean()
    CaseDocument._meta.get_field("file").pre_save(document, add=True)  # stores it (eip.uploads.DocumentField)
    try:
        with transaction.atomic():
            document.case = case_lock(case)
            _open_to_change(document.case)  # anonymised meanwhile
            document.save()
            case_event_record(
                document.case,
                user,
                EventKind.DOCUMENT_ADDED,
                _summary(document, "Document added"),
                audit_detail={"case_document": document.pk},
                partner_related=document.partner_information,
            )
    except BaseException:
        document.file.delete(save=False)
        raise
    return document


def _locked(document) -> tuple:
    case = case_lock(document.case)
    _open_to_change(case)
    return case, CaseDocument.objects.select_for_update().get(pk=document.pk)


@transaction.atomic
def case_document_restrict(*, document, user) -> CaseDocument:
    """Mark a document as holding the partner's or children's information: from now on only those
    allowed the partner section see it. Never undone here: taking the mark off would show it to
    the borough SPOC, and that is not a slip to fix in one click."""
    case, document = _locked(document)
    if document.partner_information:
        return document
    document.partner_information = True
    document.save(update_fields=["partner_information"])
    case_event_record(
        case,
        user,
        EventKind.DOCUMENT_RESTRICTED,
        _summary(document, "Document marked as holding partner information"),
        audit_detail={"case_document": document.pk},
        partner_related=True,
    )
    return document


@transaction.atomic
def case_document_withdraw(*, document, user, reason: str) -> CaseDocument:
    """Withdraw a document from the case file (the wrong case, the wrong file, a duplicate): it
    stays listed as withdrawn, with who, when and why, and only a supervisor can still open it."""
    case, document = _locked(document)
    if document.withdrawn:
        raise CaseError("This document has already been withdrawn.")
    reason = (reason or "").strip()
    if not reason:
        raise CaseIncomplete({"reason": "Say why the document is being withdrawn"})
    if len(reason) > REASON_MAX:
        raise CaseIncomplete({"reason": f"The reason must be {REASON_MAX} characters or fewer"})
    document.withdrawn_at, document.withdrawn_by, document.withdrawal_reason = timezone.now(), user, reason
    document.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    case_event_record(
        case,
        user,
        EventKind.DOCUMENT_WITHDRAWN,
        _summary(document, "Document withdrawn"),
        audit_detail={"case_document": document.pk},
        partner_related=document.partner_information,
    )
    return document
