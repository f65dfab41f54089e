"""A diary row as HTML, written here rather than in the template: a busy diary has a hundred
rows and several hundred links, and drawing them took most of the page's time, through
Django's template engine and through format_html alike (the benchmark holds the page to 3× a
trivial page). Every value is escaped as the standard library's html.escape does; what rows of
one case share (its cell, its practitioner) is written once, and a group's rows reach the
template as one piece."""

import re
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .selectors import Diary, DiaryEntry

_OVERDUE = '<strong class="govuk-tag govuk-tag--red">Overdue</strong> '
_CELL = '<td class="govuk-table__cell">'
_ROW = (
    '<tr class="govuk-table__row"><td class="govuk-table__cell">{when}</td><td class="govuk-table__cell">{what}</td>'
    '<td class="govuk-table__cell">{case}</td>{team}<td class="govuk-table__cell eip-no-print">{links}</td></tr>'
)
# Most values (references, names, links) have nothing to escape, and looking costs less than escaping.
_SPECIAL = re.compile("[&<>\"']").search


def _e(value) -> str:
    value = str(value)
    return escape(value, quote=True) if _SPECIAL(value) else value


def _case_cells(entry: DiaryEntry, reference: str, team: bool) -> tuple[str, str]:
    """The Case cell's content and (in the team's diary) the Practitioner cell."""
    case = entry.case
    if case is None:
        return reference, f"{_CELL}Team inbox</td>" if team else ""
    cell = (
        f'<a class="govuk-link" href="{_e(case.url)}">{reference}</a><br><span class="govuk-body-s">'
        f"{_e(case.client_first_name)} {_e(case.client_last_name)}</span>"
    )
    return cell, f"{_CELL}{_e(case.practitioner_name)}</td>" if team else ""


def _row(entry: DiaryEntry, overdue_group: bool, team: bool, shared: dict) -> str:
    what = _e(entry.what)
    reference = _e(entry.reference)
    key = entry.case.pk if entry.case is not None else ("referral", reference)
    if key not in shared:
        shared[key] = _case_cells(entry, reference, team)
    case, practitioner = shared[key]
    moment = (entry.due, entry.at)
    if moment not in shared:
        shared[moment] = _e(entry.when)
    # Each link says, to a screen reader, which item it is for.
    hidden = f'<span class="govuk-visually-hidden">: {what}, {reference}</span></a>'
    links = "<br>".join([f'<a class="govuk-link" href="{_e(url)}">{_e(text)}{hidden}' for text, url in entry.links])
    if entry.detail:
        what += f'<br><span class="govuk-body-s">{_e(entry.detail)}</span>'
    if entry.overdue or overdue_group:
        what = _OVERDUE + what
    return _ROW.format(when=shared[moment], what=what, case=case, team=practitioner, links=links)


def diary_row(entry: DiaryEntry, *, overdue_group: bool, team: bool) -> SafeString:
    # Every value in it was escaped (_row).
    return mark_safe(_row(entry, overdue_group, team, {}))  # noqa: S308  # nosec B308 B703


def diary_rows(diary: Diary, *, team: bool) -> list[tuple[str, str, SafeString, int]]:
    """(key, heading, the group's rows, how many were left out) for each group, in page order;
    no rows, an empty string. What rows of one case or one day share is written once for the page."""
    shared = {}
    return [
        (
            key,
            label,
            # Every value in them was escaped (_row).
            mark_safe("".join([_row(entry, key == "overdue", team, shared) for entry in entries])),  # noqa: S308  # nosec B308 B703
            diary.not_shown.get(key, 0),
        )
        for key, label, entries in diary.groups
    ]
