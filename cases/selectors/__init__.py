"""Reading cases: the access gate for one case (gate), the caseload with what is due
(caseload), emergency access (emergency_access) and the outbound guard's identifiers. This is
the public list other apps and tests use."""

from .caseload import (
    DUE_FACTS_COLUMNS,
    case_with_due_facts,
    caseload_for_user,
    caseload_page,
    due_facts_attach,
    due_facts_set,
    due_items,
    overdue_condition,
    weeks_open,
)
from .drafts import case_draft_for
from .emergency_access import (
    emergency_access_activity,
    emergency_access_case,
    emergency_access_counts,
    emergency_access_queue,
)
from .gate import case_get_for_user, case_list_for_user
from .identifiers import case_identifiers

__all__ = [
    "DUE_FACTS_COLUMNS",
    "case_draft_for",
    "case_get_for_user",
    "case_identifiers",
    "case_list_for_user",
    "case_with_due_facts",
    "caseload_for_user",
    "caseload_page",
    "due_facts_attach",
    "due_facts_set",
    "due_items",
    "emergency_access_activity",
    "emergency_access_case",
    "emergency_access_counts",
    "emergency_access_queue",
    "overdue_condition",
    "weeks_open",
]
