"""python manage.py mopac_report --from YYYY-MM-DD --to YYYY-MM-DD --format json|csv|pdf [--output FILE]"""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from eip.outbound import OutboundRefused, csv_parts, text_parts
from evaluation.formats import report_csv, report_json, report_pdf, report_pdf_html, report_release, suppress_small
from evaluation.report import Period, monitoring_report, previous_month


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: use YYYY-MM-DD, for example 2021-01-31") from None


class Command(BaseCommand):
    help = "Produce the MOPAC monitoring report for a period (last calendar month by default)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD")
        parser.add_argument("--format", choices=["json", "csv", "pdf"], default="json")
        parser.add_argument("--output", help="file to write (standard output if not given; required for pdf)")
        parser.add_argument("--suppress", type=int, default=0, help="replace counts below N with <N (publication)")

    def handle(self, *args, date_from=None, date_to=None, format="json", output=None, suppress=0, **options):
        if bool(date_from) != bool(date_to):
            raise CommandError("Give both --from and --to, or neither for last month.")
        if date_from:
            period = Period(_date(date_from), _date(date_to))
        else:
            from django.utils import timezone

            period = previous_month(timezone.localdate())
        if period.end < period.start:
            raise CommandError("--to must be the same as or after --from.")
        if suppress < 0:
            raise CommandError("--suppress must be 0 or more.")
        if format == "pdf" and not output:
            raise CommandError("A PDF needs --output FILE.")
        report = monitoring_report(period=period)
        if suppress:
            report = suppress_small(report, suppress)
        content = {"json": report_json, "csv": report_csv, "pdf": report_pdf_html}[format](report)
        source = {"json": text_parts, "csv": csv_parts, "pdf": str}[format](content)
        try:
            label = f"the monitoring report ({format})"
            report_release(content=source, report_period=period, channel="file", label=label)
        except OutboundRefused as refused:
            raise CommandError(
                "The report was not written: it contained "
                + "; ".join(refused.explanation())
                + ". Supervisors have been told."
            ) from None
        if format == "pdf":
            content = report_pdf(report, content)
        if output:
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(output, mode) as handle:
                handle.write(content)
            self.stderr.write(f"Wrote the {format.upper()} report for {period.label()} to {output}")
        else:
            sys.stdout.write(content)
