"""The caseload: the cases a user may see, overdue first."""

from django.shortcuts import render
from django.utils import timezone

from eip import access
from eip.audit.services import audit_list_viewed
from eip.people.models import Role

from .. import forms
from ..caseload_page import caseload_filter_fields, caseload_rows
from ..models import Case
from ..selectors import caseload_for_user, caseload_page, due_items


@access.policy("case.list")
def case_list(request):
    user = request.user
    team_view = user.role == Role.SUPERVISOR
    form = forms.CaseloadFilterForm(request.GET or None, show_practitioner=team_view)
    filters = form.cleaned_data if form.is_valid() else {}
    # Open cases unless the user chooses: a search by name or reference (or a closed stage)
    # looks through closed cases too. The social worker's and the borough's lists are a record
    # of every case from their referrals, so they show all.
    status = filters.get("status") or (
        "all"
        if filters.get("search", "").strip()
        or filters.get("stage")
        or user.role in (Role.SOCIAL_WORKER, Role.BOROUGH_SPOC)
        else "open"
    )
    cases = caseload_for_user(
        user=user,
        practitioner=filters.get("practitioner"),
        stage=filters.get("stage", ""),
        search=filters.get("search", ""),
        status=status,
    )
    today = timezone.localdate()
    # Asked of the role, not of each case: the borough SPOC never sees partner matters.
    partner_matters = access.allowed(user, "case.view_partner")
    # Overdue first, and the overdue count over the whole caseload, with the page it shows.
    page = caseload_page(cases, partner_matters=partner_matters, number=request.GET.get("page"), today=today)
    overdue_count = page.counts["overdue"]
    rows = [{"case": case, "due": due_items(case, today, partner_matters=partner_matters)} for case in page.object_list]
    titles = {
        Role.PRACTITIONER: "Your caseload",  # with the cases of colleagues away they cover
        Role.SUPERVISOR: "Team caseload",
        Role.SOCIAL_WORKER: "Cases from your referrals",
        Role.BOROUGH_SPOC: f"Cases in {user.borough.name if user.borough else ''}",
    }
    audit_list_viewed(
        actor=user,
        model=Case,
        ids=[row["case"].pk for row in rows],
        label=f"{titles.get(user.role, 'Cases')}, page {page.number}",
        page="case-list",
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "rows": rows,
            "table_rows": caseload_rows(rows, today=today, team=team_view),
            "page": page,
            "form": form,
            "filter_fields": caseload_filter_fields(form),
            "title": titles.get(user.role, "Cases"),
            "show_practitioner": team_view,
            "query": query.urlencode(),
            "overdue_count": overdue_count,
            "status": status,
            "can_set_absence": access.allowed(user, "absence.view"),
        },
    )
