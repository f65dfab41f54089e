"""The caseload with what is due on each case: the due facts read for the cases on screen,
the due items drawn from them, and the same rules as SQL to order and count the whole
caseload overdue first."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from eip.db.expressions import expressions_sql
from eip.db.raw import raw_date, raw_datetime
from eip.paging import MAX_PAGE
from eip.workdays import add_working_days

from ..due import DUE_SOURCES, DueItem
from ..models import Case, ProfessionalsMeeting, RiskAction
from .gate import case_list_for_user

St = Case.Stage


# What the caseload needs to know about each case, as hand-written subqueries over a case "c"
# (for the cases on the page): the ORM's nine correlated subqueries cost more to build and
# compile than to run (measured: compiling them took longer than running this whole statement
# for 50 cases). Whether a consent or plan is on record is asked as a probe of the case's own
# rows: written EXISTS, PostgreSQL read every consent and plan on record into a hash each time.
# Public so that a page reading its cases in its own statement (the diary) reads them there too,
# and hands each row's facts to due_facts_set().
DUE_FACTS_COLUMNS = """
  (SELECT MAX(m.held_on) FROM cases_professionalsmeeting m WHERE m.case_id = c.id),
  (SELECT MAX(k.scheduled_at) FROM cases_consultation k WHERE k.case_id = c.id),
  (SELECT COUNT(*) FROM cases_riskaction a WHERE a.case_id = c.id AND a.done_on IS NULL),
  (SELECT COUNT(*) FROM assessments_assessment s WHERE s.case_id = c.id AND s.stage = 'intake' AND s.is_current),
  (SELECT COUNT(*) FROM assessments_assessment s WHERE s.case_id = c.id AND s.stage = 'mid' AND s.is_current),
  (SELECT COUNT(*) FROM assessments_assessment s WHERE s.case_id = c.id AND s.stage = 'exit' AND s.is_current),
  (SELECT p.planned_end_on FROM accommodation_placement p
     JOIN accommodation_accommodationrequest r ON r.id = p.request_id
     WHERE r.case_id = c.id AND p.status = 'approved' ORDER BY p.proposed_at DESC LIMIT 1),
  (SELECT 1 FROM cases_consent n WHERE n.case_id = c.id AND n.party = 'client' AND n.withdrawn_on IS NULL LIMIT 1)
    IS NOT NULL,
  (SELECT 1 FROM cases_consent n WHERE n.case_id = c.id AND n.party = 'partner' AND n.withdrawn_on IS NULL LIMIT 1)
    IS NOT NULL,
  (SELECT 1 FROM cases_riskplan v WHERE v.case_id = c.id LIMIT 1) IS NOT NULL
"""
# Constants only; the ids go as parameters.
_DUE_FACTS_SQL = "SELECT c.id," + DUE_FACTS_COLUMNS + "FROM cases_case c WHERE c.id IN ({ids})"  # nosec B608


def due_facts_set(case: Case, facts) -> None:
    """Set on a case what due_items() reads, from the DUE_FACTS_COLUMNS of its row."""
    meeting, consultation, risks, intake, mid, exit_, ends_on, client, partner, plan = facts
    case.last_meeting_on = raw_date(meeting)
    case.consultation_at = raw_datetime(consultation)
    case.open_risk_actions = risks
    case.intake_done, case.mid_done, case.exit_done = intake, mid, exit_
    case.placement_ends_on = raw_date(ends_on)
    case.client_consent, case.partner_consent = bool(client), bool(partner)
    case.has_plan = bool(plan)


def due_facts_attach(cases: list[Case]) -> list[Case]:
    """Set on each case what due_items() reads: last meeting, consultation, open risk actions,
    assessments done per stage, the current placement's end, the live consents and whether a
    plan is written."""
    if not cases:
        return cases
    ids = ", ".join(["%s"] * len(cases))
    with connection.cursor() as cursor:
        # Only "%s" placeholders are formatted in; the ids go as parameters.
        cursor.execute(_DUE_FACTS_SQL.format(ids=ids), [case.pk for case in cases])  # nosec B608
        facts = {row[0]: row[1:] for row in cursor.fetchall()}
    for case in cases:
        due_facts_set(case, facts[case.pk])
    return cases


class _DueFactsQuerySet(QuerySet):
    """Cases that carry their due facts once fetched, whether listed, paged or got."""

    def _fetch_all(self):
        fetched = self._result_cache is None
        super()._fetch_all()
        if fetched and self._result_cache and isinstance(self._result_cache[0], Case):
            due_facts_attach(self._result_cache)


def _with_due_facts(cases: QuerySet[Case]) -> QuerySet[Case]:
    cases = cases.all()
    cases.__class__ = _DueFactsQuerySet  # clones keep the class, so filters and slices keep the facts
    return cases


def due_items(case: Case, today: date | None = None, *, partner_matters: bool = True) -> list[DueItem]:
    """What is due on a case, soonest first, from an annotated case (no extra queries).
    Without `partner_matters` (someone who may not see the partner section), open IDVA and
    MARAC referrals are left out: they are about the partner."""
    today = today or timezone.localdate()
    if case.stage in Case.CLOSED_STAGES:
        return []
    items = []
    if partner_matters and getattr(case, "open_risk_actions", 0):
        items.append(DueItem("IDVA and MARAC referrals", None, True, "case-risk"))
    if case.stage == St.AWAITING_CONSULTATION:
        due = add_working_days(timezone.localtime(case.opened_at).date(), settings.EIP_CONSULTATION_WORKING_DAYS)
        what = "Hold the case consultation" if case.consultation_at else "Arrange the case consultation"
        items.append(DueItem(what, due, today > due, "case-plan"))
    elif case.stage == St.AWAITING_CONSENT:
        missing = [p for p, given in (("client", case.client_consent), ("partner", case.partner_consent)) if not given]
        items.append(
            DueItem(
                "Consent from " + " and ".join(missing) if missing else "Start the intervention",
                None,
                False,
                "case-consent",
            )
        )
    for source in DUE_SOURCES:  # accommodation, then assessments (registered in their ready())
        items += source.items(case, today)
    if case.stage in Case.MEETING_STAGES:
        since = max(filter(None, [case.last_meeting_on, case.intervention_started_on]))
        due = since + timedelta(days=settings.EIP_MEETING_INTERVAL_DAYS)
        items.append(DueItem("Professionals meeting", due, today > due, "case-meetings"))
    return sorted(items, key=lambda i: (not i.overdue, i.due or date.max))


def caseload_for_user(*, user, practitioner=None, stage="", search="", status="open"):
    """Cases with what is due: a practitioner's own (and those of colleagues they cover), or
    (supervisors) the team's. `status`: "open", "closed" or "all"."""
    cases = case_list_for_user(user=user)
    if practitioner is not None:
        cases = cases.filter(practitioner=practitioner)
    if status == "open":
        cases = cases.filter(stage__in=Case.ACTIVE_STAGES)
    elif status == "closed":
        cases = cases.filter(stage__in=Case.CLOSED_STAGES)
    if stage:
        cases = cases.filter(stage=stage)
    if search:
        term = search.strip()
        cases = cases.filter(
            Q(referral__reference__icontains=term)
            | Q(referral__client_first_name__icontains=term)
            | Q(referral__client_last_name__icontains=term)
        )
    return _with_due_facts(cases).order_by("opened_at")


def _consultation_overdue_before(today: date):
    """The moment before which a case opened is late for its consultation today: the
    consultation is due a set number of working days after the day the case opened, so the
    latest such day whose deadline has passed is found by stepping back (a few days)."""
    days = settings.EIP_CONSULTATION_WORKING_DAYS
    day = today - timedelta(days=1)
    while add_working_days(day, days) >= today:
        day -= timedelta(days=1)
    # Cases opened on or before `day` (London's calendar day) are overdue.
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time()))


def overdue_condition(*, today: date, partner_matters: bool) -> Q:
    """The condition a case meets when due_items() would show something overdue on it, as
    SQL: so the whole caseload can be ordered overdue first and counted before it is paged.
    Kept in step with due_items() by tests/test_cases.py (the 60-case caseload)."""
    meeting_due_before = today - timedelta(days=settings.EIP_MEETING_INTERVAL_DAYS)
    last_meeting = ProfessionalsMeeting.objects.filter(case=OuterRef("pk")).order_by().values("case")
    meeting = (
        ~Q(Exists(last_meeting.filter(held_on__gte=meeting_due_before)))
        & (Q(intervention_started_on__isnull=True) | Q(intervention_started_on__lt=meeting_due_before))
        & (Q(intervention_started_on__isnull=False) | Q(Exists(last_meeting)))
    )
    overdue = Q(stage=St.AWAITING_CONSULTATION, opened_at__lt=_consultation_overdue_before(today)) | (
        Q(stage__in=Case.MEETING_STAGES) & meeting
    )
    for source in DUE_SOURCES:
        overdue |= source.overdue(today)
    if partner_matters:
        overdue |= Q(Exists(RiskAction.objects.filter(case=OuterRef("pk"), done_on__isnull=True)))
    return ~Q(stage__in=Case.CLOSED_STAGES) & overdue


@lru_cache(maxsize=16)
def _overdue_sql(today: date, partner_matters: bool, vendor: str) -> tuple[str, tuple]:
    """overdue_condition() as SQL over the outer query's "cases_case" row, compiled once a day:
    building and compiling its dozen subqueries took longer than running the caseload's
    queries (measured: about 10 ms a request on an idle machine, twice a page)."""
    condition = ExpressionWrapper(overdue_condition(today=today, partner_matters=partner_matters), BooleanField())
    return expressions_sql(Case, {"has_overdue": condition})["has_overdue"]


# The fields of a case a caseload row and its due items read, its referral's and its
# practitioner's, as the columns of the list.
_CASE_COLUMNS = (
    "id",
    "referral_id",
    "borough_id",
    "practitioner_id",
    "stage",
    "opened_at",
    "intervention_started_on",
    "exit_started_on",
    "closed_at",
    "version",
)
_REFERRAL_COLUMNS = ("referral__reference", "referral__client_first_name", "referral__client_last_name")

# A page of the caseload, overdue first (then oldest first), in one statement: the cases listed,
# each with has_overdue worked out once and kept (MATERIALIZED), so that the order and the count
# of overdue cases over the whole list read the same column; then the page (a page past the end
# gives the last page); then the due facts of its cases only (asked of the whole list, PostgreSQL
# chose to read every consent and plan on record). Compiled by the ORM, the condition was
# written twice, to order and to count, and PostgreSQL planned its dozen subqueries twice, which
# took longer than running them (measured at 10k cases).
_PAGE_SQL = """
WITH listed AS MATERIALIZED ({listed})
SELECT c.*,{due_facts}FROM (
  SELECT listed.*, COUNT(*) OVER (), COUNT(*) FILTER (WHERE listed.has_overdue) OVER (),
    ROW_NUMBER() OVER (ORDER BY listed.has_overdue DESC, listed.opened_at) AS place
  FROM listed ORDER BY place LIMIT %s OFFSET (
    SELECT CASE WHEN COUNT(*) > %s THEN %s WHEN COUNT(*) = 0 THEN 0 ELSE (COUNT(*) - 1) / %s * %s END FROM listed
  )
) c ORDER BY c.place
"""


def caseload_page(cases: QuerySet[Case], *, partner_matters: bool, number, per_page: int = 50, today=None) -> Page:
    """The page `number` of a caseload (from caseload_for_user) ordered overdue first, then oldest
    first, as Paginator.get_page would give it: a number that is not a number gives the first
    page, one past the end the last. Its cases carry their referral, practitioner, due facts and
    `has_overdue`; `page.counts["overdue"]` counts the cases with something overdue over all of
    it. One query."""
    today = today or timezone.localdate()
    try:
        number = min(max(1, int(number)), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    overdue_sql, overdue_params = _overdue_sql(today, partner_matters, connection.vendor)
    listed = (
        # The SQL is our own compiled condition (parameters kept apart), not text from a request.
        cases.annotate(has_overdue=RawSQL(overdue_sql, overdue_params, output_field=BooleanField()))  # noqa: S611  # nosec B611
        .order_by()
        .values(*_CASE_COLUMNS, *_REFERRAL_COLUMNS, "practitioner__full_name", "has_overdue")
    )
    compiler = listed.query.get_compiler(connection=connection)
    try:
        listed_sql, listed_params = compiler.as_sql()
    except EmptyResultSet:  # a list that can hold nothing (e.g. cases.none())
        paginator = Paginator((), per_page)
        paginator.count = 0
        return _caseload_page([], 1, paginator, 0, today)
    start = (number - 1) * per_page
    # Only the ORM's compiled SQL (its values bound as parameters) and constants are put in.
    sql = _PAGE_SQL.replace("{listed}", listed_sql).replace("{due_facts}", DUE_FACTS_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*listed_params, per_page, start, start, per_page, per_page])
        # The list's columns as the ORM reads them (SQLite gives dates and times as text).
        rows = list(compiler.results_iter(results=[cursor.fetchall()], tuple_expected=True))
    total = rows[0][-13] if rows else 0
    overdue = rows[0][-12] if rows else 0
    paginator = Paginator((), per_page)
    paginator.count = total
    if start >= total:  # past the end: the last page was given
        number = paginator.num_pages
    return _caseload_page(rows, number, paginator, overdue, today)


def _caseload_page(rows, number: int, paginator: Paginator, overdue: int, today: date) -> Page:
    db = connection.alias
    referral_model = Case._meta.get_field("referral").related_model
    user_model = Case._meta.get_field("practitioner").related_model
    width = len(_CASE_COLUMNS)
    cases = []
    for row in rows:
        case = Case.from_db(db, _CASE_COLUMNS, row[:width])
        reference, first_name, last_name, full_name, has_overdue = row[width : width + 5]
        referral = referral_model.from_db(
            db,
            ("id", "reference", "client_first_name", "client_last_name"),
            (case.referral_id, reference, first_name, last_name),
        )
        Case.referral.field.set_cached_value(case, referral)
        practitioner = user_model.from_db(db, ("id", "full_name"), (case.practitioner_id, full_name))
        Case.practitioner.field.set_cached_value(case, practitioner)
        case.has_overdue = has_overdue
        due_facts_set(case, row[-10:])
        cases.append(case)
    page = Page(cases, number, paginator)
    page.counts = {"overdue": overdue}
    return page


def weeks_open(case: Case, today: date | None = None) -> int:
    today = today or timezone.localdate()
    end = timezone.localtime(case.closed_at).date() if case.closed_at else today
    return (end - timezone.localtime(case.opened_at).date()).days // 7


def case_with_due_facts(*, case: Case) -> Case:
    """The case with its due facts, read once however many parts of a page ask."""
    return case if hasattr(case, "placement_ends_on") else due_facts_attach([case])[0]
