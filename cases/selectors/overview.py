"""What a case's overview reads besides the case: the client card's lists (plan actions,
children, other referrals, live consents) in one query, and a page of the timeline with its
count in another. Hand-written SQL run with bound parameters: on this page, building and
compiling the ORM's five queries cost more than running them, and each was a round trip."""

import json
from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Page, Paginator
from django.db import connection

from eip.db.raw import raw_datetime

from ..models import Case

# One statement, a branch per list, each row tagged with its list and its place in it. The
# branches are put together from these fixed strings only; every value is a parameter.
_PLAN = """
SELECT 'plan', 1, CAST(p.actions AS TEXT), NULL, NULL, NULL
FROM cases_riskplan p
WHERE p.case_id = %s AND p.version = (SELECT MAX(v.version) FROM cases_riskplan v WHERE v.case_id = %s)"""
_CHILDREN = """
SELECT 'child', ROW_NUMBER() OVER (ORDER BY c.age DESC, c.id), CAST(c.age AS TEXT), c.plan, NULL, NULL
FROM referrals_referredchild c WHERE c.referral_id = %s"""
_OTHER_REFERRALS = """
SELECT 'referral', ROW_NUMBER() OVER (ORDER BY r.received_at DESC, r.id DESC), CAST(r.id AS TEXT),
  r.reference, r.status, CAST(r.borough_id AS TEXT)
FROM referrals_referral r WHERE r.person_id = %s AND r.id <> %s AND r.status <> 'draft'"""
_CONSENTS = """
SELECT 'consent', ROW_NUMBER() OVER (ORDER BY n.party, n.given_on DESC), n.party, CAST(n.given_on AS TEXT), NULL, NULL
FROM cases_consent n WHERE n.case_id = %s AND n.withdrawn_on IS NULL"""


@dataclass
class CardFacts:
    plan_actions: list  # the latest plan's actions, as written ([] without a plan)
    children: list[tuple[int, str]]  # (age, plan), oldest first
    other_referrals: list[tuple[int, str, str, int]]  # (id, reference, status, borough id), newest first
    consents: list[tuple[str, date]]  # (party, given on), live only


def case_card_facts(*, case: Case, children: bool) -> CardFacts:
    """The lists on the client card, in one query. The plan and the consents only when the
    case's due facts (case_with_due_facts) found them; the children only when asked (they are
    partner matters)."""
    branches, params = [_OTHER_REFERRALS], [case.person_id, case.referral_id]
    if case.has_plan:
        branches.append(_PLAN)
        params += [case.pk, case.pk]
    if children:
        branches.append(_CHILDREN)
        params.append(case.referral_id)
    if case.client_consent or case.partner_consent:
        branches.append(_CONSENTS)
        params.append(case.pk)
    lists = {"plan": [], "child": [], "referral": [], "consent": []}
    with connection.cursor() as cursor:
        # Only the fixed branches above are joined; the values go as parameters.
        cursor.execute(" UNION ALL ".join(branches), params)
        for kind, place, *values in cursor.fetchall():
            lists[kind].append((int(place), values))
    for rows in lists.values():
        rows.sort(key=lambda row: row[0])
    plan = lists["plan"]
    return CardFacts(
        plan_actions=_json(plan[0][1][0]) if plan else [],
        children=[(int(age), kind) for _, (age, kind, _a, _b) in lists["child"]],
        other_referrals=[
            (int(pk), reference, status, int(borough)) for _, (pk, reference, status, borough) in lists["referral"]
        ],
        consents=[(party, date.fromisoformat(given[:10])) for _, (party, given, _a, _b) in lists["consent"]],
    )


def _json(text):
    return json.loads(text) if isinstance(text, str) else text


_TIMELINE = """
SELECT e.at, e.summary, u.full_name, COUNT(*) OVER ()
FROM cases_caseevent e LEFT OUTER JOIN people_user u ON u.id = e.actor_id
WHERE e.case_id = %s{partner}
ORDER BY e.at DESC, e.id DESC
LIMIT %s OFFSET %s"""
_NOT_PARTNER = " AND NOT e.partner_related"
MAX_PAGE = 10**9


@dataclass
class TimelineEvent:
    at: datetime
    summary: str
    actor_name: str | None  # None: the system


def _timeline_rows(case_id, partner_matters, per_page, start):
    sql = _TIMELINE.format(partner="" if partner_matters else _NOT_PARTNER)
    with connection.cursor() as cursor:
        # Only the fixed partner condition is formatted in; the values go as parameters.
        cursor.execute(sql, [case_id, per_page, start])  # nosec B608
        return cursor.fetchall()


def timeline_page(*, case: Case, partner_matters: bool, number, per_page: int = 30) -> Page:
    """A page of the case's timeline, newest first, and the count of all of it, in one query
    (as eip.paging.page_counted gives): a number that is not a number gives the first page,
    one past the end the last. Without `partner_matters`, events about partner matters are
    left out."""
    try:
        number = min(max(1, int(number)), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    rows = _timeline_rows(case.pk, partner_matters, per_page, (number - 1) * per_page)
    if not rows and number > 1:  # past the end: the last page (a rare second query)
        count = (_timeline_rows(case.pk, partner_matters, 1, 0) or [(None, None, None, 0)])[0][3]
        number = max(1, -(-count // per_page))
        rows = _timeline_rows(case.pk, partner_matters, per_page, (number - 1) * per_page)
    events = [TimelineEvent(raw_datetime(at), summary, name) for at, summary, name, _ in rows]
    paginator = Paginator(events, per_page)
    paginator.count = rows[0][3] if rows else 0
    return Page(events, number, paginator)
