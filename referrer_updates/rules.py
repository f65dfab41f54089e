"""Who may read a case's weekly summary: the social worker who referred the case, the
practitioner holding it (or covering) and supervisors; registered with the one permission
policy (eip.access) from ReferrerUpdatesConfig.ready(). Not a borough SPOC nor another social
worker, even one with emergency access: the summary is the referrer's."""

from cases.rules import holds_case
from eip.access import object_rule, role_rule
from eip.people.models import Role

R = Role
ROLES = {"case.weekly_summary": {R.SOCIAL_WORKER, R.PRACTITIONER, R.SUPERVISOR}}


def weekly_summary_rule(user, case) -> bool:
    if user.role == R.SUPERVISOR:
        return True
    if user.role == R.PRACTITIONER:
        return holds_case(user, case)
    return case.referrer_id == user.pk


def register() -> None:
    for action, roles in ROLES.items():
        role_rule(action, roles)
    object_rule("case.weekly_summary")(weekly_summary_rule)
