"""The one gate to case records: the cases a user may see, and one case through the policy."""

from datetime import date
from functools import lru_cache

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.query import get_related_populators
from django.http import Http404
from django.utils import timezone

from eip import access
from eip.people.cover import absences_on, people_covered_by
from eip.people.models import Role

from ..models import Case


def _cases() -> QuerySet[Case]:
    # Not `person`: only the subject access export reads it, and a join the SQL compiler builds on
    # every case page costs more there than the export's one extra query.
    return Case.objects.select_related("referral", "borough", "practitioner", "referrer")


def _holders(user) -> list[int]:
    # The practitioner, and the colleagues away whom they cover today (each once).
    return list(dict.fromkeys([user.pk, *people_covered_by(user=user)]))


def case_list_for_user(*, user) -> QuerySet[Case]:
    cases = _cases()
    if user.role == Role.SUPERVISOR:
        return cases
    if user.role == Role.PRACTITIONER:
        # The cases they hold, and those of colleagues away whom they cover today.
        return cases.filter(practitioner_id__in=_holders(user))
    # Cases opened to this person by emergency access ("break the glass"), while it lasts. Read
    # first, as a short list: OR-ing a subquery into the filter made PostgreSQL scan every case.
    from ..models import EmergencyAccess

    emergency = list(EmergencyAccess.objects.open_to(user).values_list("case_id", flat=True))

    def or_emergency(condition: Q) -> Q:
        return condition | Q(pk__in=emergency) if emergency else condition

    if user.role == Role.BOROUGH_SPOC:
        return cases.filter(or_emergency(Q(borough_id=user.borough_id)))
    if user.role == Role.SOCIAL_WORKER:
        return cases.filter(
            or_emergency(Q(pk__in=access.granted(user, "cases.view_case", Case.objects.all()).values("pk")))
        )
    return cases.none()


def case_get_for_user(*, user, pk, action="case.view") -> Case:
    """The one gate for a case record: 404 unless the policy lets this user see it."""
    if user.role in (Role.SUPERVISOR, Role.PRACTITIONER):
        # What access.get_for_user() does, the case read by the statement compiled once.
        access.require(user, action)
        case = _case_read(user, pk)
        if case is None:
            raise Http404
        access.require(user, action, case)
        return case
    return access.get_for_user(user, action, case_list_for_user(user=user), pk=pk)


# Stand-ins for the values in the statement below, bound afresh on each read.
_PK = -987_654_321
_USER = -987_654_000
_TODAY = date(1900, 1, 1)


@lru_cache(maxsize=16)
def _case_statement(role: str, vendor: str):
    """case_list_for_user(user).filter(pk=pk) for a supervisor or a practitioner, compiled
    once: building and compiling its four joins took longer than running it, on every case
    page. A practitioner's colleagues away whom they cover today are read within it, so a page
    of their own case does not ask for them at all. Each parameter is kept as the value it
    stands for ("pk", "user", "today") or, if fixed, as itself. None if the stand-ins cannot be
    told apart."""
    cases = _cases()
    needed = {"pk"}
    if role == Role.PRACTITIONER:
        needed |= {"user", "today"}
        covered = absences_on(_TODAY).filter(cover_id=_USER, cover__is_active=True).values("practitioner_id")
        cases = cases.filter(Q(practitioner_id=_USER) | Q(practitioner_id__in=covered))
    query = cases.filter(pk=_PK).order_by().query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    # A date parameter is bound as the database adapter has it (text on SQLite).
    stand_ins = {_PK: "pk", _USER: "user", _TODAY: "today", connection.ops.adapt_datefield_value(_TODAY): "today"}
    slots = tuple(
        (stand_ins.get(p) if isinstance(p, int | str | date) and not isinstance(p, bool) else None, p) for p in params
    )
    if {name for name, _ in slots if name} != needed:
        return None
    return query, sql, slots, compiler.select, compiler.klass_info


def _case_read(user, pk) -> Case | None:
    """The case `pk` if it is among the user's (case_list_for_user), read as the ORM would."""
    statement = _case_statement(user.role, connection.vendor)
    if statement is None:
        return case_list_for_user(user=user).filter(pk=pk).first()
    query, sql, slots, select, klass_info = statement
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    values = {"pk": pk, "user": user.pk, "today": connection.ops.adapt_datefield_value(timezone.localdate())}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[name] if name else fixed for name, fixed in slots])
        row = cursor.fetchone()
    if row is None:
        return None
    # The ORM's own row-to-objects steps (ModelIterable), with this thread's connection.
    compiler = query.get_compiler(connection=connection)
    compiler.select, compiler.klass_info, compiler.col_count = select, klass_info, len(select)
    (row,) = compiler.results_iter(results=[[row]])
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    case = Case.from_db(connection.alias, [s[0].target.attname for s in select[start:end]], row[start:end])
    for related in get_related_populators(klass_info, select, connection.alias):
        related.populate(row, case)
    return case
