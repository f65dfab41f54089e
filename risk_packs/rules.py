"""Who may produce a case's MARAC referral and IDVA handover summaries: registered with the one
permission policy (eip.access) from RiskPacksConfig.ready()."""

from cases.rules import case_rights
from eip.access import object_rule, role_rule
from eip.people.models import Role

R = Role

ROLES = {
    # The packs name the partner, where they live and how to reach them safely: the practitioner
    # holding the case sends them to MARAC or the IDVA service; supervisors may produce them too.
    # Never the social worker (who refers to MARAC through their own service), the borough SPOC,
    # housing, finance, the programme manager, the evaluator or an administrator; emergency access
    # never opens them.
    "risk_pack.download": {R.PRACTITIONER, R.SUPERVISOR},
}


def register() -> None:
    for action, roles in ROLES.items():
        role_rule(action, roles)
    object_rule("risk_pack.download")(case_rights)
