"""What is due on a case: the item a caseload row and a case page show, and the sources of
due items that apps built on cases (accommodation, assessments) register from their
AppConfig.ready(). Each source answers twice, in step: from a case carrying its due facts
(for the rows on screen) and as a SQL condition (to order and count the whole caseload)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q


@dataclass(frozen=True)
class DueItem:
    what: str
    due: date | None
    overdue: bool
    # The case page where it is done (a URL name taking the case's pk); the diary links to it.
    url_name: str = "case-detail"


@dataclass(frozen=True)
class DueSource:
    # (case with its due facts, today) -> the items due; no queries.
    items: Callable[[object, date], list[DueItem]]
    # today -> the condition a Case row meets when one of those items is overdue.
    overdue: Callable[[date], Q]
    # Where its items stand among the others when they fall due together.
    order: int


DUE_SOURCES: list[DueSource] = []


def due_source(*, items, overdue, order: int) -> None:
    DUE_SOURCES.append(DueSource(items=items, overdue=overdue, order=order))
    DUE_SOURCES.sort(key=lambda source: source.order)
