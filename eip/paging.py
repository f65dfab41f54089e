"""A page of records and the count of them all in one query: the counts ride on each row as
windows over the whole list (PostgreSQL and SQLite compute them before the LIMIT). A plain
Paginator asks the database twice, once to count and once for the page."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Expression, IntegerField, Q, QuerySet, Window

MAX_PAGE = 10**9


class _CountAll(Expression):
    """COUNT(*) OVER (): the rows of the whole list, on each row of the page. Written out, as
    Window(Count("pk")) builds and compiles several expressions on every page shown."""

    contains_over_clause = True  # a window: never in a GROUP BY, never filtered on directly
    output_field = IntegerField()
    identity = ("eip.paging.count_all",)

    def as_sql(self, compiler, connection):
        return "COUNT(*) OVER ()", []

    def get_group_by_cols(self):
        return []


def page_counted(
    queryset: QuerySet, per_page: int, number, counting: dict[str, Q] | None = None, fields: tuple | None = None
) -> Page:
    """What Paginator(queryset, per_page).get_page(number) gives, in one query: a number that
    is not a number (or below 1) gives the first page, one past the end the last. `counting` names
    conditions to count over the whole list too; the page carries them as `page.counts`.
    `fields` (names of columns or annotations): the rows are named tuples of just those,
    cheaper to read than model objects when a page shows a few columns."""
    try:
        # Capped: a page whose rows would start past PostgreSQL's largest offset is past the end anyway.
        number = min(max(1, int(number)), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    counting = counting or {}
    windows = {"listed_in_all": _CountAll()}
    windows.update({f"{name}_in_all": Window(Count("pk", filter=q)) for name, q in counting.items()})
    counted = queryset.annotate(**windows)
    if fields is not None:
        counted = counted.values_list(*fields, *windows, named=True)
    start = (number - 1) * per_page
    rows = list(counted[start : start + per_page])
    paginator = Paginator(counted, per_page)
    if rows or number == 1:
        paginator.count = rows[0].listed_in_all if rows else 0
        page = Page(rows, number, paginator)
    else:  # past the end: count, then the last page (a rare second query)
        page = paginator.get_page(number)
        rows = list(page.object_list)
    page.counts = {name: getattr(rows[0], f"{name}_in_all") if rows else 0 for name in counting}
    return page
