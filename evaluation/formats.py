"""The monitoring report as CSV, PDF and (optionally) with small numbers suppressed."""

import io
import json

from django.template.loader import render_to_string

from accommodation.documents import StaticOnlyFetcher
from eip.spreadsheets import csv_writer

NOT_COUNTS = ("percent", "weeks", "years", "months", "schema_version", "average", "nights")


def suppress_small(data, threshold: int):
    """For publication: counts from 1 to threshold-1 become '<threshold', and a percentage
    beside a suppressed count is withheld too."""
    if isinstance(data, dict):
        result = {
            key: suppress_small(value, threshold) if not _is_count(key, value) else _suppressed(value, threshold)
            for key, value in data.items()
        }
        if isinstance(result.get("count"), str) and "percent" in result:
            result["percent"] = "*"
        return result
    if isinstance(data, list):
        return [suppress_small(item, threshold) for item in data]
    return data


def _is_count(key, value):
    return isinstance(value, int) and not isinstance(value, bool) and not any(word in key for word in NOT_COUNTS)


def _suppressed(value, threshold):
    return f"<{threshold}" if 0 < value < threshold else value


def _rows(data, path=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _rows(value, (*path, str(key)))
    else:
        yield ".".join(path[:-1]), path[-1] if path else "", "" if data is None else data


def report_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["section", "measure", "value"])
    for section, measure, value in _rows(report):
        writer.writerow([section, measure, value])
    return out.getvalue()


def report_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def report_pdf(report: dict) -> bytes:
    from weasyprint import HTML

    from .charts import report_charts

    html = render_to_string("evaluation/report_pdf.html", {"report": report, "charts": report_charts(report)})
    return HTML(string=html, base_url="eip-static:///", url_fetcher=StaticOnlyFetcher()).write_pdf()
