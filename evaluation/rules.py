"""Who may see the monitoring report and the evaluator's export: registered with the one
permission policy (eip.access) from EvaluationConfig.ready()."""

from eip.access import role_rule
from eip.people.models import Role

R = Role


def register() -> None:
    # Monitoring: aggregates only. The evaluator gets the anonymised export and nothing else.
    role_rule("report.view", {R.PROGRAMME_MANAGER, R.SUPERVISOR})
    role_rule("evaluation.export", {R.EVALUATOR})
