"""Who may do what with a client's subject access request: registered with the one
permission policy (eip.access) from DataProtectionConfig.ready()."""

from cases.rules import case_rights, case_work_rule
from eip.access import object_rule, role_rule
from eip.people.models import Role

R = Role

ROLES = {
    # Subject access requests: a practitioner prepares the client's export (third-party data
    # withheld), a supervisor who did not prepare it reviews it, then it is released. The
    # supervisor reads it before approving; the practitioner downloads it only once approved.
    "sar.view": {R.PRACTITIONER, R.SUPERVISOR},
    "sar.prepare": {R.PRACTITIONER},
    "sar.review": {R.SUPERVISOR},
    "sar.release": {R.PRACTITIONER, R.SUPERVISOR},
    "sar.download": {R.PRACTITIONER, R.SUPERVISOR},
}


def sar_review_rule(user, sar) -> bool:
    return True  # any supervisor; the service refuses the one who prepared it


def sar_release_rule(user, sar) -> bool:
    return True  # the service refuses anything not approved by a second person


def sar_download_rule(user, sar) -> bool:
    if user.role == R.SUPERVISOR:
        return True  # reads it before approving
    return sar.status in ("approved", "released")


def register() -> None:
    for action, roles in ROLES.items():
        role_rule(action, roles)
    object_rule("sar.view")(case_rights)
    object_rule("sar.prepare")(case_work_rule)  # the same team-wide rule as recording the work
    object_rule("sar.review")(sar_review_rule)
    object_rule("sar.release")(sar_release_rule)
    object_rule("sar.download")(sar_download_rule)
