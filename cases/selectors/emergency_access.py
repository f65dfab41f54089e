"""Reading emergency access ("break the glass"): the case one may ask for, the supervisors'
queue and counts, and what was opened while access lasted."""

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Case, isa_in_force


def emergency_access_case(*, user, case_number) -> Case | None:
    """The case `user` may ask emergency access to under this number, or None: it must be in
    their own borough, and that borough's information sharing agreement in force today. One
    query whatever the reason it may not be (no such case, another borough, no agreement), so
    neither the answer nor its cost tells them which."""
    return (
        Case.objects.select_related("referral", "borough")
        .filter(isa_in_force("borough__", timezone.localdate()), pk=case_number, borough_id=user.borough_id)
        .first()
    )


def emergency_access_queue(*, recent: int = 20) -> dict:
    """The supervisors' queue: requests waiting for approval, grants waiting for review (the
    longest overdue first) and the latest decided."""
    from ..models import EmergencyAccess

    rows = EmergencyAccess.objects.select_related("case__referral", "case__borough", "user__borough")
    S = EmergencyAccess.Status
    today = timezone.localdate()
    to_review = list(rows.filter(status=S.GRANTED, reviewed_at__isnull=True).order_by("review_due_on", "granted_at"))
    for row in to_review:
        row.overdue = row.review_overdue(today)
    return {
        "waiting": list(rows.filter(status=S.WAITING).order_by("requested_at")),
        "to_review": to_review,
        "decided": list(
            rows.select_related("reviewed_by", "decided_by")
            .filter(Q(reviewed_at__isnull=False) | Q(status=S.REFUSED))
            .order_by(Coalesce("reviewed_at", "decided_at").desc(), "-pk")[:recent]
        ),
    }


def emergency_access_counts() -> dict:
    """For a supervisor's home page: what waits for them."""
    from ..models import EmergencyAccess

    S = EmergencyAccess.Status
    to_review = EmergencyAccess.objects.filter(status=S.GRANTED, reviewed_at__isnull=True)
    return {
        "waiting": EmergencyAccess.objects.filter(status=S.WAITING).count(),
        "to_review": to_review.count(),
        "overdue": to_review.filter(review_due_on__lt=timezone.localdate()).count(),
    }


def emergency_access_activity(*, emergency_access):
    """What the person opened on the case while the access lasted, from the audit trail."""
    from eip.audit.models import AuditEvent

    row = emergency_access
    if row.granted_at is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(
        actor_id=row.user_id,
        action=AuditEvent.Action.VIEWED,
        record_type=Case._meta.label_lower,
        record_id=str(row.case_id),
        at__gte=row.granted_at,
        at__lte=min(row.expires_at, timezone.now()),
    ).order_by("at", "pk")
