"""A diary row as HTML, written here rather than in the template: a busy diary has a hundred
rows and several hundred links, and drawing them took most of the page's time, through
Django's template engine and through format_html alike (the benchmark holds the page to 3× a
trivial page). Every value is escaped with the standard library's html.escape."""

from html import escape

from django.utils.safestring import SafeString, mark_safe

from .selectors import DiaryEntry

_OVERDUE = '<strong class="govuk-tag govuk-tag--red">Overdue</strong> '


def _e(value) -> str:
    return escape(str(value), quote=True)


def diary_row(entry: DiaryEntry, *, overdue_group: bool, team: bool) -> SafeString:
    what = (_OVERDUE if entry.overdue or overdue_group else "") + _e(entry.what)
    if entry.detail:
        what += f'<br><span class="govuk-body-s">{_e(entry.detail)}</span>'
    reference = _e(entry.reference)
    if entry.case is not None:
        referral = entry.case.referral
        case = (
            f'<a class="govuk-link" href="{_e(entry.case_url)}">{reference}</a><br><span class="govuk-body-s">'
            f"{_e(referral.client_first_name)} {_e(referral.client_last_name)}</span>"
        )
    else:
        case = reference
    hidden = f'<span class="govuk-visually-hidden">: {_e(entry.what)}, {reference}</span>'
    links = "<br>".join(
        f'<a class="govuk-link" href="{_e(link.url)}">{_e(link.text)}{hidden}</a>' for link in entry.links
    )
    cells = [_e(entry.when), what, case]
    if team:
        cells.append(_e(entry.case.practitioner.full_name) if entry.case is not None else "Team inbox")
    body = "".join(f'<td class="govuk-table__cell">{cell}</td>' for cell in cells)
    # Where each thing is done: a link, which does nothing on paper.
    body += f'<td class="govuk-table__cell eip-no-print">{links}</td>'
    # Every value in it was escaped above.
    return mark_safe(f'<tr class="govuk-table__row">{body}</tr>')  # noqa: S308  # nosec B308 B703


def diary_rows(diary, *, team: bool) -> list[tuple[str, str, list[SafeString]]]:
    """(key, heading, rows) for each group, in page order."""
    return [
        (key, label, [diary_row(entry, overdue_group=key == "overdue", team=team) for entry in entries])
        for key, label, entries in diary.groups
    ]
