"""The case consultation: arranging it and recording whether the case suits the pathway."""

from django.db import transaction
from django.utils import timezone

from ..kernel import CaseIncomplete, case_event_record, case_lock, stage_require
from ..models import Case, Consultation
from ._common import clean_and_save

St = Case.Stage


@transaction.atomic
def consultation_schedule(*, case, user, scheduled_at, modality, attendees) -> Consultation:
    case = case_lock(case)
    stage_require(case, [St.AWAITING_CONSULTATION], "arrange a case consultation")
    consultation = clean_and_save(
        Consultation(case=case, scheduled_at=scheduled_at, modality=modality, attendees=attendees, recorded_by=user)
    )
    case_event_record(
        case,
        user,
        "consultation_scheduled",
        f"Case consultation arranged for {timezone.localtime(scheduled_at):%-d %B %Y at %H:%M} "
        f"({consultation.get_modality_display().lower()})",
    )
    return consultation


@transaction.atomic
def consultation_record_outcome(*, consultation, user, outcome, not_suitable_reason="", notes=""):
    case = case_lock(consultation.case)
    stage_require(case, [St.AWAITING_CONSULTATION], "record a consultation outcome")
    errors = {}
    if outcome not in Consultation.Outcome.values:
        errors["outcome"] = "Select whether the case is suitable for the intensive pathway"
    if outcome == Consultation.Outcome.NOT_SUITABLE and not not_suitable_reason:
        errors["not_suitable_reason"] = "Select why the case is not suitable"
    if errors:
        raise CaseIncomplete(errors)
    consultation.held, consultation.outcome = True, outcome
    consultation.not_suitable_reason = not_suitable_reason if outcome == "not_suitable" else ""
    consultation.outcome_notes = notes
    clean_and_save(consultation)
    if outcome == Consultation.Outcome.SUITABLE:
        case.stage = St.AWAITING_CONSENT
        summary = "Case consultation held: suitable for the intensive pathway. Consent needed."
    else:
        case.stage, case.closure_reason, case.closed_at = St.NOT_SUITABLE, "unsuitable", timezone.now()
        summary = f"Case consultation held: not suitable ({consultation.get_not_suitable_reason_display().lower()})"
    case.version += 1
    case.save()
    case_event_record(case, user, "consultation_held", summary)
    return case
