"""CSV files that leave the system are opened in spreadsheets, which execute a cell starting
with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula (OWASP "CSV injection"): a
borough name or an imported answer such as `=HYPERLINK("http://…")` would run on the
recipient's machine. Every CSV writer in the project goes through `csv_writer`, which passes
each cell through `neutralise_formula` (a test fails on any other `csv.writer`)."""

import csv
import re
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A negative number written as text (the fund's "-120.00", days before a date) stays a number:
# a spreadsheet reads it as a value, not a formula, and the figures must still add up.
_PLAIN_NUMBER = re.compile(r"-\d+(\.\d+)?")


def neutralise_formula(value):
    """The cell as a spreadsheet should show it: text that would start a formula is prefixed
    with a single quote (shown literally, never executed); numbers and empty cells pass as they are."""
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    text = str(value)  # also lazy translations, dates and other objects the csv module would str()
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _NeutralisingWriter:
    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row):
        return self._writer.writerow([neutralise_formula(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(out, **options):
    """`csv.writer` whose every cell is neutralised; the only way the project writes CSV."""
    return _NeutralisingWriter(out, **options)


class Echo:
    """A file whose write() returns what it was given: a CSV writer over it yields lines."""

    def write(self, value):
        return value


def csv_line(row) -> str:
    """One row as a CSV line, as csv_writer writes it."""
    return csv_writer(Echo()).writerow(row)
