"""The one gate to case records: the cases a user may see, and one case through the policy."""

from django.db.models import Q, QuerySet

from eip import access
from eip.people.cover import people_covered_by
from eip.people.models import Role

from ..models import Case


def case_list_for_user(*, user) -> QuerySet[Case]:
    # Not `person`: only the subject access export reads it, and a join the SQL compiler builds on
    # every case page costs more there than the export's one extra query.
    cases = Case.objects.select_related("referral", "borough", "practitioner", "referrer")
    if user.role == Role.SUPERVISOR:
        return cases
    if user.role == Role.PRACTITIONER:
        # The cases they hold, and those of colleagues away whom they cover today.
        return cases.filter(practitioner_id__in=[user.pk, *people_covered_by(user=user)])
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
    return access.get_for_user(user, action, case_list_for_user(user=user), pk=pk)
