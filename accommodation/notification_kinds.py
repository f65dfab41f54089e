"""The notifications this app sends, declared in the one vocabulary (eip.notifications.kinds)."""

from eip.notifications.kinds import EMAIL_REQUIRED, notification_kind_declare
from eip.people.models import Role

PLACING = {Role.PRACTITIONER, Role.HOUSING_SPOC}


def register():
    declare = notification_kind_declare
    declare(
        "accommodation.requested",
        label="Accommodation requested for a client",
        roles={Role.HOUSING_SPOC},
        options=EMAIL_REQUIRED,
    )
    declare(
        "accommodation.proposed",
        label="A placement waiting for finance approval",
        roles={Role.FINANCE},
        options=EMAIL_REQUIRED,
    )
    declare(
        "accommodation.extension",
        label="A placement extension waiting for a decision",
        roles={Role.FINANCE},
        options=EMAIL_REQUIRED,
    )
    declare("accommodation.approved", label="Finance approved a placement", roles=PLACING)
    declare("accommodation.rejected", label="Finance rejected a placement", roles=PLACING)
    declare("accommodation.ending", label="A placement is about to end", roles=PLACING, options=EMAIL_REQUIRED)
