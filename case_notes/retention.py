"""Retention for case notes: every note's text is cleared with its case (registered from
CaseNotesConfig.ready())."""

from cases.retention import case_anonymise_also
from eip.retention import retention_fields, text_clear

from .models import CaseNote


def case_notes_anonymise(case) -> None:
    text_clear(CaseNote.objects.filter(case=case))


def register() -> None:
    retention_fields(CaseNote)  # the note itself is a TextField, cleared like every other
    case_anonymise_also(case_notes_anonymise)
