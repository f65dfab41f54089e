"""Retention for case documents: when a case is anonymised, every document's description and
withdrawal reason are cleared and its file is deleted from storage (registered from
CaseDocumentsConfig.ready()). The row stays, so the timeline and the counts still add up."""

from django.db import transaction

from cases.retention import case_anonymise_also
from eip.retention import retention_fields, text_clear

from .models import CaseDocument


def _delete_files(storage, names) -> None:
    for name in names:
        storage.delete(name)


def case_documents_anonymise(case) -> None:
    documents = CaseDocument.objects.filter(case=case)
    names = list(documents.exclude(file="").values_list("file", flat=True))
    text_clear(documents)
    # The files go once the anonymisation has committed: a rollback must not leave rows that
    # point at files already gone.
    storage = CaseDocument._meta.get_field("file").storage
    transaction.on_commit(lambda: _delete_files(storage, names))


def register() -> None:
    retention_fields(CaseDocument, naming=["title", "file"], required_when_set=["withdrawal_reason"])
    case_anonymise_also(case_documents_anonymise)
