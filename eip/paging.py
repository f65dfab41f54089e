"""A page of records and the count of them all in one query: the count rides on each row as
a window over the whole list (PostgreSQL and SQLite compute it before the LIMIT). A plain
Paginator asks the database twice, once to count and once for the page."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


def page_counted(queryset: QuerySet, per_page: int, number) -> Page:
    """What Paginator(queryset, per_page).get_page(number) gives, in one query: a number that
    is not a number gives the first page, one past the end the last."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset.annotate(listed_in_all=Window(Count("pk")))[start : start + per_page])
    paginator = Paginator(queryset, per_page)
    if not rows and number > 1:  # past the end: count, then the last page (a rare second query)
        return paginator.get_page(number)
    paginator.count = rows[0].listed_in_all if rows else 0
    return Page(rows, number, paginator)
