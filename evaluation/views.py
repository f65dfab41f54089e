import itertools

from django.shortcuts import render
from django.utils import timezone

from eip import access, outbound
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.forms_util import error_summary
from eip.spreadsheets import csv_line

from . import export, export_copy
from .charts import report_charts
from .formats import report_csv, report_json, report_pdf, report_pdf_html, report_release, suppress_small
from .forms import DateRangeForm, PeriodForm
from .report import Period, monitoring_report, previous_month

CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


@access.policy("report.view")
def monitoring_report_view(request):
    last_month = previous_month(timezone.localdate())
    form = PeriodForm(request.GET or None, initial={"date_from": last_month.start, "date_to": last_month.end})
    if request.GET and not form.is_valid():
        return render(request, "evaluation/report.html", {"form": form, "errors": error_summary(form)})
    data = form.cleaned_data if request.GET else {"date_from": last_month.start, "date_to": last_month.end}
    period = Period(data["date_from"], data["date_to"])
    report = monitoring_report(period=period)
    if data.get("suppress"):
        report = suppress_small(report, data["suppress"])
    output = request.GET.get("format", "html")
    if output in CONTENT_TYPES:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.EXPORTED,
            label=f"Monitoring report {period.start}..{period.end}",
            detail={"format": output},
        )
        source, body = _report_output(report, output)
        released = report_release(
            content=source, report_period=period, user=request.user, label=f"the monitoring report ({output.upper()})"
        )
        return released.response(
            body,
            content_type=CONTENT_TYPES[output],
            filename=f"eip-monitoring-{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}.{output}",
        )
    query = request.GET.copy()
    query.pop("format", None)
    if not request.GET:
        query.update(
            {
                "date_from_0": last_month.start.day,
                "date_from_1": last_month.start.month,
                "date_from_2": last_month.start.year,
                "date_to_0": last_month.end.day,
                "date_to_1": last_month.end.month,
                "date_to_2": last_month.end.year,
            }
        )
    return render(
        request,
        "evaluation/report.html",
        {
            "form": form,
            "report": report,
            "period": period,
            "charts": report_charts(report),
            "query": query.urlencode(),
            "suppressed": bool(data.get("suppress")),
        },
    )


def _report_output(report, output):
    """(what the guard reads, what is served): a PDF is read as the HTML it is made from."""
    if output == "pdf":
        html = report_pdf_html(report)
        return html, report_pdf(report, html)
    if output == "csv":
        text = report_csv(report)
        return outbound.csv_parts(text), text
    text = report_json(report)
    return outbound.text_parts(text), text


@access.policy("evaluation.export")
def evaluation_export(request):
    return render(request, "evaluation/export.html", {"period_form": DateRangeForm()})


def _stream(request, name, columns, keyed_rows, *, blocks=False, period=""):
    # Each row is checked against its own referral's third-party details as it streams; the
    # first rows are checked before the file starts, so an early refusal is a plain page.
    # `blocks`: CSV text a referral at a time (export_copy), checked the same way.
    released = outbound.outbound_release(
        content=(outbound.KeyedBlocks if blocks else outbound.KeyedRows)(columns, keyed_rows),
        audience="evaluator",
        channel="download",
        concerning=outbound.EVERY_REFERRAL,
        user=request.user,
        label=f"the evaluation export ({name}.csv)",
    )
    label = f"Evaluation export: {name}" + (f" {period}" if period else "")
    audit_record(actor=request.user, action=AuditEvent.Action.EXPORTED, label=label)
    chunks = (
        itertools.chain([csv_line(columns)], released.content)
        if blocks
        else export.csv_lines(columns, released.content)
    )
    return released.streaming_response(
        chunks,
        content_type="text/csv; charset=utf-8",
        filename=f"eip-evaluation-{name}-{period.replace('..', '-to-') or f'{timezone.localdate():%Y-%m-%d}'}.csv",
    )


@access.policy("evaluation.export")
def evaluation_export_referrals(request):
    return _stream(request, "referrals", export.REFERRAL_COLUMNS, export.referral_rows(keyed=True))


@access.policy("evaluation.export")
def evaluation_export_assessments(request):
    """Every current assessment's answers, or those of assessments made in a period (?date_from
    and ?date_to, as the export page's form sends them). On PostgreSQL the database writes the
    file (export_copy); elsewhere Python does, in the same bytes."""
    period = {}
    if request.GET:
        form = DateRangeForm(request.GET)
        if not form.is_valid():
            return render(request, "evaluation/export.html", {"period_form": form, "errors": error_summary(form)})
        period = {"date_from": form.cleaned_data["date_from"], "date_to": form.cleaned_data["date_to"]}
    named = f"{period['date_from']:%Y-%m-%d}..{period['date_to']:%Y-%m-%d}" if period else ""
    if export_copy.available():
        blocks = export_copy.assessment_blocks(**period)
        return _stream(request, "assessments", export.ASSESSMENT_COLUMNS, blocks, blocks=True, period=named)
    rows = export.assessment_rows(keyed=True, **period)
    return _stream(request, "assessments", export.ASSESSMENT_COLUMNS, rows, period=named)


@access.policy("evaluation.export")
def evaluation_export_events(request):
    return _stream(request, "events", export.EVENT_COLUMNS, export.event_rows(keyed=True))


@access.policy("evaluation.export")
def evaluation_export_case_weeks(request):
    return _stream(request, "case_weeks", export.CASE_WEEK_COLUMNS, export.case_week_rows(keyed=True))


@access.policy("evaluation.export")
def evaluation_export_partner_outcomes(request):
    return _stream(request, "partner_outcomes", export.PARTNER_OUTCOME_COLUMNS, export.partner_outcome_rows(keyed=True))
