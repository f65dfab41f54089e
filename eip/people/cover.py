"""Away and cover: while a practitioner is away, the named colleague covering them works their
cases and receives their reminders and intake-duty notifications. Asked by the permission
rules of cases, the intake duty of referrals and the notification sweeper; when the absence
ends (its last day passes, or it is ended early) all of it stops, because each asks for today."""

from collections.abc import Iterable
from datetime import date

from django.db import connections, router
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Absence, User


def absences_on(day: date | None = None) -> QuerySet[Absence]:
    day = day or timezone.localdate()
    return Absence.objects.filter(cancelled_at__isnull=True, starts_on__lte=day, ends_on__gte=day)


def people_covered_by(*, user, day: date | None = None) -> list[int]:
    """The ids of the colleagues `user` covers today. Remembered on the user object (one
    request) since every case rule on a page asks it."""
    day = day or timezone.localdate()
    remembered = user.__dict__.setdefault("_eip_covering", {})
    if day not in remembered:
        connection = connections[router.db_for_read(Absence)]
        with connection.cursor() as cursor:
            on = connection.ops.adapt_datefield_value(day)
            cursor.execute(_COVERED_SQL, [user.pk, on, on])
            remembered[day] = [practitioner_id for (practitioner_id,) in cursor.fetchall()]
    return remembered[day]


# people_covered_by() as SQL: every caseload, case page and diary asks it, and building the
# ORM's query each time cost more than running it. The same rows as
# absences_on(day).filter(cover_id=..., cover__is_active=True), in the same order.
_COVERED_SQL = """
SELECT a.practitioner_id FROM people_absence a INNER JOIN people_user u ON u.id = a.cover_id
WHERE a.cover_id = %s AND u.is_active AND a.cancelled_at IS NULL AND a.starts_on <= %s AND a.ends_on >= %s
ORDER BY a.starts_on, a.id
"""


def away_with_cover(*, ids: Iterable[int], day: date | None = None) -> set[int]:
    """Of the people `ids`, those away today with an active cover: the ids cover_for() gives a
    cover for, as SQL written once (asked on every diary of a practitioner on intake duty)."""
    ids = list(ids)
    if not ids:
        return set()
    day = day or timezone.localdate()
    connection = connections[router.db_for_read(Absence)]
    on = connection.ops.adapt_datefield_value(day)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        # Only placeholders are formatted in; every value is a parameter.
        cursor.execute(_AWAY_WITH_COVER_SQL.format(ids=marks), [*ids, on, on])  # nosec B608
        return {practitioner_id for (practitioner_id,) in cursor.fetchall()}


_AWAY_WITH_COVER_SQL = """
SELECT DISTINCT a.practitioner_id FROM people_absence a INNER JOIN people_user u ON u.id = a.cover_id
WHERE a.practitioner_id IN ({ids}) AND u.is_active AND a.cancelled_at IS NULL AND a.starts_on <= %s AND a.ends_on >= %s
"""


def covers(*, user, practitioner_id: int, day: date | None = None) -> bool:
    return practitioner_id in people_covered_by(user=user, day=day)


def cover_for(*, users: Iterable[User], day: date | None = None) -> dict[int, User]:
    """For each of `users` away today with an active cover: {their id: the cover}. One query."""
    ids = [user.pk for user in users]
    if not ids:
        return {}
    rows = absences_on(day).filter(practitioner_id__in=ids, cover__is_active=True).select_related("cover")
    return {row.practitioner_id: row.cover for row in rows}


def with_cover(users: Iterable[User], day: date | None = None) -> list[User]:
    """`users` with each one away replaced by whoever covers them (each person once)."""
    users = list(users)
    covering = cover_for(users=users, day=day)
    result, seen = [], set()
    for user in users:
        person = covering.get(user.pk, user)
        if person.pk not in seen:
            seen.add(person.pk)
            result.append(person)
    return result


def absences_current_and_planned(*, practitioner=None) -> QuerySet[Absence]:
    today = timezone.localdate()
    rows = Absence.objects.filter(cancelled_at__isnull=True, ends_on__gte=today).select_related(
        "practitioner", "cover", "set_by"
    )
    return rows.filter(Q(practitioner=practitioner) | Q(cover=practitioner)) if practitioner is not None else rows
