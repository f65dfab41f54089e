"""The assessments due on a case, for the caseload and the case page (a source of
cases.due, registered from AssessmentsConfig.ready())."""

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q

from cases.due import DueItem
from cases.models import Case

from .instruments import Instrument
from .models import Assessment
from .services import DUE_AFTER_DAYS, due_date

STAGES = (("intake", "Intake assessments"), ("mid", "Four-week assessments"), ("exit", "Exit assessments"))


def assessments_due(case, today: date) -> list[DueItem]:
    """The earliest stage still open is the one to act on. Reads the counts the caseload's
    due facts carry (intake_done, mid_done, exit_done)."""
    if case.stage not in Case.MEETING_STAGES:
        return []
    total = len(Instrument.values)
    for stage, label in STAGES:
        done = getattr(case, f"{stage}_done") or 0
        due = due_date(case, stage)
        if due is not None and done < total:
            return [DueItem(f"{label} ({done} of {total} done)", due, today > due, "case-assessments")]
    return []


def assessments_overdue(today: date) -> Q:
    total = len(Instrument.values)

    def stage_open(stage, started):
        done = Assessment.objects.filter(case=OuterRef("pk"), stage=stage, is_current=True)
        complete = Exists(done.order_by().values("case").annotate(n=Count("pk")).filter(n__gte=total))
        return Q(**{f"{started}__isnull": False}) & ~Q(complete)

    intake, mid, exit_ = (
        stage_open("intake", "intervention_started_on"),
        stage_open("mid", "intervention_started_on"),
        stage_open("exit", "exit_started_on"),
    )
    late = {stage: today - timedelta(days=days) for stage, days in DUE_AFTER_DAYS.items()}
    return Q(stage__in=Case.MEETING_STAGES) & (
        (intake & Q(intervention_started_on__lt=late["intake"]))
        | (~intake & mid & Q(intervention_started_on__lt=late["mid"]))
        | (~intake & ~mid & exit_ & Q(exit_started_on__lt=late["exit"]))
    )
