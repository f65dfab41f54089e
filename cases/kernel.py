"""The case kernel: the public contract every app uses to change a case.

Lock the case (refusing a change typed on an out-of-date page), check its stage, and record
what happened as one timeline event plus one audit record. The stage and event vocabularies
are declared here so a misspelt event kind fails at once rather than writing a timeline line
no filter will ever find."""

from collections.abc import Callable

from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.errors import Incomplete, Refused

from .models import Case, CaseEvent
from .vocabulary import MARAC_DASH_THRESHOLD, EventKind

__all__ = [
    "MARAC_DASH_THRESHOLD",
    "STALE_CASE",
    "CaseConflict",
    "CaseError",
    "CaseIncomplete",
    "EventKind",
    "Stage",
    "case_event_record",
    "case_lock",
    "stage_require",
    "stale_page_check",
    "on_intervention_started",
    "on_exit_started",
    "on_case_closed",
    "exit_assessments_check",
]

Stage = Case.Stage


class CaseError(Refused):
    """A step the programme does not allow, with the reason in plain English."""


class CaseIncomplete(Incomplete, CaseError):
    pass


class CaseConflict(CaseError):
    """The page the change was typed on showed an earlier version of the case."""


STALE_CASE = (
    "Someone else changed this case while you were editing. Your changes have not been saved: "
    "check the current record and enter them again."
)


def stale_page_check(*, current_version: int, expected_version: int | None, message: str = STALE_CASE) -> None:
    """Refuse a change typed on a page that showed `expected_version` of a record now at
    `current_version`. No expected version (a change not typed over the record) passes."""
    if expected_version is not None and current_version != expected_version:
        raise CaseConflict(message)


def case_lock(case: Case, *, expected_version: int | None = None) -> Case:
    """The case, locked until the transaction ends. With `expected_version` (the version the
    page showed), refuses a save from an out-of-date page rather than overwrite what someone
    else saved in between: every change to the case's own fields bumps `version`."""
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("referral", "referrer", "practitioner")
        .get(pk=case.pk)
    )
    stale_page_check(current_version=locked.version, expected_version=expected_version)
    return locked


def case_event_record(case, user, kind, summary, *, audit_detail=None, partner_related=False) -> CaseEvent:
    """One line on the case timeline and its audit record. `partner_related`: a partner
    matter, kept from the timeline of those who may not see the partner section (the borough
    SPOC)."""
    if kind not in EventKind.values:
        raise ValueError(f"{kind!r} is not a declared case event kind (cases.kernel.EventKind)")
    event = CaseEvent.objects.create(case=case, actor=user, kind=kind, summary=summary, partner_related=partner_related)
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=case,
        detail={"event": kind, **(audit_detail or {})},
    )
    return event


def stage_require(case: Case, stages, doing: str) -> None:
    """Refuse `doing` (plain words: "record a session") unless the case is in one of `stages`."""
    if case.stage not in stages:
        raise CaseError(f"You cannot {doing} while the case is ‘{case.get_stage_display().lower()}’.")


# --- hooks: what apps built on cases do when a case moves on -----------------------------
# Registered from their AppConfig.ready(), so cases never imports them.

_ON_INTERVENTION_STARTED: list[Callable[[Case], None]] = []
_ON_EXIT_STARTED: list[Callable[[Case], None]] = []
_EXIT_ASSESSMENTS_COMPLETE: list[Callable[[Case], bool]] = []
_ON_CASE_CLOSED: list[Callable[[Case, object], None]] = []


def on_intervention_started(hook: Callable[[Case], None]) -> Callable[[Case], None]:
    """Run `hook(case)` in the transaction that starts a case's intervention."""
    _ON_INTERVENTION_STARTED.append(hook)
    return hook


def on_exit_started(hook: Callable[[Case], None]) -> Callable[[Case], None]:
    """Run `hook(case)` in the transaction that starts a case's exit stage."""
    _ON_EXIT_STARTED.append(hook)
    return hook


def on_case_closed(hook: Callable[[Case, object], None]) -> Callable[[Case, object], None]:
    """Run `hook(case, user)` in the transaction that closes a case (the diary cancels what was
    planned on it)."""
    _ON_CASE_CLOSED.append(hook)
    return hook


def exit_assessments_check(check: Callable[[Case], bool]) -> Callable[[Case], bool]:
    """`check(case)` says whether the exit assessments it knows of are complete: closing the
    case otherwise needs a reason why they could not be done."""
    _EXIT_ASSESSMENTS_COMPLETE.append(check)
    return check


def intervention_started(case: Case) -> None:
    for hook in _ON_INTERVENTION_STARTED:
        hook(case)


def exit_started(case: Case) -> None:
    for hook in _ON_EXIT_STARTED:
        hook(case)


def case_closed(case: Case, user) -> None:
    for hook in _ON_CASE_CLOSED:
        hook(case, user)


def exit_assessments_done(case: Case) -> bool:
    return all(check(case) for check in _EXIT_ASSESSMENTS_COMPLETE)
