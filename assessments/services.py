"""Completing and correcting assessments, and the schedule's reminders."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.kernel import MARAC_DASH_THRESHOLD, case_event_record, case_lock
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.errors import Incomplete, Refused
from eip.notifications.services import notification_cancel, notification_schedule
from eip.workdays import OVERDUE, reminder_delivery_at

from .instruments import (
    NEEDS_AREAS,
    SOAG_CATEGORIES,
    DashAnswer,
    DashSource,
    Instrument,
    Severity,
    Stage,
    ViabilityLevel,
)
from .models import Assessment, AssessmentAnswer, AssessmentDraft, DashQuestion, ViabilityMarker

# Days after the intervention starts (intake, mid) or the exit stage starts (exit) by which
# each stage's assessments are due.
DUE_AFTER_DAYS = {Stage.INTAKE: 7, Stage.MID: 28, Stage.EXIT: 7}
# Instruments whose exit version is part of closure. The DASH needs the partner's own
# account and cannot always be repeated at exit, so it is scheduled but does not block closure.
EXIT_REQUIRED = (Instrument.SOAG, Instrument.NEEDS, Instrument.VIABILITY)


class AssessmentError(Refused):
    pass


class AssessmentIncomplete(Incomplete, AssessmentError):
    pass


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    descriptors: tuple[str, ...] = ()


def items_for(instrument: str) -> list[Item]:
    if instrument == Instrument.SOAG:
        return [Item(code, label) for code, label in SOAG_CATEGORIES]
    if instrument == Instrument.NEEDS:
        return [Item(code, label, tuple(descriptors)) for code, label, descriptors in NEEDS_AREAS]
    if instrument == Instrument.DASH:
        return [Item(f"dash-{q.number}", q.text) for q in DashQuestion.objects.filter(active=True)]
    return [Item(f"marker-{m.number}", m.text) for m in ViabilityMarker.objects.filter(active=True)]


def due_date(case, stage: str) -> date | None:
    start = case.exit_started_on if stage == Stage.EXIT else case.intervention_started_on
    return start + timedelta(days=DUE_AFTER_DAYS[stage]) if start else None


def _validate(instrument, items, answers) -> dict[str, str]:
    errors = {}
    for item in items:
        answer = answers.get(item.code, {})
        if instrument == Instrument.SOAG and answer.get("rating") not in Severity.values:
            errors[f"{item.code}-rating"] = f"Select a severity for {item.label.lower()}"
        elif instrument == Instrument.NEEDS:
            for who, field in (("the service user's", "user_score"), ("your", "practitioner_score")):
                score = answer.get(field)
                if score is None or not 0 <= score <= 10:
                    errors[f"{item.code}-{field}"] = f"Enter {who} score for {item.label.lower()}, from 0 to 10"
        elif instrument == Instrument.DASH:
            if answer.get("rating") not in DashAnswer.values:
                errors[f"{item.code}-rating"] = f"Answer question {item.code.split('-')[1]}"
            elif answer.get("source") not in DashSource.values:
                errors[f"{item.code}-source"] = f"Say where the answer to question {item.code.split('-')[1]} came from"
        elif instrument == Instrument.VIABILITY and answer.get("rating") not in ViabilityLevel.values:
            errors[f"{item.code}-rating"] = f"Rate ‘{item.label}’"
    return errors


def answers_missing(*, instrument, answers) -> dict[str, str]:
    """The answers an instrument still needs before it can be completed (field -> message),
    without saving anything: the form's check before the practitioner locks it."""
    return _validate(instrument, items_for(instrument), answers)


def _malformed(instrument, items, answers) -> dict[str, str]:
    """Values that could never be right, whatever else is missing: refused even in a draft."""
    choices = {
        Instrument.SOAG: Severity.values,
        Instrument.DASH: DashAnswer.values,
        Instrument.VIABILITY: ViabilityLevel.values,
    }.get(instrument, ())
    errors = {}
    for item in items:
        answer = answers.get(item.code) or {}
        rating = answer.get("rating") or ""
        if rating and choices and rating not in choices:
            errors[f"{item.code}-rating"] = f"Choose one of the answers for ‘{item.label}’"
        source = answer.get("source") or ""
        if source and source not in DashSource.values:
            errors[f"{item.code}-source"] = f"Choose where the answer to ‘{item.label}’ came from"
        for field in ("user_score", "practitioner_score"):
            score = answer.get(field)
            if score is not None and (not isinstance(score, int) or not 0 <= score <= 10):
                errors[f"{item.code}-{field}"] = f"Enter a score for {item.label.lower()} from 0 to 10"
    return errors


def _stage_allowed(case, stage):
    from cases.models import Case

    allowed = {
        Stage.INTAKE: (Case.Stage.AWAITING_CONSENT, Case.Stage.INTERVENTION, Case.Stage.EXIT),
        Stage.MID: (Case.Stage.INTERVENTION, Case.Stage.EXIT),
        Stage.EXIT: (Case.Stage.EXIT,),
    }[stage]
    if case.stage not in allowed:
        when = {
            Stage.INTAKE: "after the case consultation",
            Stage.MID: "during the intervention",
            Stage.EXIT: "once the exit stage has started",
        }[stage]
        raise AssessmentError(f"The {Stage(stage).label.lower()} assessment can be completed only {when}.")


def assessment_save(
    *,
    case,
    user,
    instrument,
    stage,
    assessed_on,
    answers,
    notes,
    review_date,
    professional_judgement,
    potential_escalation,
    version=1,
    supersedes=None,
    correction_reason="",
):
    items = items_for(instrument)
    errors = _validate(instrument, items, answers)
    if instrument == Instrument.NEEDS and review_date is None:
        errors["review_date"] = "Enter the review date"
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date of the assessment"
    elif assessed_on > timezone.localdate():
        errors["assessed_on"] = "The date of the assessment must be today or in the past"
    if errors:
        raise AssessmentIncomplete(errors)
    assessment = Assessment(
        case=case,
        instrument=instrument,
        stage=stage,
        version=version,
        supersedes=supersedes,
        correction_reason=correction_reason,
        completed_by=user,
        completed_at=timezone.now(),
        assessed_on=assessed_on,
        notes=notes,
        review_date=review_date if instrument == Instrument.NEEDS else None,
        professional_judgement=professional_judgement if instrument == Instrument.DASH else False,
        potential_escalation=potential_escalation if instrument == Instrument.DASH else False,
    )
    if instrument == Instrument.NEEDS:
        assessment.user_total = sum(answers[i.code]["user_score"] for i in items)
        assessment.practitioner_total = sum(answers[i.code]["practitioner_score"] for i in items)
    if instrument == Instrument.DASH:
        assessment.yes_count = sum(1 for i in items if answers[i.code]["rating"] == DashAnswer.YES)
    assessment.full_clean(exclude=["supersedes"])
    assessment.save()
    AssessmentAnswer.objects.bulk_create(
        [
            AssessmentAnswer(
                assessment=assessment,
                item=item.code,
                label=item.label,
                rating=answers[item.code].get("rating", ""),
                user_score=answers[item.code].get("user_score"),
                practitioner_score=answers[item.code].get("practitioner_score"),
                source=answers[item.code].get("source", ""),
                notes=answers[item.code].get("notes", ""),
            )
            for item in items
        ]
    )
    return assessment


def _after_save(case, user, assessment, summary):
    from cases.services import risk_actions_raise

    case_event_record(case, user, "assessment", summary, audit_detail={"assessment": assessment.pk})
    if assessment.meets_marac_criterion:
        reasons = []
        if (assessment.yes_count or 0) >= MARAC_DASH_THRESHOLD:
            reasons.append(f"{assessment.yes_count} ‘yes’ answers")
        if assessment.professional_judgement:
            reasons.append("professional judgement")
        if assessment.potential_escalation:
            reasons.append("potential escalation")
        risk_actions_raise(case=case, user=user, reason="DASH meets a MARAC criterion: " + ", ".join(reasons))
    if stage_complete(case, assessment.stage):
        notification_cancel(subject=case, kind=f"assessment.{assessment.stage}_overdue")


def stage_complete(case, stage) -> bool:
    done = set(Assessment.objects.filter(case=case, stage=stage, is_current=True).values_list("instrument", flat=True))
    return done >= set(Instrument.values)


@transaction.atomic
def assessment_complete(
    *,
    case,
    user,
    instrument,
    stage,
    assessed_on,
    answers,
    notes="",
    review_date=None,
    professional_judgement=False,
    potential_escalation=False,
) -> Assessment:
    """Record a completed instrument. `answers` maps each item code to its rating, scores,
    source and notes. A completed assessment is locked: change it with assessment_correct()."""
    case = case_lock(case)
    _stage_allowed(case, stage)
    if Assessment.objects.filter(case=case, instrument=instrument, stage=stage, is_current=True).exists():
        raise AssessmentError("This assessment has already been completed. To change it, record a correction.")
    # Completing replaces any draft of the same assessment (whoever started it).
    AssessmentDraft.objects.filter(case=case, instrument=instrument, stage=stage).delete()
    assessment = assessment_save(
        case=case,
        user=user,
        instrument=instrument,
        stage=stage,
        assessed_on=assessed_on,
        answers=answers,
        notes=notes,
        review_date=review_date,
        professional_judgement=professional_judgement,
        potential_escalation=potential_escalation,
    )
    _after_save(
        case,
        user,
        assessment,
        f"{assessment.get_instrument_display()} completed ({assessment.get_stage_display().lower()})",
    )
    return assessment


@transaction.atomic
def assessment_correct(
    *,
    assessment,
    user,
    reason,
    assessed_on,
    answers,
    notes="",
    review_date=None,
    professional_judgement=False,
    potential_escalation=False,
) -> Assessment:
    """A correction is a new version with a reason; the original is kept unchanged."""
    case = case_lock(assessment.case)
    original = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not original.is_current:
        raise AssessmentError("A newer version of this assessment exists: correct that one.")
    if not case.is_open:
        raise AssessmentError("The case is closed: its assessments can no longer be corrected.")
    if not reason.strip():
        raise AssessmentIncomplete({"correction_reason": "Say why the assessment is being corrected"})
    Assessment.objects.filter(pk=original.pk).update(is_current=False)
    corrected = assessment_save(
        case=case,
        user=user,
        instrument=original.instrument,
        stage=original.stage,
        assessed_on=assessed_on,
        answers=answers,
        notes=notes,
        review_date=review_date,
        professional_judgement=professional_judgement,
        potential_escalation=potential_escalation,
        version=original.version + 1,
        supersedes=original,
        correction_reason=reason.strip(),
    )
    _after_save(
        case,
        user,
        corrected,
        f"{corrected.get_instrument_display()} ({corrected.get_stage_display().lower()}) "
        f"corrected: version {corrected.version}",
    )
    audit_record(actor=user, action=AuditEvent.Action.CHANGED, record=corrected, detail={"corrects": original.pk})
    return corrected


def assessment_schedule_reminders(*, case, stage):
    """Write the reminder for a stage's assessments, due the day after they fall due."""
    due = due_date(case, stage)
    if due is None or stage_complete(case, stage):
        return
    notification_schedule(
        recipients=[case.practitioner],
        kind=f"assessment.{stage}_overdue",
        key=f"case:{case.pk}:assessments:{stage}",
        subject=case,
        link=reverse("case-assessments", args=[case.pk]),
        due_at=reminder_delivery_at(day=due, timing=OVERDUE),
        message=f"The {Stage(stage).label.lower()} assessments for case {case.reference} were due by "
        f"{due:%A %-d %B %Y} and are not all complete.",
    )


def _draft_content(items, *, assessed_on, answers, notes, review_date, professional_judgement, potential_escalation):
    codes = {item.code for item in items}
    return {
        "assessed_on": assessed_on.isoformat() if assessed_on else None,
        "review_date": review_date.isoformat() if review_date else None,
        "notes": notes or "",
        "professional_judgement": bool(professional_judgement),
        "potential_escalation": bool(potential_escalation),
        "answers": {
            code: {key: value for key, value in answer.items() if value not in (None, "")}
            for code, answer in answers.items()
            if code in codes
        },
    }


@transaction.atomic
def assessment_draft_save(
    *,
    case,
    user,
    instrument,
    stage,
    answers,
    assessed_on=None,
    notes="",
    review_date=None,
    professional_judgement=False,
    potential_escalation=False,
) -> AssessmentDraft:
    """Keep a half-finished instrument for its author to resume. The completeness rules wait
    for completion, but a value that could never be right (a score of 11, a date to come) is
    refused beside its field. Only the author may change their draft."""
    case = case_lock(case)
    _stage_allowed(case, stage)
    if Assessment.objects.filter(case=case, instrument=instrument, stage=stage, is_current=True).exists():
        raise AssessmentError("This assessment has already been completed. To change it, record a correction.")
    draft = (
        AssessmentDraft.objects.select_for_update()
        .select_related("started_by")
        .filter(case=case, instrument=instrument, stage=stage)
        .first()
    )
    if draft is not None and draft.started_by_id != user.pk:
        raise AssessmentError(
            f"{draft.started_by.get_full_name() or draft.started_by} started a draft of this assessment on "
            f"{timezone.localtime(draft.started_at):%-d %B %Y}: only they can continue it."
        )
    items = items_for(instrument)
    errors = _malformed(instrument, items, answers)
    if assessed_on is not None and assessed_on > timezone.localdate():
        errors["assessed_on"] = "The date of the assessment must be today or in the past"
    if errors:
        raise AssessmentIncomplete(errors)
    content = _draft_content(
        items,
        assessed_on=assessed_on,
        answers=answers,
        notes=notes,
        review_date=review_date,
        professional_judgement=professional_judgement,
        potential_escalation=potential_escalation,
    )
    if draft is None:
        draft = AssessmentDraft.objects.create(
            case=case, instrument=instrument, stage=stage, started_by=user, content=content
        )
    else:
        draft.content = content
        draft.save(update_fields=["content", "saved_at"])
    audit_record(actor=user, action=AuditEvent.Action.CHANGED, record=draft)
    return draft
