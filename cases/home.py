"""The case panels of the home page (registered from CasesConfig.ready())."""

from eip import access
from eip.people.models import Role

from .selectors import caseload_for_user, due_items, emergency_access_counts


def case_home_panel(user) -> dict:
    context = {}
    if access.allowed(user, "emergency_access.review"):
        context["emergency_access"] = emergency_access_counts()
    if user.role == Role.PRACTITIONER:
        caseload = list(caseload_for_user(user=user))
        context["open_cases"] = len(caseload)
        context["cases_overdue"] = sum(1 for case in caseload if any(i.overdue for i in due_items(case)))
    return context
