"""Who may see a diary and plan, move, cancel or record sessions and meetings: registered
with the one permission policy (eip.access) from DiaryConfig.ready()."""

from eip import access
from eip.access import object_rule, role_rule
from eip.people.models import Role

R = Role

ROLES = {
    # A practitioner's own diary; a supervisor's of the team, by practitioner.
    "diary.view": {R.PRACTITIONER, R.SUPERVISOR},
    # Planning and recording the work: practitioners (supervisors read and do not edit).
    "appointment.schedule": {R.PRACTITIONER},
    "appointment.change": {R.PRACTITIONER},
    # The calendar invitation: whoever may read the case (the social worker attends meetings).
    "appointment.view": {R.SOCIAL_WORKER, R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR},
}


def appointment_schedule_rule(user, case) -> bool:
    return case.is_open and access.allowed(user, "case.work", case)


def appointment_change_rule(user, appointment) -> bool:
    return appointment.is_planned and appointment_schedule_rule(user, appointment.case)


def appointment_view_rule(user, appointment) -> bool:
    return access.allowed(user, "case.view", appointment.case)


def register() -> None:
    for action, roles in ROLES.items():
        role_rule(action, roles)
    object_rule("appointment.schedule")(appointment_schedule_rule)
    object_rule("appointment.change")(appointment_change_rule)
    object_rule("appointment.view")(appointment_view_rule)
