"""Intake duty: who is told about a new referral. Practitioners on duty are; if nobody is,
the supervisors are (they allocate the work and answer for the 3-day acknowledgement), and if
there is no supervisor either, every practitioner, so that a referral is never told to no one."""

from functools import lru_cache

from django.db import connection, transaction
from django.db.models import QuerySet

from eip import access
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.people.cover import away_with_cover, people_covered_by, with_cover
from eip.people.models import Role, User

from .models import IntakeDuty, Referral


def _active(role) -> QuerySet:
    return User.objects.filter(role=role, is_active=True)


def intake_duty_on_duty() -> QuerySet:
    """The active practitioners on intake duty."""
    return _active(Role.PRACTITIONER).filter(intake_duty__isnull=False)


def intake_duty_recipients(*, referral: Referral | None = None) -> list[User]:
    """Who is told about a new referral (and reminded to acknowledge it), in at most three
    queries whatever the number of practitioners (one more for cover). `referral` is for rules
    that depend on it."""
    # A practitioner on duty but away today: the colleague covering them is told instead.
    on_duty = list(intake_duty_on_duty())
    if on_duty:
        return with_cover(on_duty)
    supervisors = list(_active(Role.SUPERVISOR))
    if supervisors:
        return supervisors
    return with_cover(_active(Role.PRACTITIONER))


def intake_duty_includes(*, user: User) -> bool:
    """Whether `user` is among intake_duty_recipients() today, so their diary lists the referrals
    waiting for acknowledgement (what they are reminded of, and no more: at London's scale every
    waiting referral in every practitioner's diary buried their own work). The same answer
    (tests/test_diary.py), asked in one or two short queries in the usual case (someone is on
    duty; whom `user` covers is already known to the request), as every diary asks it."""
    on_duty = set(_on_duty_ids())
    if not on_duty:  # the fallbacks: supervisors, or everyone
        return any(recipient.pk == user.pk for recipient in intake_duty_recipients())
    if on_duty.intersection(people_covered_by(user=user)):
        return True
    return user.pk in on_duty and user.pk not in away_with_cover(ids=[user.pk])


@lru_cache(maxsize=2)
def _on_duty_sql(vendor: str) -> tuple[str, tuple]:
    """intake_duty_on_duty()'s ids, compiled once: building the query cost more than running it."""
    return intake_duty_on_duty().values_list("pk", flat=True).query.sql_with_params()


def _on_duty_ids() -> list[int]:
    sql, params = _on_duty_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [practitioner_id for (practitioner_id,) in cursor.fetchall()]


def referral_practitioners_to_tell(*, referral: Referral) -> list[User]:
    """Who hears about a change to a referral already sent: the practitioner who acknowledged
    it, or else whoever is told about new referrals."""
    if referral.acknowledged_by_id:
        acknowledged_by = User.objects.filter(pk=referral.acknowledged_by_id, is_active=True).first()
        if acknowledged_by:
            return with_cover([acknowledged_by])
    return intake_duty_recipients(referral=referral)


@transaction.atomic
def intake_duty_set(*, practitioner: User, on_duty: bool, user: User) -> bool:
    """Put a practitioner on intake duty or take them off. A practitioner sets their own; a
    supervisor sets anyone's. Returns whether anything changed."""
    access.require(user, "intake_duty.set", practitioner)
    if on_duty:
        _duty, changed = IntakeDuty.objects.get_or_create(practitioner=practitioner, defaults={"set_by": user})
    else:
        changed = bool(IntakeDuty.objects.filter(practitioner=practitioner).delete()[0])
    if changed:
        audit_record(
            actor=user,
            action=AuditEvent.Action.CHANGED,
            record=practitioner,
            detail={"event": "on intake duty" if on_duty else "off intake duty"},
        )
    return changed


def register() -> None:
    access.role_rule("intake_duty.view", {Role.PRACTITIONER, Role.SUPERVISOR})
    access.role_rule("intake_duty.set", {Role.PRACTITIONER, Role.SUPERVISOR})

    @access.object_rule("intake_duty.set")
    def _set_rule(user, practitioner):
        if practitioner.role != Role.PRACTITIONER:
            return False
        return user.role == Role.SUPERVISOR or practitioner.pk == user.pk
