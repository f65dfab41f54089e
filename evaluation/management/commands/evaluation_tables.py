"""python manage.py evaluation_tables DIR --from 2021-01 --to 2021-12

Rebuilds the monitoring report's tables from the evaluator's export alone: DIR holds the four CSV
files downloaded from /evaluation/ (referrals.csv, assessments.csv, events.csv, case_weeks.csv). The
output is the report's JSON for that period of whole months, without the time it was produced and
the fund's position (see evaluation/tables.py)."""

import calendar
import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from evaluation.report import Period
from evaluation.tables import ExportProblem, read_export, tables


def _month(value, *, last):
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, calendar.monthrange(year, month)[1] if last else 1)
    except ValueError:
        raise CommandError(f"{value!r} is not a month (use YYYY-MM)") from None


class Command(BaseCommand):
    help = "Rebuild the monitoring report's tables from the evaluator's CSV export, for whole months."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the folder holding the four CSV files of the export")
        parser.add_argument("--from", dest="first", required=True, help="first month, YYYY-MM")
        parser.add_argument("--to", dest="last", required=True, help="last month, YYYY-MM")

    def handle(self, *args, directory, first, last, **options):
        period = Period(_month(first, last=False), _month(last, last=True))
        if period.end < period.start:
            raise CommandError("--to must not be before --from")
        try:
            result = tables(read_export(directory), period)
        except ExportProblem as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
