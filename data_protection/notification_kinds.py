"""The notifications this app sends, declared in the one vocabulary (eip.notifications.kinds)."""

from eip.notifications.kinds import EMAIL_REQUIRED, notification_kind_declare
from eip.people.models import Role


def register():
    # A subject access request has a legal deadline.
    notification_kind_declare(
        "case.sar_review",
        label="A subject access response to review",
        roles={Role.SUPERVISOR},
        options=EMAIL_REQUIRED,
    )
    notification_kind_declare(
        "case.sar_reviewed",
        label="Your subject access response was reviewed",
        roles={Role.PRACTITIONER},
    )
