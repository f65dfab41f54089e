"""The weekly summary of a case: the page the referrer's weekly e-mail links to. Read through
the one gate (case.weekly_summary) and audited like every case page."""

from datetime import date, timedelta

from django.utils import timezone

from cases.views.shell import case_for_page, case_page_render
from eip import access

from .summary import week_start, weekly_summary


def _week_asked(request, *, first: date, current: date) -> date:
    """The week in ?week= (any day of it), kept between the case's first week and this one;
    this week when none, or none that makes sense, is asked for."""
    try:
        asked = week_start(date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        return current
    return min(max(asked, first), current)


@access.policy("case.weekly_summary")
def case_weekly_summary(request, pk):
    case = case_for_page(request, pk, "case.weekly_summary")
    current = week_start(timezone.localdate())
    first = week_start(timezone.localtime(case.opened_at).date())
    week = _week_asked(request, first=first, current=current)
    summary = weekly_summary(
        case=case, week=week, partner_matters=access.allowed(request.user, "case.view_partner", case)
    )
    return case_page_render(
        request,
        case,
        "referrer_updates/weekly_summary.html",
        "case-weekly-summary",
        summary=summary,
        this_week=week == current,
        earlier=week - timedelta(days=7) if week > first else None,
        later=week + timedelta(days=7) if week < current else None,
    )
