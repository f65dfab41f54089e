"""The notifications this app sends, declared in the one vocabulary (eip.notifications.kinds)."""

from eip.notifications.kinds import (
    ALWAYS_AT_ONCE,
    DIGEST,
    EMAIL_REQUIRED,
    IMMEDIATE,
    IN_APP,
    notification_kind_declare,
)
from eip.people.models import Role

from .duties import MEETING_REMINDER
from .progress_updates import PROGRESS_UPDATE, PROGRESS_UPDATE_IN_WEEKLY_SUMMARY, WEEKLY

REFERRER = {Role.SOCIAL_WORKER, Role.BOROUGH_SPOC}
SUPERVISORS = {Role.SUPERVISOR}
# Social workers ask for emergency access and hear the answer.
ASKING = {Role.SOCIAL_WORKER}


def register():
    declare = notification_kind_declare
    declare(
        MEETING_REMINDER,
        label="A weekly professionals meeting is overdue",
        roles={Role.PRACTITIONER, *REFERRER},
        options=EMAIL_REQUIRED,
    )
    declare("case.reassigned", label="Cases were reassigned to you", roles={Role.PRACTITIONER})
    declare(
        "cover.arranged", label="You are covering for a colleague", roles={Role.PRACTITIONER}, options=EMAIL_REQUIRED
    )
    # One choice for progress updates: each as it is shared (at once or in the daily e-mail),
    # only in the weekly summary of the case (referrer_updates), or no e-mail at all.
    declare(
        PROGRESS_UPDATE,
        label="A progress update on a case you referred",
        roles=REFERRER,
        options=(IMMEDIATE, DIGEST, WEEKLY, IN_APP),
        option_labels=(
            (IMMEDIATE, "Email me each update straight away, and a weekly summary of each case"),
            (DIGEST, "Include each update in my daily email at 8:30am, and a weekly summary of each case"),
            (WEEKLY, "Only a weekly summary of each case, with its updates (first working day of the week, 9am)"),
            (IN_APP, "Do not email me, not even the weekly summary (show in EIP only)"),
        ),
    )
    declare(
        PROGRESS_UPDATE_IN_WEEKLY_SUMMARY,
        label="A progress update, carried by the weekly summary",
        roles=REFERRER,
        options=(IN_APP,),
        listed=False,
    )
    declare("case.closed", label="A case you referred was closed", roles=REFERRER)
    declare("case.reopened", label="A case was reopened", roles={*SUPERVISORS, *REFERRER})
    # Safeguarding: someone may be at risk now.
    declare(
        "case.risk_escalated",
        label="Risk escalated on a case (safeguarding)",
        roles={Role.PRACTITIONER},
        options=ALWAYS_AT_ONCE,
    )
    declare(
        "case.consent_withdrawn",
        label="Consent withdrawn on a case (safeguarding)",
        roles={Role.PRACTITIONER, *REFERRER},
        options=ALWAYS_AT_ONCE,
    )
    # Emergency access: a supervisor must review it while it matters.
    for code, label in (
        ("case.break_glass_approval", "Emergency access waiting for your approval"),
        ("case.break_glass", "Someone used emergency access to a case"),
        ("case.break_glass_review_overdue", "An emergency access review is overdue"),
    ):
        declare(code, label=label, roles=SUPERVISORS, options=ALWAYS_AT_ONCE)
    declare("case.break_glass_decided", label="Your request for emergency access was decided", roles=ASKING)
    declare(
        "case.break_glass_not_justified",
        label="Your emergency access was found not justified",
        roles=ASKING,
        options=ALWAYS_AT_ONCE,
    )
