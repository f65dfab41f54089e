"""Who may see the monitoring report, the evaluator's export and a case's data quality:
registered with the one permission policy (eip.access) from EvaluationConfig.ready()."""

from eip.access import object_rule, role_rule
from eip.people.models import Role

R = Role


def register() -> None:
    from cases.rules import case_rights

    # Monitoring: aggregates only. The evaluator gets the anonymised export and nothing else.
    role_rule("report.view", {R.PROGRAMME_MANAGER, R.SUPERVISOR})
    role_rule("evaluation.export", {R.EVALUATOR})
    # A case's data quality: the practitioner who fills the gaps and the supervisor who checks
    # them. Recording why a case has not started, or an accommodation need, is the practitioner's,
    # after closure too: filling a gap the report will miss is the point.
    role_rule("case_data.view", {R.PRACTITIONER, R.SUPERVISOR})
    role_rule("case_data.record", {R.PRACTITIONER})
    object_rule("case_data.view")(case_rights)
    object_rule("case_data.record")(case_rights)
