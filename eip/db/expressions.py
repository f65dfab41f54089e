"""ORM conditions compiled to SQL once, for pages that would otherwise build and compile them on
every request (measured: building a dozen subqueries cost more than running them)."""

from django.db import connection
from django.db.models import Exists, Expression, Model


def expressions_sql(model: type[Model], expressions: dict[str, Expression]) -> dict[str, tuple[str, tuple]]:
    """Each expression as SQL over the outer query's row of `model`'s table, with its
    parameters kept apart, for RawSQL. The caller keeps the result (lru_cache) for as long as
    the expressions hold: a day, where they depend on today."""
    query = model._default_manager.annotate(**expressions).query
    compiler = query.get_compiler(connection=connection)
    compiled = {name: compiler.compile(query.annotations[name]) for name in expressions}
    return {name: (sql, tuple(params)) for name, (sql, params) in compiled.items()}


class ExistsEachRow(Exists):
    """EXISTS looked up row by row through the inner table's index: for a few thousand outer rows
    against a large inner table (the cases open in a month, every consultation ever held), where
    PostgreSQL would otherwise join or hash the whole inner table first. A subquery with an
    OFFSET is never flattened or hashed by the planner; OFFSET 0 changes no result."""

    template = "EXISTS(%(subquery)s OFFSET 0)"
