"""The working inbox: the referrals a user may see, by tab, searched, filtered and sorted so
the overdue and the high-risk come first. Filters are a django-filter FilterSet, the table a
django-tables2 Table (sorting and paging), so none of it is hand-rolled."""

import json
import re
from datetime import date

import django_filters
import django_tables2 as tables
import jellyfish
from django import forms
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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


def inbox_queryset(*, referrals: QuerySet, tab: str, today=None) -> QuerySet:
    """`referrals` (already the user's scope) in `tab`, overdue first, then high risk, then
    by the date they must be acknowledged."""
    today = today or timezone.localdate()
    return (
        referrals.filter(TABS[tab][1])
        .annotate(
            priority=Case(
                When(
                    acknowledged_at__isnull=True,
                    acknowledgement_due__lt=today,
                    status__in=[S.SUBMITTED, S.MORE_INFO],
                    then=Value(0),
                ),
                When(acknowledged_at__isnull=True, status__in=[S.SUBMITTED, S.MORE_INFO], then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            high_risk=Case(When(HIGH_RISK, then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
        .order_by("priority", "-high_risk", "acknowledgement_due", "received_at", "pk")
    )


# The tabs of work waiting, counted. The others (declined, accepted, withdrawn, all) are the
# programme's whole history: counting them read every referral on record (180 ms at 100k cases)
# to show a number nobody works from.
WORKING_TABS = ("to_acknowledge", "awaiting_decision", "more_info")
WORKING = Q(status__in=[S.SUBMITTED, S.ACKNOWLEDGED, S.MORE_INFO])


def inbox_tab_counts(*, referrals: QuerySet) -> dict[str, int]:
    """How many referrals wait in each working tab, in one query over those waiting only."""
    return referrals.filter(WORKING).aggregate(**{tab: Count("pk", filter=TABS[tab][1]) for tab in WORKING_TABS})


STATUS_COLOURS = {
    S.DRAFT: "grey",
    S.SUBMITTED: "blue",
    S.MORE_INFO: "yellow",
    S.ACKNOWLEDGED: "light-blue",
    S.ACCEPTED: "green",
    S.DECLINED: "red",
    S.WITHDRAWN: "grey",
}


class InboxTable(tables.Table):
    reference = tables.Column(verbose_name="Reference", order_by=("reference",))
    client = tables.Column(verbose_name="Client", empty_values=(), order_by=("client_last_name", "client_first_name"))
    client_date_of_birth = tables.DateColumn(verbose_name="Date of birth", format="j M Y")
    borough = tables.Column(verbose_name="Borough", accessor="borough__name", order_by=("borough__name",))
    team = tables.Column(verbose_name="Team", accessor="team")
    received_at = tables.DateTimeColumn(verbose_name="Received", format="j M Y")
    acknowledgement_due = tables.Column(verbose_name="Acknowledge by", empty_values=())
    dash_score = tables.Column(verbose_name="DASH at referral", empty_values=())
    status = tables.Column(verbose_name="Status", empty_values=(), order_by=("status",))

    class Meta:
        model = Referral
        fields = ()
        sequence = (
            "reference",
            "client",
            "client_date_of_birth",
            "borough",
            "team",
            "received_at",
            "acknowledgement_due",
            "dash_score",
            "status",
        )
        template_name = "referrals/_govuk_table.html"
        attrs = {"class": "govuk-table", "data-testid": "referral-table"}
        orderable = True
        empty_text = "No referrals match."

    def __init__(self, *args, today=None, **kwargs):
        self.today = today or timezone.localdate()
        self.links = Links()
        super().__init__(*args, **kwargs)

    def rows_html(self) -> list:
        """This page's rows, each cell drawn here in Python: django-tables2 sorts and pages, but
        drawing every cell through it inspected each render method's signature per cell, most
        of the inbox's time (see README, the benchmark)."""
        return [self._row_html(row.record) for row in self.paginated_rows]

    def _row_html(self, record):
        dob, received = record.client_date_of_birth, record.received_at
        cells = (
            self.render_reference(record),
            self.render_client(record),
            f"{dob:%-d %b %Y}" if dob else "—",
            record.borough.name,
            self.render_team(record),
            f"{timezone.localtime(received):%-d %b %Y}" if received else "—",
            self.render_acknowledgement_due(record),
            self.render_dash_score(record),
            self.render_status(record),
        )
        return format_html_join("", '<td class="govuk-table__cell">{}</td>', ((cell,) for cell in cells))

    def render_reference(self, record):
        if record.status == S.DRAFT:
            return format_html(
                '<a class="govuk-link" href="{}">Draft'
                '<span class="govuk-visually-hidden"> referral started {}</span></a>',
                self.links("referral-edit", record.pk),
                f"{record.created_at:%-d %b %Y}",
            )
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>', self.links("referral-detail", record.pk), record.reference
        )

    def render_client(self, record):
        return record.client_name or "—"

    def render_team(self, record):
        return record.get_team_display() or "—"

    def render_acknowledgement_due(self, record):
        if record.acknowledged_at:
            return f"Acknowledged {timezone.localtime(record.acknowledged_at):%-d %b}"
        due = record.acknowledgement_due
        if not due:
            return "—"
        if record.status in (S.SUBMITTED, S.MORE_INFO) and due < self.today:
            return format_html('{} <strong class="govuk-tag govuk-tag--red">Overdue</strong>', f"{due:%a %-d %b %Y}")
        if due == self.today:
            return format_html(
                '{} <strong class="govuk-tag govuk-tag--orange">Due today</strong>', f"{due:%a %-d %b %Y}"
            )
        return f"{due:%a %-d %b %Y}"

    def render_dash_score(self, record):
        score = "—" if record.dash_score is None else str(record.dash_score)
        if getattr(record, "high_risk", 0):
            return format_html('{} <strong class="govuk-tag govuk-tag--red">High risk indicated</strong>', score)
        return score

    def render_status(self, record):
        colour = STATUS_COLOURS.get(record.status, "grey")
        return format_html(
            '<strong class="govuk-tag govuk-tag--{}">{}</strong>{}',
            colour,
            record.get_status_display(),
            OUTSIDE_WINDOW if record.outside_window else "",
        )
