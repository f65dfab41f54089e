"""The end of a client's placement, for the caseload and the case page (a source of
cases.due, registered from AccommodationConfig.ready())."""

from datetime import date

from django.db.models import Exists, OuterRef, Q, Subquery

from cases.due import DueItem

from .models import Placement


def placement_due(case, today: date) -> list[DueItem]:
    """Reads the current placement's end the caseload's due facts carry (placement_ends_on)."""
    ends_on = getattr(case, "placement_ends_on", None)
    if ends_on is None:
        return []
    left = (ends_on - today).days
    what = f"Accommodation ends ({left} day{'s' if left != 1 else ''} left)" if left >= 0 else "Accommodation move-on"
    return [DueItem(what, ends_on, left < 0, "case-accommodation")]


def placement_overdue(today: date) -> Q:
    """The case's current placement (its latest approved) ended before today. The case is two
    queries out: a bare OuterRef here would be the outer placement, and would compare case ids
    with placement ids across every placement on record."""
    current = (
        Placement.objects.filter(request__case=OuterRef(OuterRef("pk")), status=Placement.Status.APPROVED)
        .order_by("-proposed_at")
        .values("pk")[:1]
    )
    return Q(Exists(Placement.objects.filter(pk=Subquery(current), planned_end_on__lt=today)))
