"""What finance reads: placements by state with their money, the months a phase covers and
the unpaid invoices. Each is a fixed number of queries whatever the number of rows."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Invoice, Placement

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=10, decimal_places=2))

# The fund page's sections, in the order finance works through them.
STATES = [
    ("proposed", "Awaiting approval"),
    ("approved", "Current"),
    ("ended", "Ended"),
    ("rejected", "Cancelled or rejected"),
]


def month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def placements_for_finance(*, fund, borough_id=None, month: date | None = None):
    """The phase's placements with what has been invoiced and paid on each, newest first. With
    a month: the placements whose stay overlaps it (or, for a single payment, that start in it)."""
    placements = (
        Placement.objects.filter(fund=fund)
        .select_related("request__borough", "request__case__referral")
        .annotate(
            invoiced=Coalesce(Sum("invoices__amount"), ZERO),
            paid=Coalesce(Sum("invoices__amount", filter=Q(invoices__paid_on__isnull=False)), ZERO),
            unpaid_invoices=Count("invoices", filter=Q(invoices__paid_on__isnull=True)),
        )
        .order_by("-start_on", "-pk")
    )
    if borough_id:
        placements = placements.filter(request__borough_id=borough_id)
    if month:
        placements = placements.filter(start_on__lte=month_end(month)).filter(
            Q(ended_on__gte=month) | Q(ended_on__isnull=True, planned_end_on__gte=month)
        )
    return placements


def placements_by_state(placements) -> list[dict]:
    rows = list(placements)
    return [
        {"status": status, "label": label, "placements": [p for p in rows if p.status == status]}
        for status, label in STATES
    ]


def months_of(fund) -> list[date]:
    """The months from the phase's first placement to its last night (or today), newest first."""
    span = fund.placements.aggregate(first=Min("start_on"), last=Max("planned_end_on"))
    if span["first"] is None:
        return []
    last = max(span["last"], timezone.localdate())
    if fund.ends_on:
        last = min(last, max(fund.ends_on, span["last"]))
    months, month = [], date(span["first"].year, span["first"].month, 1)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months[::-1]


def invoices_unpaid(today: date | None = None) -> tuple[list[Invoice], Decimal]:
    """Every unpaid invoice, oldest first, with its age in days, and their total."""
    today = today or timezone.localdate()
    invoices = list(
        Invoice.objects.filter(paid_on__isnull=True)
        .select_related("placement__request__borough", "placement__request__case__referral", "placement__fund")
        .order_by("received_on", "pk")
    )
    for invoice in invoices:
        invoice.age_days = (today - invoice.received_on).days
    return invoices, sum((i.amount for i in invoices), Decimal("0"))
