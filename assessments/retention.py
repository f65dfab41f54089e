"""Retention for assessments: cleared with their case (registered from
AssessmentsConfig.ready())."""

from cases.retention import case_anonymise_also
from eip.retention import retention_fields, text_clear

from .models import Assessment, AssessmentAnswer, AssessmentDraft


def assessments_anonymise(case) -> None:
    text_clear(Assessment.objects.filter(case=case))
    text_clear(AssessmentAnswer.objects.filter(assessment__case=case))
    # A draft is unfinished typing, not a record anything counts: it goes whole.
    AssessmentDraft.objects.filter(case=case).delete()


def register() -> None:
    retention_fields(AssessmentAnswer, keep=["label"])  # question wording, not anything about a person
    retention_fields(Assessment, required_when_set=["correction_reason"])
    case_anonymise_also(assessments_anonymise)
