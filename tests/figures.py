"""Security figures the suite counts as it runs, printed at the end of every run
(conftest.pytest_terminal_summary) so the README's figures can be checked against it."""

from collections import Counter

FIGURES: Counter = Counter()


def count(what: str, n: int = 1) -> None:
    FIGURES[what] += n
