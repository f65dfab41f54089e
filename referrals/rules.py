"""Who may do what with a referral: registered with the one permission policy (eip.access)
from ReferralsConfig.ready()."""

from eip.access import has_grant, object_rule, role_rule
from eip.people.models import Role

R = Role

ROLES = {
    "referral.create": {R.SOCIAL_WORKER},
    "referral.list": {R.SOCIAL_WORKER, R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR},
    "referral.view": {R.SOCIAL_WORKER, R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR},
    "referral.edit": {R.SOCIAL_WORKER},
    # Partner/victim and children's details: practitioners, supervisors, and the social
    # worker who referred (they wrote them).
    "referral.view_partner": {R.SOCIAL_WORKER, R.PRACTITIONER, R.SUPERVISOR},
    "referral.triage": {R.PRACTITIONER},
    # A change to a safe address needs a second person: a practitioner or supervisor.
    "referral.confirm_address": {R.PRACTITIONER, R.SUPERVISOR},
}


def referral_rule(user, referral) -> bool:
    if user.role in (R.PRACTITIONER, R.SUPERVISOR):
        return referral.status != "draft"
    if user.role == R.BOROUGH_SPOC:
        return referral.borough_id == user.borough_id and referral.status != "draft"
    if user.role == R.SOCIAL_WORKER:
        return has_grant(user, "referrals.view_referral", referral)
    return False


def referral_partner_rule(user, referral) -> bool:
    if user.role == R.BOROUGH_SPOC:
        return False
    return referral_rule(user, referral)


def referral_edit_rule(user, referral) -> bool:
    return referral.status in ("draft", "more_info") and has_grant(user, "referrals.change_referral", referral)


def referral_triage_rule(user, referral) -> bool:
    return referral.status != "draft"


def register() -> None:
    for action, roles in ROLES.items():
        role_rule(action, roles)
    object_rule("referral.view")(referral_rule)
    object_rule("referral.view_partner")(referral_partner_rule)
    object_rule("referral.edit")(referral_edit_rule)
    object_rule("referral.confirm_address")(referral_rule)
    object_rule("referral.triage")(referral_triage_rule)
