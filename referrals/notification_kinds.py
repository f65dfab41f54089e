"""The notifications this app sends, declared in the one vocabulary (eip.notifications.kinds)."""

from eip.notifications.kinds import ALWAYS_AT_ONCE, EMAIL_REQUIRED, notification_kind_declare
from eip.people.models import Role

INTAKE = {Role.PRACTITIONER, Role.SUPERVISOR}
REFERRER = {Role.SOCIAL_WORKER, Role.BOROUGH_SPOC}


def register():
    declare = notification_kind_declare
    declare("referral.new", label="A new referral to acknowledge", roles=INTAKE, options=EMAIL_REQUIRED)
    declare(
        "referral.acknowledgement_due",
        label="A referral is due to be acknowledged",
        roles=INTAKE,
        options=EMAIL_REQUIRED,
    )
    # The 3-working-day deadline has passed: the supervisors must act today.
    declare(
        "referral.acknowledgement_overdue",
        label="A referral was not acknowledged in time",
        roles={Role.SUPERVISOR, Role.PROGRAMME_MANAGER},
        options=ALWAYS_AT_ONCE,
    )
    # Still not acknowledged, a working day later and every working day until it is.
    declare(
        "referral.acknowledgement_still_overdue",
        label="A referral is still not acknowledged (every working day until it is)",
        roles=INTAKE,
        options=EMAIL_REQUIRED,
    )
    declare("referral.more_info_given", label="A referrer answered a request for more information", roles=INTAKE)
    declare("referral.amended", label="A referral was amended", roles=INTAKE)
    declare("referral.withdrawn", label="A referral was withdrawn", roles=INTAKE)
    # A partner's safe address changed: every copy and plan that uses it must follow.
    declare(
        "referral.safe_address_change",
        label="A partner's safe address changed (safeguarding)",
        roles=INTAKE,
        options=ALWAYS_AT_ONCE,
    )
    declare("referral.acknowledged", label="Your referral was acknowledged", roles=REFERRER)
    declare(
        "referral.more_info_requested",
        label="More information is needed about your referral",
        roles=REFERRER,
        options=EMAIL_REQUIRED,
    )
    declare("referral.declined", label="Your referral was declined", roles=REFERRER)
    declare("referral.accepted", label="Your referral was accepted", roles=REFERRER)
    declare("person.merge_proposed", label="Two records of one person proposed for merging", roles={Role.SUPERVISOR})
