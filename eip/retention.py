"""Data lifecycle: records past their retention period are anonymised (or, for drafts never
sent, deleted) by a scheduled task.

Retention is set per record type in settings (EIP_RETENTION_DAYS). Anonymising keeps what the
monitoring report and the evaluation count — dates, stages, outcomes, borough, team, gender,
ethnicity, month and year of birth, scores and codes — and removes who the people are and
everything written about them: names, contact details, addresses, partner and children's
details, every free-text note, and frozen subject access exports. Past reports give the same
figures afterwards.

This module is the mechanism; each app declares, from its AppConfig.ready(), which of its
fields name or locate someone (retention_fields) and what the policy removes and how
(retention_policy): the core knows no pathway app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import models
from django.utils import timezone

ANONYMISED = "Anonymised"


@dataclass
class _Fields:
    # Short text fields that can name or locate someone; every TextField is cleared as well.
    naming: list[str] = field(default_factory=list)
    # Text fields kept: question wording, not anything about a person.
    keep: set[str] = field(default_factory=set)
    # Text a database constraint requires whenever some other field says so: written text
    # becomes "Anonymised" rather than empty.
    required_when_set: set[str] = field(default_factory=set)
    # Other fields given a fixed value (structured free text, such as a plan's actions).
    values: dict = field(default_factory=dict)


_FIELDS: dict[type[models.Model], _Fields] = {}


@dataclass(frozen=True)
class _Policy:
    due: Callable  # (now) -> QuerySet of what should go now
    apply: Callable  # (now) -> how many records it anonymised or deleted


_POLICIES: dict[str, _Policy] = {}


def retention_fields(model, *, naming=(), keep=(), required_when_set=(), values=None) -> None:
    """Declare how text_clear() treats `model` (see _Fields)."""
    declared = _FIELDS.setdefault(model, _Fields())
    declared.naming += list(naming)
    declared.keep |= set(keep)
    declared.required_when_set |= set(required_when_set)
    declared.values.update(values or {})


def retention_policy(name: str, *, due: Callable, apply: Callable) -> None:
    """Declare one kind of record the nightly task removes (`name` keys its count)."""
    _POLICIES[name] = _Policy(due=due, apply=apply)


def text_clear(queryset: models.QuerySet) -> int:
    """Clear every free-text and naming field of the records in `queryset`."""
    model = queryset.model
    declared = _FIELDS.get(model, _Fields())
    fields = [
        f.name for f in model._meta.concrete_fields if isinstance(f, models.TextField) and f.name not in declared.keep
    ] + declared.naming
    values = {
        name: (
            models.Case(
                models.When(**{name: ""}, then=models.Value("")),
                default=models.Value(ANONYMISED),
                output_field=models.TextField(),
            )
            if name in declared.required_when_set
            else ""
        )
        for name in fields
    }
    values.update(declared.values)
    return queryset.update(**values) if values else 0


def older_than(days: int, now):
    return now - timedelta(days=days)


def retention_due(*, now=None) -> dict[str, models.QuerySet]:
    """What the retention policy says should go now, by record type."""
    now = now or timezone.now()
    return {name: policy.due(now) for name, policy in _POLICIES.items()}


def retention_apply(*, now=None) -> dict[str, int]:
    """Anonymise or delete what is past retention. Safe to run again: what is done is not
    done twice."""
    now = now or timezone.now()
    return {name: policy.apply(now) for name, policy in _POLICIES.items()}
