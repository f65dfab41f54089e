"""Who may see and record assessments: registered with the one permission policy
(eip.access) from AssessmentsConfig.ready()."""

from cases.rules import case_rights
from eip.access import object_rule, role_rule
from eip.people.models import Role

from .instruments import Instrument

R = Role

ROLES = {
    # Assessments: clinical detail, never for borough SPOCs, housing or finance.
    "assessment.view": {R.SOCIAL_WORKER, R.PRACTITIONER, R.SUPERVISOR},
    "assessment.record": {R.PRACTITIONER},
    # The DASH is usually completed by the social worker with the partner.
    "assessment.record_dash": {R.SOCIAL_WORKER, R.PRACTITIONER},
}


def record_action(instrument) -> str:
    """The action that records `instrument`: the DASH is often completed by the social worker
    with the partner."""
    return "assessment.record_dash" if instrument == Instrument.DASH else "assessment.record"


def assessment_record_rule(user, case) -> bool:
    return case.is_open


def assessment_dash_rule(user, case) -> bool:
    return case.is_open and case_rights(user, case)


def register() -> None:
    for action, roles in ROLES.items():
        role_rule(action, roles)
    object_rule("assessment.view")(case_rights)
    object_rule("assessment.record")(assessment_record_rule)
    object_rule("assessment.record_dash")(assessment_dash_rule)
