"""Camden finance at month end: the month's ledger CSV, the printable fund statement and the
fund's forecast. None of them carries a client's name or address or any case narrative: they
are built from placement, invoice and fund fields only, and leave through the outbound guard."""

import io
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Avg, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from eip.spreadsheets import csv_writer

from . import selectors, services
from .models import MOVE_ON_PAYMENT_KINDS, Invoice, Placement

CSV_COLUMNS = [
    "Placement",
    "Case reference",
    "Borough",
    "Type",
    "Provider or payee",
    "Invoice number",
    "Start",
    "End",
    "Nights",
    "Amount",
    "Received",
    "Paid",
    "Phase",
]


def month_invoices(month: date):
    """The invoices finance handled in the month: received in it, or paid in it."""
    end = selectors.month_end(month)
    return (
        Invoice.objects.filter(Q(received_on__range=(month, end)) | Q(paid_on__range=(month, end)))
        .select_related("placement__request__borough", "placement__request__case__referral", "placement__fund")
        .order_by("received_on", "pk")
    )


def month_csv(month: date) -> tuple[str, list]:
    """The month's ledger for Camden as CSV text, and the invoices in it (for the guard)."""
    invoices = list(month_invoices(month))
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS)
    for invoice in invoices:
        placement = invoice.placement
        end = placement.ended_on or placement.planned_end_on
        writer.writerow(
            [
                f"P{placement.pk}",
                placement.request.case.referral.reference,
                placement.request.borough.name,
                placement.get_kind_display(),
                invoice.provider,
                invoice.reference,
                placement.start_on.isoformat(),
                "" if placement.is_move_on_payment else end.isoformat(),
                "" if placement.is_move_on_payment else (end - placement.start_on).days,
                f"{invoice.amount:.2f}",  # a plain number for the ledger; pages show £1,234.00
                invoice.received_on.isoformat(),
                invoice.paid_on.isoformat() if invoice.paid_on else "",
                placement.fund.name if placement.fund else "",
            ]
        )
    return out.getvalue(), invoices


def fund_forecast(fund, today: date | None = None) -> dict:
    """Money committed to current stays to their planned end (and how much of it is not yet
    invoiced), and how many more average placements the remaining fund allows."""
    today = today or timezone.localdate()
    position = services.fund_position(fund)
    stays = fund.placements.exclude(kind__in=MOVE_ON_PAYMENT_KINDS)
    # Committed and invoiced are summed separately: joining invoices repeats each commitment.
    current_committed = stays.filter(status=Placement.Status.APPROVED).aggregate(s=Sum("committed"))["s"] or Decimal(
        "0"
    )
    invoiced = Invoice.objects.filter(placement__in=stays.filter(status=Placement.Status.APPROVED)).aggregate(
        s=Sum("amount")
    )["s"] or Decimal("0")
    average = stays.filter(status__in=[Placement.Status.APPROVED, Placement.Status.ENDED]).aggregate(
        a=Avg("committed")
    )["a"]
    more = None
    if average:
        more = int((position["remaining"] / average).to_integral_value(rounding=ROUND_FLOOR))
        more = max(min(more, position["places_left"]), 0)
    return {
        "current_committed": current_committed,
        "current_not_invoiced": max(current_committed - invoiced, Decimal("0")),
        "average_placement": average.quantize(Decimal("0.01")) if average else None,
        "more_placements": more,
        "places_left": position["places_left"],
    }


def statement_html(fund, *, user) -> str:
    """The printable fund statement: committed, spent, released and remaining, by borough."""
    return render_to_string(
        "accommodation/fund_statement_pdf.html",
        {
            "fund": fund,
            "position": services.fund_position(fund),
            "by_borough": services.fund_by_borough(fund),
            "forecast": fund_forecast(fund),
            "generated": timezone.localtime(),
            "prepared_for": user.full_name,
        },
    )


def statement_filename(fund) -> str:
    return f"fund-statement-{fund.starts_on:%Y-%m-%d}-{timezone.localdate():%Y-%m-%d}.pdf"
