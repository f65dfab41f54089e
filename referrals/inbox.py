"""The working inbox: the referrals a user may see, by tab, searched, filtered and sorted so
the overdue and the high-risk come first. Filters are a django-filter FilterSet; the view
pages with eip.paging; the table's rows are drawn here (rows_html)."""

import json
import re
from datetime import date
from functools import lru_cache
from html import escape  # what django.utils.html.escape does, without its lazy-text wrapper

import django_filters
import jellyfish
from django import forms
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from eip.db.expressions import expressions_sql
from eip.links import Links
from eip.people.models import Borough

from .matching import name_parts
from .models import Referral, Team

S = Referral.Status
HIGH_RISK_DASH = 14
# Escalation at referral: a first physical assault, or a police notice or court order in place.
ESCALATION = Q(risk_markers__icontains="first_assault") | Q(orders__icontains="_")
HIGH_RISK = Q(dash_score__gte=HIGH_RISK_DASH) | ESCALATION


def high_risk_indicated(referral: Referral) -> bool:
    """HIGH_RISK of one referral already in hand, without asking the database: the same
    text searches over the stored lists (tests/test_inbox.py keeps the two in step)."""
    return (
        (referral.dash_score is not None and referral.dash_score >= HIGH_RISK_DASH)
        or "first_assault" in json.dumps(referral.risk_markers).lower()
        or "_" in json.dumps(referral.orders)
    )


# A constant of our own markup, no input in it.
OUTSIDE_WINDOW = mark_safe(' <strong class="govuk-tag govuk-tag--yellow">Outside window</strong>')  # nosec B308
TABS = {
    "to_acknowledge": ("To acknowledge", Q(status=S.SUBMITTED, acknowledged_at__isnull=True)),
    "awaiting_decision": (
        "Awaiting decision",
        Q(status=S.ACKNOWLEDGED) | Q(status=S.SUBMITTED, acknowledged_at__isnull=False),
    ),
    "more_info": ("More information requested", Q(status=S.MORE_INFO)),
    "declined": ("Declined", Q(status=S.DECLINED)),
    "accepted": ("Accepted", Q(status=S.ACCEPTED)),
    "withdrawn": ("Withdrawn", Q(status=S.WITHDRAWN)),
    "all": ("All", Q()),
}


def _codes(part: str) -> list[str]:
    # Three phonetic codes: each forgives typing mistakes the others do not (Hughs/Hughes
    # differ in metaphone and soundex, agree in NYSIIS).
    return [f"m:{jellyfish.metaphone(part)}", f"s:{jellyfish.soundex(part)}", f"n:{jellyfish.nysiis(part)}"]


def name_sounds(*names: str) -> str:
    """What a name sounds like, for a search that forgives spelling: ' m:KN s:K500 n:CAN '."""
    codes = [code for part in name_parts(" ".join(names)) for code in _codes(part)]
    return f" {' '.join(codes)} " if codes else ""


def _search(queryset: QuerySet, text: str) -> QuerySet:
    """By reference, date of birth, or name, each word spelled however it sounds."""
    text = text.strip()
    if not text:
        return queryset
    if re.fullmatch(r"(?i)(eip-?)?[\d-]+", text) and not _date(text):
        return queryset.filter(reference__icontains=text)
    born = _date(text)
    if born:
        return queryset.filter(client_date_of_birth=born)
    for part in name_parts(text):
        alike = Q(client_first_name__icontains=part) | Q(client_last_name__icontains=part)
        for code in _codes(part):
            alike |= Q(client_name_sounds__contains=f" {code} ")
        queryset = queryset.filter(alike)
    return queryset


def _date(text: str) -> date | None:
    match = re.fullmatch(r"(\d{1,2})[/. -](\d{1,2})[/. -](\d{4})", text.strip())
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text.strip())
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


class InboxFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search by reference, client name or date of birth",
        method="search",
        widget=forms.TextInput(attrs={"class": "govuk-input", "spellcheck": "false"}),
    )
    borough = django_filters.ModelChoiceFilter(
        label="Borough",
        queryset=Borough.objects.order_by("name"),
        empty_label="All boroughs",
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    team = django_filters.ChoiceFilter(
        label="Team",
        choices=Team.choices,
        empty_label="All teams",
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    class Meta:
        model = Referral
        fields = ["q", "borough", "team"]

    def search(self, queryset, name, value):
        return _search(queryset, value)

    def get_form_class(self):
        # The same fields for everyone (the boroughs' list is read when drawn): the form class
        # is made once, not made anew (a class and three fields) on every page shown.
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class


def _ranking(today: date) -> dict:
    """How urgent each referral is: 0 overdue, 1 waiting, 2 the rest; and 1 if high risk."""
    waiting = {"acknowledged_at__isnull": True, "status__in": [S.SUBMITTED, S.MORE_INFO]}
    return {
        "priority": Case(
            When(acknowledgement_due__lt=today, **waiting, then=Value(0)),
            When(**waiting, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        "high_risk": Case(When(HIGH_RISK, then=Value(1)), default=Value(0), output_field=IntegerField()),
    }


@lru_cache(maxsize=4)
def _ranking_sql(today: date, vendor: str) -> dict[str, tuple[str, tuple]]:
    """_ranking() as SQL over the outer query's "referrals_referral" row, compiled once a day:
    building and compiling its conditions was a tenth of the inbox's time."""
    return expressions_sql(Referral, _ranking(today))


def inbox_queryset(*, referrals: QuerySet, tab: str, today=None, sort: str = "") -> QuerySet:
    """`referrals` (already the user's scope) in `tab`, overdue first, then high risk, then
    by the date they must be acknowledged; sorted by a column first if `sort` names one."""
    today = today or timezone.localdate()
    order = ["priority", "-high_risk", "acknowledgement_due", "received_at", "pk"]
    column = sorted_by(sort)
    if column:
        key, descending = column
        order[:0] = [f"-{field}" if descending else field for field in SORTS[key]]
    # Our own compiled expressions (parameters kept apart), no text from a request.
    ranking = {
        name: RawSQL(sql, params, output_field=IntegerField())  # noqa: S611  # nosec B611
        for name, (sql, params) in _ranking_sql(today, connection.vendor).items()
    }
    return referrals.filter(TABS[tab][1]).annotate(**ranking).order_by(*order)


# The tabs of work waiting, counted. The others (declined, accepted, withdrawn, all) are the
# programme's whole history: counting them read every referral on record (180 ms at 100k cases)
# to show a number nobody works from.
WORKING_TABS = ("to_acknowledge", "awaiting_decision", "more_info")
WORKING = Q(status__in=[S.SUBMITTED, S.ACKNOWLEDGED, S.MORE_INFO])


@lru_cache(maxsize=2)
def _working_tabs_sql(vendor: str) -> dict[str, tuple[str, tuple]]:
    """Each working tab's condition as SQL over the outer query's "referrals_referral" row,
    compiled once (as _ranking_sql)."""
    return expressions_sql(
        Referral, {tab: ExpressionWrapper(TABS[tab][1], output_field=BooleanField()) for tab in WORKING_TABS}
    )


def inbox_tab_counts(*, referrals: QuerySet) -> dict[str, int]:
    """How many referrals wait in each working tab, in one query over those waiting only."""
    # Our own compiled conditions (parameters kept apart), no text from a request.
    counts = {
        tab: Count("pk", filter=RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611  # nosec B611
        for tab, (sql, params) in _working_tabs_sql(connection.vendor).items()
    }
    return referrals.filter(WORKING).aggregate(**counts)


STATUS_COLOURS = {
    S.DRAFT: "grey",
    S.SUBMITTED: "blue",
    S.MORE_INFO: "yellow",
    S.ACKNOWLEDGED: "light-blue",
    S.ACCEPTED: "green",
    S.DECLINED: "red",
    S.WITHDRAWN: "grey",
}
STATUS_LABELS = dict(S.choices)
TEAM_LABELS = dict(Team.choices)

# The table's columns: the key a heading's link sorts by (?sort=client, ?sort=-client), the
# heading, and the fields that order.
COLUMNS = (
    ("reference", "Reference", ("reference",)),
    ("client", "Client", ("client_last_name", "client_first_name")),
    ("client_date_of_birth", "Date of birth", ("client_date_of_birth",)),
    ("borough", "Borough", ("borough__name",)),
    ("team", "Team", ("team",)),
    ("received_at", "Received", ("received_at",)),
    ("acknowledgement_due", "Acknowledge by", ("acknowledgement_due",)),
    ("dash_score", "DASH at referral", ("dash_score",)),
    ("status", "Status", ("status",)),
)
SORTS = {key: fields for key, _, fields in COLUMNS}
# Our own markup, across the nine columns.
EMPTY_ROW = mark_safe(  # noqa: S308  # nosec B308
    '<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="9">No referrals match.</td></tr>'
)
# What a row shows, read as named tuples (eip.paging's `fields`): a referral has some fifty
# columns, long texts among them, and fifty model objects cost twice what the values do.
ROW_FIELDS = (
    "pk",
    "reference",
    "status",
    "created_at",
    "client_first_name",
    "client_last_name",
    "client_date_of_birth",
    "borough_name",
    "team",
    "received_at",
    "acknowledged_at",
    "acknowledgement_due",
    "dash_score",
    "outside_window",
    "priority",
    "high_risk",
)


def sorted_by(sort: str) -> tuple[str, bool] | None:
    """The column key and whether descending, for a ?sort= value naming a column."""
    key = sort.removeprefix("-")
    return (key, sort.startswith("-")) if key in SORTS else None


@lru_cache(maxsize=2)
def _borough_name_sql(vendor: str) -> tuple[str, tuple]:
    """The referral's borough's name as SQL over the outer query's "referrals_referral" row,
    compiled once (as _ranking_sql): building and compiling the subquery on every page cost
    more than the database took to answer it."""
    borough_name = Subquery(Borough.objects.filter(pk=OuterRef("borough_id")).order_by().values("name"))
    return expressions_sql(Referral, {"borough_name": borough_name})["borough_name"]


def inbox_rows(queryset: QuerySet) -> QuerySet:
    """inbox_queryset's referrals with the borough's name, to be read as ROW_FIELDS."""
    # Asked of the page's rows only: PostgreSQL looks a subquery in the select list up after
    # the sort and the LIMIT, where a join looked up the borough of every referral sorted (a
    # social worker's hundreds).
    sql, params = _borough_name_sql(connection.vendor)
    # Our own compiled subquery (parameters kept apart), no text from a request.
    borough_name = RawSQL(sql, params, output_field=CharField())  # noqa: S611  # nosec B611
    return queryset.select_related(None).annotate(borough_name=borough_name)


def _query(params: dict, **changes) -> str:
    # The request's query string with some values replaced, for a link's href.
    return "?" + urlencode({**params, **changes}, doseq=True)


def column_headings(query: QueryDict, sort: str) -> list[tuple[str, str, str]]:
    """Each column's (heading, link that sorts by it, aria-sort): a link sorts ascending, or
    descending when the list is already sorted ascending by that column."""
    params = dict(query.lists())
    current = sorted_by(sort)
    headings = []
    for key, heading, _ in COLUMNS:
        aria_sort = ""
        following = key
        if current and current[0] == key:
            aria_sort = "descending" if current[1] else "ascending"
            following = key if current[1] else f"-{key}"
        headings.append((heading, _query(params, sort=following, page=1), aria_sort))
    return headings


def page_links(query: QueryDict, page) -> dict[str, str]:
    """The pagination's links: this page, the one before and the one after (where there is one)."""
    params = dict(query.lists())
    links = {"current": _query(params, page=page.number)}
    if page.has_previous():
        links["previous"] = _query(params, page=page.previous_page_number())
    if page.has_next():
        links["next"] = _query(params, page=page.next_page_number())
    return links


def rows_html(rows, *, today: date) -> SafeString:
    """The table's rows, drawn here in Python: by a template or format_html per cell, drawing
    fifty rows took most of the inbox's time (see README, the benchmark). Every value from the
    database is escaped once, where it is put in."""
    links, zone = Links(), timezone.get_current_timezone()
    drawn = [_row_html(row, today, links, zone) for row in rows]
    if not drawn:
        return EMPTY_ROW
    # Every value from the database was escaped in _row_html.
    return mark_safe("\n    ".join(drawn))  # noqa: S308  # nosec B308 B703


def _row_html(row, today: date, links: Links, zone) -> str:
    status = row.status
    if status == S.DRAFT:
        reference = (
            f'<a class="govuk-link" href="{links("referral-edit", row.pk)}">Draft'
            f'<span class="govuk-visually-hidden"> referral started {row.created_at:%-d %b %Y}</span></a>'
        )
    else:
        reference = f'<a class="govuk-link" href="{links("referral-detail", row.pk)}">{escape(row.reference)}</a>'
    client = f"{row.client_first_name} {row.client_last_name}".strip()
    dob, received = row.client_date_of_birth, row.received_at
    score = "—" if row.dash_score is None else str(row.dash_score)
    if row.high_risk:
        score += ' <strong class="govuk-tag govuk-tag--red">High risk indicated</strong>'
    cells = (
        reference,
        escape(client) if client else "—",
        f"{dob:%-d %b %Y}" if dob else "—",
        escape(row.borough_name),
        escape(TEAM_LABELS.get(row.team, row.team)) or "—",
        f"{received.astimezone(zone):%-d %b %Y}" if received else "—",
        _acknowledge_by(row, today, zone),
        score,
        f'<strong class="govuk-tag govuk-tag--{STATUS_COLOURS.get(status, "grey")}">'
        f"{escape(STATUS_LABELS.get(status, status))}</strong>{OUTSIDE_WINDOW if row.outside_window else ''}",
    )
    return (
        '<tr class="govuk-table__row" data-testid="referral-row"><td class="govuk-table__cell">'
        + '</td><td class="govuk-table__cell">'.join(cells)
        + "</td></tr>"
    )


def _acknowledge_by(row, today: date, zone) -> str:
    if row.acknowledged_at:
        return f"Acknowledged {row.acknowledged_at.astimezone(zone):%-d %b}"
    due = row.acknowledgement_due
    if not due:
        return "—"
    if row.status in (S.SUBMITTED, S.MORE_INFO) and due < today:
        return f'{due:%a %-d %b %Y} <strong class="govuk-tag govuk-tag--red">Overdue</strong>'
    if due == today:
        return f'{due:%a %-d %b %Y} <strong class="govuk-tag govuk-tag--orange">Due today</strong>'
    return f"{due:%a %-d %b %Y}"


def search_fields(form, *, filters: bool) -> dict[str, SafeString]:
    """The search form's inputs, drawn as Django's widget templates draw them (the same
    markup), without a template per field and per option. `filters`: the borough and team
    lists too (their choices are read only when drawn)."""
    fields = {"q": _text_input(form["q"])}
    if filters:
        fields.update(borough=_select(form["borough"]), team=_select(form["team"]))
    return fields


def _attrs(field) -> str:
    attrs = {**field.field.widget.attrs, "id": field.auto_id}
    return "".join(f' {name}="{escape(str(value))}"' for name, value in attrs.items())


def _text_input(field) -> SafeString:
    value = field.value()
    shown = "" if value in ("", None) else f' value="{escape(str(value))}"'
    html = f'<input type="text" name="{field.html_name}"{shown}{_attrs(field)}>'
    # The value and the attributes escaped.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


def _choices(formfield) -> list:
    if isinstance(formfield, forms.ModelChoiceField):
        # Read in one plain query: the field's own iterator opens a server-side cursor, which
        # took longer than the rest of the inbox together.
        empty = [("", formfield.empty_label)] if formfield.empty_label is not None else []
        return [*empty, *((record.pk, formfield.label_from_instance(record)) for record in formfield.queryset)]
    return formfield.choices


def _select(field) -> SafeString:
    value = field.value()
    chosen = "" if value is None else str(value)
    options, found = [], False
    for option, label in _choices(field.field):
        selected = not found and str(option) == chosen
        found = found or selected
        chosen_attr = " selected" if selected else ""
        options.append(f'\n  <option value="{escape(str(option))}"{chosen_attr}>{escape(str(label))}</option>\n')
    html = f'<select name="{field.html_name}"{_attrs(field)}>{"".join(options)}\n</select>'
    # Every value, label and attribute escaped.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703
