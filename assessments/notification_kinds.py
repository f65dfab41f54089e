"""The notifications this app sends, declared in the one vocabulary (eip.notifications.kinds)."""

from eip.notifications.kinds import EMAIL_REQUIRED, notification_kind_declare
from eip.people.models import Role

from .instruments import Stage


def register():
    for stage in Stage:
        notification_kind_declare(
            f"assessment.{stage}_overdue",
            label=f"{stage.label} assessments are overdue",
            roles={Role.PRACTITIONER},
            options=EMAIL_REQUIRED,
        )
