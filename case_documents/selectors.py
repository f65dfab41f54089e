"""Reading a case's documents: which a user may see (the one place that decides it), the
documents tab's list, the one a download asks for, and the client's own documents for a subject
access export."""

from django.db.models import QuerySet

from eip import access

from .models import CaseDocument


def documents_visible(*, user, case) -> QuerySet[CaseDocument]:
    """Every document on `case` that `user` may see listed. Documents holding the partner's or
    children's information only for the roles allowed the partner section (never the borough
    SPOC); withdrawn ones, with why, only for the team that keeps the case file."""
    documents = CaseDocument.objects.filter(case=case)
    if not access.allowed(user, "case_document.view", case):
        return documents.none()
    if not access.allowed(user, "case.view_partner", case):
        documents = documents.filter(partner_information=False)
    if not access.allowed(user, "case_document.view_withdrawn", case):
        documents = documents.filter(withdrawn_at__isnull=True)
    return documents


def case_documents_list(*, user, case) -> list[CaseDocument]:
    """The documents tab: newest first, with who added and withdrew each. The same number of
    queries however many documents the case holds."""
    return list(documents_visible(user=user, case=case).select_related("uploaded_by", "withdrawn_by"))


def document_for_download(*, user, case, pk) -> CaseDocument | None:
    """The document `user` may open, or None (not there, not theirs to see, or withdrawn and
    they may not look into withdrawals): the caller answers "not found" either way."""
    documents = documents_visible(user=user, case=case).exclude(file="")
    if not access.allowed(user, "case_document.open_withdrawn", case):
        documents = documents.filter(withdrawn_at__isnull=True)
    return documents.select_related("case__referral").filter(pk=pk).first()


def client_documents_for_subject_access(*, case) -> list[CaseDocument]:
    """The documents listed in the client's subject access export: none holding the partner's or
    children's information, none withdrawn (put on the case by mistake)."""
    return list(
        CaseDocument.objects.filter(case=case, partner_information=False, withdrawn_at__isnull=True).order_by(
            "uploaded_at", "pk"
        )
    )


def partner_documents_count(*, case) -> int:
    return CaseDocument.objects.filter(case=case, partner_information=True).count()
