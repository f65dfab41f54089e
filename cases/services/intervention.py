"""Starting the intervention once consent and the plan are in place."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction

from .. import kernel
from ..duties import meeting_reminder_schedule
from ..kernel import CaseError, case_event_record, case_lock, stage_require
from ..models import Case
from .consent import live_consents

St = Case.Stage


def intervention_blockers(case) -> list[str]:
    blockers = []
    consents = live_consents(case)
    if "client" not in consents:
        blockers.append("Record the client's consent.")
    if "partner" not in consents:
        blockers.append("Record the partner's consent.")
    if not case.risk_plans.exists():
        blockers.append("Write the Risk Management and Intervention Plan.")
    return blockers


@transaction.atomic
def intervention_start(*, case, user, started_on: date) -> Case:
    case = case_lock(case)
    stage_require(case, [St.AWAITING_CONSENT], "start the intervention")
    blockers = intervention_blockers(case)
    if blockers:
        raise CaseError("The intervention cannot start yet. " + " ".join(blockers))
    case.stage = St.INTERVENTION
    case.intervention_started_on = case.intervention_started_on or started_on
    case.version += 1
    case.save()
    last = case.meetings.order_by("-held_on").values_list("held_on", flat=True).first()
    since = max(filter(None, [last, started_on]))
    meeting_reminder_schedule(case=case, due=since + timedelta(days=settings.EIP_MEETING_INTERVAL_DAYS), since=since)
    kernel.intervention_started(case)  # assessments schedules the intake and four-week reminders
    case_event_record(case, user, "intervention_started", f"Intervention started on {started_on:%-d %B %Y}")
    return case
