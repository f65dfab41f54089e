"""The notifications this app sends, declared in the one vocabulary (eip.notifications.kinds)."""

from eip.notifications.kinds import EMAIL_REQUIRED, notification_kind_declare
from eip.people.models import Role

from .services import REMINDER_KIND


def register():
    notification_kind_declare(
        REMINDER_KIND,
        label="A partner's three-month safety follow-up is due",
        roles={Role.SOCIAL_WORKER, Role.BOROUGH_SPOC},
        options=EMAIL_REQUIRED,
    )
