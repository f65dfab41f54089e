"""The caseload page's filter form and table rows as HTML, written here rather than through
crispy-forms and the template engine: drawing them that way took most of the page's time
(fifty rows of a dozen values and links each, a form of three or four fields), and the
benchmark holds the page to 3x a trivial page. The markup is GOV.UK Frontend's, as
crispy-forms-gds draws it (tests/test_cases.py compares the two). Every value is escaped with
the standard library's html.escape, as Django's own escape does."""

from datetime import date
from functools import lru_cache
from html import escape

from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from eip.links import Links

from .due import DueItem
from .models import Case
from .selectors import weeks_open


def _e(value) -> str:
    return escape(str(value), quote=True)


def _safe(html: str) -> SafeString:
    # Every value in it was escaped where it was put in.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


# ---- the filter form ----


def _errors(field) -> tuple[str, list[str]]:
    """The field's error messages as GOV.UK draws them, and their ids (for aria-describedby)."""
    ids = [f"{field.auto_id}_{n}_error" for n in range(1, len(field.errors) + 1)]
    html = "".join(
        f'<span id="{i}" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">Error:</span> {_e(error)}</span>'
        for i, error in zip(ids, field.errors, strict=True)
    )
    return html, ids


def _group(field, inner: str) -> str:
    error = " govuk-form-group--error" if field.errors else ""
    return f'<div id="div_{field.auto_id}" class="govuk-form-group{error}">{inner}</div>'


def _label(field) -> str:
    return f'<label for="{field.id_for_label}" class="govuk-label">{field.label}</label>'


def _described(ids: list[str]) -> str:
    return f' aria-describedby="{" ".join(ids)}"' if ids else ""


def _text_input(field) -> str:
    errors, ids = _errors(field)
    value = field.value()
    value = f' value="{_e(value)}"' if value not in (None, "") else ""
    invalid = ' aria-invalid="true"' if ids else ""
    css = "govuk-input govuk-input--error" if ids else "govuk-input"
    return _group(
        field,
        f"{_label(field)}{errors}"
        f'<input type="text" name="{field.html_name}"{value}{_described(ids)}'
        f' class="{css}"{invalid} id="{field.auto_id}">',
    )


def _select(field) -> str:
    errors, ids = _errors(field)
    chosen = field.value()
    chosen = "" if chosen is None else str(chosen)
    options = "".join(
        f'<option value="{_e(value)}"{" selected" if str(value) == chosen else ""}>{_e(label)}</option>'
        for value, label in field.field.choices
    )
    invalid = ' aria-invalid="true"' if ids else ""
    css = "govuk-select govuk-input--error" if ids else "govuk-select"
    return _group(
        field,
        f"{_label(field)}{errors}"
        f'<select name="{field.html_name}"{_described(ids)} class="{css}"{invalid} id="{field.auto_id}">'
        f"{options}</select>",
    )


def _inline_radios(field) -> str:
    errors, ids = _errors(field)
    hint_id = f"{field.auto_id}_hint"
    chosen = field.value()
    chosen = "" if chosen is None else str(chosen)
    checked = ' checked="checked"'
    items = "".join(
        f'<div class="govuk-radios__item"><input type="radio" name="{field.html_name}" class="govuk-radios__input"'
        f' id="{field.auto_id}_{n}" value="{_e(value)}"{checked if str(value) == chosen else ""}>'
        f'<label class="govuk-label govuk-radios__label" for="{field.auto_id}_{n}">{_e(label)}</label></div>'
        for n, (value, label) in enumerate(field.field.choices, start=1)
    )
    return _group(
        field,
        f'<fieldset class="govuk-fieldset"{_described([hint_id, *ids])}>'
        f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{field.label}</legend>'
        f'<div id="{hint_id}" class="govuk-hint">{field.help_text}</div>{errors}'
        f'<div class="govuk-radios--inline">{items}</div></fieldset>',
    )


def caseload_filter_fields(form) -> SafeString:
    """The filter form's fields (CaseloadFilterForm): the search box, open/closed/all as
    inline radios, the stage and (on the team caseload) the practitioner."""
    html = _text_input(form["search"]) + _inline_radios(form["status"]) + _select(form["stage"])
    if "practitioner" in form.fields:
        html += _select(form["practitioner"])
    return _safe(html)


# ---- the rows ----

_OVERDUE = '<strong class="govuk-tag govuk-tag--red">Overdue</strong> '
_CLOSED = '<strong class="govuk-tag govuk-tag--grey">Closed</strong> '


@lru_cache(maxsize=8)
def _names(language: str | None) -> tuple[list[str], dict[str, str]]:
    """The months as the template's "j M" names them, and the stages' names, once a language."""
    months = [""] + [str(MONTHS_3[m]).title() for m in range(1, 13)]
    return months, {value: str(label) for value, label in Case.Stage.choices}


def _due_cell(items: list[DueItem], months: list[str]) -> str:
    if not items:
        return "—"
    return "".join(
        f"<div>{_OVERDUE if item.overdue else ''}{_e(item.what)}"
        f"{f', {item.due.day} {months[item.due.month]}' if item.due else ''}</div>"
        for item in items
    )


def _stage_cell(case: Case, months: list[str], stages: dict[str, str]) -> str:
    stage = stages[case.stage]
    if case.is_open:
        return _e(stage)
    closed = timezone.localtime(case.closed_at) if case.closed_at else None
    closed = f"{closed.day} {months[closed.month]} {closed.year}" if closed else ""
    return f"{_CLOSED}{closed}: {_e(stage.lower())}"


def caseload_rows(rows: list[dict], *, today: date, team: bool) -> SafeString:
    """The table's rows for {"case", "due"}: cases (with their referral and practitioner) and
    what is due on each. Each shows the case's reference (a link to it), the client, the
    practitioner on the team caseload, the stage (closed cases tagged, with the day they
    closed), weeks open and what is next due."""
    links = Links()
    months, stages = _names(get_language())
    html = []
    for row in rows:
        case, due = row["case"], row["due"]
        referral = case.referral
        practitioner = f'<td class="govuk-table__cell">{_e(case.practitioner.full_name)}</td>' if team else ""
        html.append(
            '<tr class="govuk-table__row">'
            f'<td class="govuk-table__cell"><a class="govuk-link" href="{links("case-detail", case.pk)}">'
            f"{_e(referral.reference)}</a></td>"
            f'<td class="govuk-table__cell">{_e(referral.client_first_name)} {_e(referral.client_last_name)}</td>'
            f"{practitioner}"
            f'<td class="govuk-table__cell">{_stage_cell(case, months, stages)}</td>'
            f'<td class="govuk-table__cell govuk-table__cell--numeric">{weeks_open(case, today)}</td>'
            f'<td class="govuk-table__cell">{_due_cell(due, months)}</td>'
            "</tr>"
        )
    return _safe("".join(html))
