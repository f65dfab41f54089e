"""The accessibility adaptations and interpreter a case needs."""

from django.db import transaction

from ..kernel import case_event_record, case_lock
from ..models import Case


@transaction.atomic
def accessibility_update(
    *, case, user, adaptations, interpreter_used, interpreter_language, expected_version: int | None = None
) -> Case:
    """Replace the accessibility details. Forms pass the `expected_version` their page showed."""
    case = case_lock(case, expected_version=expected_version)
    case.accessibility_adaptations = adaptations
    case.interpreter_used, case.interpreter_language = interpreter_used, interpreter_language
    case.version += 1
    case.save()
    case_event_record(case, user, "accessibility", "Accessibility adaptations updated")
    return case
