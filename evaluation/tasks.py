from celery import shared_task
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from eip.db.claims import advisory_claim
from eip.outbound import OutboundRefused
from eip.people.models import Role, User
from eip.workdays import is_working_day

from .formats import report_csv, report_pdf, report_pdf_html, report_release
from .models import ReportDelivery
from .report import monitoring_report, previous_month

LABEL = "the monthly monitoring report e-mail"
# The advisory claim on a report being sent: (this namespace, the delivery's id).
REPORT_LOCK_NAMESPACE = 0x454952  # "EIR"
PDF = "application/pdf"


def first_working_day(day) -> bool:
    first = day.replace(day=1)
    while not is_working_day(first):
        first = first.replace(day=first.day + 1)
    return day == first


# Rendering the PDF takes seconds; five minutes is plenty, and a hung mail server is cut off.
@shared_task(acks_late=True, soft_time_limit=300, time_limit=330)
def monthly_report_send(today_iso: str | None = None) -> bool:
    """Beat runs this every morning. On the first working day of a month it sends last
    month's report to the programme managers, once: the delivery row is claimed first, and a
    claimed row that was never sent (worker killed) is picked up by the next run."""
    today = timezone.datetime.fromisoformat(today_iso).date() if today_iso else timezone.localdate()
    if not first_working_day(today) and not ReportDelivery.objects.filter(sent_at__isnull=True).exists():
        return False
    period = previous_month(today)
    try:
        with transaction.atomic():
            delivery, _ = ReportDelivery.objects.get_or_create(
                period_start=period.start, defaults={"period_end": period.end}
            )
    except IntegrityError:
        return False
    # Claimed, not locked: rendering the PDF and talking to the mail server take seconds, and no
    # row lock is held meanwhile (a hung mail server would hold it for the whole time limit).
    with advisory_claim(namespace=REPORT_LOCK_NAMESPACE, key=delivery.pk) as claimed:
        if not claimed:
            return False  # another worker is sending it now
        unsent = ReportDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True)
        if not unsent.exists():
            return False  # read after claiming: a run that finished just before ours sent it
        report = monitoring_report(period=period)
        managers = [u.email for u in User.objects.filter(role=Role.PROGRAMME_MANAGER, is_active=True)]
        message = EmailMessage(
            subject=f"EIP: MOPAC monitoring report, {period.start:%B %Y}",
            body=f"The monitoring report for {period.label()} is attached as PDF and CSV. "
            f"{report['monitoring']['referrals_received']} referrals were received.",
            to=managers,
        )
        try:
            # The PDF is checked as the HTML it is made from, then the message with its CSV.
            html = report_pdf_html(report)
            released = report_release(content=html, report_period=period, channel="email", label=LABEL)
            released.attach_to(message, f"eip-monitoring-{period.start:%Y-%m}.pdf", report_pdf(report, html), PDF)
            message.attach(f"eip-monitoring-{period.start:%Y-%m}.csv", report_csv(report), "text/csv")
            report_release(content=message, report_period=period, channel="email", label=LABEL)
        except OutboundRefused:
            # Not sent: audited, supervisors alerted; the next morning's run tries again.
            return False
        message.send()
        unsent.update(sent_at=timezone.now(), recipients=len(managers))
    return True
