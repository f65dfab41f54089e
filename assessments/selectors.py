"""Reading assessments: the schedule, gaps, exit completeness and change over time."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from .instruments import NEEDS_AREAS, SEVERITY_RANK, SOAG_CATEGORIES, Instrument, Severity, Stage, need_level
from .models import Assessment, AssessmentAnswer, AssessmentDraft
from .services import EXIT_REQUIRED, due_date


def current_assessments(*, case) -> dict[tuple[str, str], Assessment]:
    assessments = (
        Assessment.objects.filter(case=case, is_current=True)
        .select_related("completed_by")
        .prefetch_related(Prefetch("answers", queryset=AssessmentAnswer.objects.order_by("pk")))
    )
    return {(a.instrument, a.stage): a for a in assessments}


def latest_dash(*, case) -> Assessment | None:
    """The case's most recent DASH (its current version at whichever stage), with its answers in
    question order, or None if no DASH has been completed on the case."""
    return (
        Assessment.objects.filter(case=case, instrument=Instrument.DASH, is_current=True)
        .select_related("completed_by")
        .prefetch_related(Prefetch("answers", queryset=AssessmentAnswer.objects.order_by("pk")))
        .order_by("-assessed_on", "-completed_at")
        .first()
    )


@dataclass
class ScheduleCell:
    instrument: str
    stage: str
    assessment: Assessment | None
    due: date | None
    overdue: bool
    gaps: list[str] = field(default_factory=list)
    draft: AssessmentDraft | None = None

    @property
    def instrument_label(self):
        return Instrument(self.instrument).label


def gaps_in(assessment: Assessment) -> list[str]:
    """What an assessment leaves unknown that the programme needs to know."""
    if assessment.instrument != Instrument.SOAG:
        return []
    labels = dict(SOAG_CATEGORIES)
    return [f"{labels[a.item]}: don't know" for a in assessment.answers.all() if a.rating == Severity.DONT_KNOW]


def schedule_for_case(*, case, today: date | None = None) -> list[list[ScheduleCell]]:
    """Rows of instruments, columns of stages: done, due, overdue or not yet due."""
    today = today or timezone.localdate()
    current = current_assessments(case=case)
    drafts = {
        (d.instrument, d.stage): d for d in AssessmentDraft.objects.filter(case=case).select_related("started_by")
    }
    rows = []
    for instrument in Instrument.values:
        row = []
        for stage in Stage.values:
            assessment = current.get((instrument, stage))
            due = due_date(case, stage)
            row.append(
                ScheduleCell(
                    instrument,
                    stage,
                    assessment,
                    due,
                    overdue=assessment is None and due is not None and today > due and case.is_open,
                    gaps=gaps_in(assessment) if assessment else [],
                    draft=None if assessment else drafts.get((instrument, stage)),
                )
            )
        rows.append(row)
    return rows


def draft_for(*, case, instrument, stage) -> AssessmentDraft | None:
    return (
        AssessmentDraft.objects.filter(case=case, instrument=instrument, stage=stage)
        .select_related("started_by")
        .first()
    )


def exit_assessments_complete(*, case) -> bool:
    done = set(
        Assessment.objects.filter(case=case, stage=Stage.EXIT, is_current=True).values_list("instrument", flat=True)
    )
    return set(EXIT_REQUIRED) <= done


def change_over_time(*, case) -> dict:
    """Intake, mid and exit side by side for every instrument."""
    current = current_assessments(case=case)

    def answers(instrument, stage):
        a = current.get((instrument, stage))
        return {x.item: x for x in a.answers.all()} if a else None

    soag = []
    for code, label in SOAG_CATEGORIES:
        cells = []
        for stage in Stage.values:
            found = answers(Instrument.SOAG, stage)
            rating = found[code].rating if found and code in found else ""
            cells.append(
                {
                    "stage": stage,
                    "rating": rating,
                    "label": Severity(rating).label if rating else "—",
                    "rank": SEVERITY_RANK.get(rating),
                }
            )
        soag.append({"code": code, "label": label, "cells": cells})
    needs = []
    for code, label, _ in NEEDS_AREAS:
        cells = []
        for stage in Stage.values:
            found = answers(Instrument.NEEDS, stage)
            answer = found.get(code) if found else None
            score = answer.practitioner_score if answer else None
            cells.append(
                {
                    "stage": stage,
                    "practitioner": score,
                    "user": answer.user_score if answer else None,
                    "level": need_level(score),
                }
            )
        needs.append({"code": code, "label": label, "cells": cells})
    totals = {stage: current.get((Instrument.NEEDS, stage)) for stage in Stage.values}
    dash = {stage: current.get((Instrument.DASH, stage)) for stage in Stage.values}
    viability = []
    markers = {}
    for stage in Stage.values:
        found = answers(Instrument.VIABILITY, stage) or {}
        for item, answer in found.items():
            markers.setdefault(item, {"label": answer.label, "cells": {}})["cells"][stage] = answer.get_rating_label()
    for item in sorted(markers, key=lambda code: int(code.split("-")[1])):
        viability.append(
            {
                "label": markers[item]["label"],
                "cells": [markers[item]["cells"].get(stage, "—") for stage in Stage.values],
            }
        )
    return {
        "soag": soag,
        "needs": needs,
        "needs_totals": totals,
        "dash": dash,
        "viability": viability,
        "stages": Stage.choices,
    }
