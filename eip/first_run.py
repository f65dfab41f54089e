"""The programme's first run (manage.py eip_setup): the core creates the boroughs and
organisations; each app adds what it needs with first_run_step() from its AppConfig.ready().
A step is safe to run again and returns one line per thing it created or found."""

from collections.abc import Callable

FIRST_RUN_STEPS: list[Callable[[], list[str]]] = []


def first_run_step(step: Callable[[], list[str]]) -> Callable[[], list[str]]:
    FIRST_RUN_STEPS.append(step)
    return step
