"""Who may see and record the partner's safety measure: registered with the one permission policy
(eip.access) from PartnerOutcomesConfig.ready()."""

from eip.access import object_rule, role_rule
from eip.people.models import Role

R = Role


def register() -> None:
    from cases.rules import case_partner_rule

    # The partner's own account of their safety: the social worker asks and records it; the
    # supervisor oversees. Not the practitioner, who works with the person causing harm.
    role_rule("partner_outcome.view", {R.SOCIAL_WORKER, R.SUPERVISOR})
    role_rule("partner_outcome.record", {R.SOCIAL_WORKER})
    object_rule("partner_outcome.view")(case_partner_rule)
    object_rule("partner_outcome.record")(case_partner_rule)
