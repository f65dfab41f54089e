"""Recording what the monitoring report counts about a case besides the work itself: why a
suitable case has not started, and an assessed accommodation need and its outcome. Called by
the case's data-quality page and by the historical importer alike."""

from django.db import transaction
from django.utils import timezone

from cases.kernel import case_event_record, case_lock
from eip.errors import Incomplete, Refused

from .models import AccommodationNeed, AwaitingStart


class EvaluationRecordError(Refused):
    pass


class EvaluationRecordIncomplete(Incomplete, EvaluationRecordError):
    pass


def _date_errors(errors, name, day, what, *, required=True):
    if day is None:
        if required:
            errors[name] = f"Enter the {what}"
    elif day > timezone.localdate():
        errors[name] = f"The {what} must be today or in the past"


@transaction.atomic
def awaiting_start_record(*, case, user, state, recorded_on):
    """Why a case found suitable has not started the intervention, from a date: due to start,
    being contacted, further assessment needed, or refused. Each change is a new row."""
    case = case_lock(case)
    errors = {}
    if state not in AwaitingStart.State.values:
        errors["state"] = "Select why the intervention has not started"
    _date_errors(errors, "recorded_on", recorded_on, "date this applies from")
    if errors:
        raise EvaluationRecordIncomplete(errors)
    if case.intervention_started_on and case.intervention_started_on <= recorded_on:
        raise EvaluationRecordError(
            f"The intervention started on {case.intervention_started_on:%-d %B %Y}: "
            "there is nothing to wait for after that date."
        )
    waiting = AwaitingStart.objects.create(case=case, state=state, recorded_on=recorded_on, recorded_by=user)
    case_event_record(
        case,
        user,
        "awaiting_start",
        f"Not started yet: {waiting.get_state_display().lower()}, from {recorded_on:%-d %B %Y}",
    )
    return waiting


def _outcome_errors(errors, outcome, outcome_on, assessed_on):
    if outcome not in AccommodationNeed.Outcome.values:
        errors["outcome"] = "Select what came of the accommodation need"
    elif outcome == AccommodationNeed.Outcome.IN_PROCESS and outcome_on is not None:
        errors["outcome_on"] = "Leave the date of the outcome empty while the client is still being placed"
    _date_errors(errors, "outcome_on", outcome_on, "date of the outcome", required=False)
    if outcome_on and assessed_on and outcome_on < assessed_on and "outcome_on" not in errors:
        errors["outcome_on"] = "The date of the outcome must be the same as or after the date assessed"


@transaction.atomic
def accommodation_need_record(
    *, case, user, assessed_on, outcome=AccommodationNeed.Outcome.IN_PROCESS, outcome_on=None
):
    """The client was assessed as needing accommodation on a date, and what has come of it so
    far. A programme placement counts as 'placed' by itself; this records the other outcomes."""
    case = case_lock(case)
    errors = {}
    _date_errors(errors, "assessed_on", assessed_on, "date assessed as needing accommodation")
    _outcome_errors(errors, outcome, outcome_on, assessed_on)
    if errors:
        raise EvaluationRecordIncomplete(errors)
    need = AccommodationNeed.objects.create(
        case=case, assessed_on=assessed_on, outcome=outcome, outcome_on=outcome_on, recorded_by=user
    )
    case_event_record(
        case,
        user,
        "accommodation_need",
        f"Assessed as needing accommodation on {assessed_on:%-d %B %Y}: {need.get_outcome_display().lower()}",
    )
    return need


@transaction.atomic
def accommodation_need_outcome_record(*, need, user, outcome, outcome_on):
    """What came of an accommodation need recorded earlier: found other accommodation, not
    needed after all, or (again) still in process."""
    case = case_lock(need.case)
    need = AccommodationNeed.objects.select_for_update().get(pk=need.pk)
    errors = {}
    _outcome_errors(errors, outcome, outcome_on, need.assessed_on)
    if outcome != AccommodationNeed.Outcome.IN_PROCESS and outcome_on is None and "outcome" not in errors:
        errors["outcome_on"] = "Enter the date of the outcome"
    if errors:
        raise EvaluationRecordIncomplete(errors)
    need.outcome, need.outcome_on = outcome, outcome_on
    need.save(update_fields=["outcome", "outcome_on"])
    case_event_record(
        case,
        user,
        "accommodation_need",
        f"Accommodation need assessed on {need.assessed_on:%-d %B %Y}: {need.get_outcome_display().lower()}"
        + (f" from {outcome_on:%-d %B %Y}" if outcome_on else ""),
    )
    return need
