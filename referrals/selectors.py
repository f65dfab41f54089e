from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from eip import access
from eip.people.models import Role

from .models import Referral

S = Referral.Status


def referral_list_for_user(*, user) -> QuerySet[Referral]:
    """The referrals this user may see, as the policy allows. Drafts are the referrer's own."""
    referrals = Referral.objects.select_related("borough", "referrer")
    if user.role in (Role.PRACTITIONER, Role.SUPERVISOR):
        return referrals.exclude(status=S.DRAFT)
    if user.role == Role.BOROUGH_SPOC:
        return referrals.filter(borough_id=user.borough_id).exclude(status=S.DRAFT)
    if user.role == Role.SOCIAL_WORKER:
        return access.granted(user, "referrals.view_referral", referrals)
    return referrals.none()


def referral_inbox(*, user, today=None) -> QuerySet[Referral]:
    """The practitioners' inbox: referrals waiting for a decision, overdue acknowledgements
    first, then unacknowledged ones by due date, then the rest oldest first."""
    today = today or timezone.localdate()
    return (
        referral_list_for_user(user=user)
        .filter(status__in=[S.SUBMITTED, S.MORE_INFO, S.ACKNOWLEDGED])
        .annotate(
            priority=Case(
                When(acknowledged_at__isnull=True, acknowledgement_due__lt=today, then=Value(0)),
                When(acknowledged_at__isnull=True, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("priority", "acknowledgement_due", "received_at")
    )


def referral_counts_for_user(*, user, today=None) -> dict:
    """The numbers a home page leads with, in one query."""
    from django.db.models import Count, Q

    today = today or timezone.localdate()
    waiting = Q(status__in=[S.SUBMITTED, S.MORE_INFO])
    return referral_list_for_user(user=user).aggregate(
        overdue=Count("pk", filter=waiting & Q(acknowledged_at__isnull=True, acknowledgement_due__lt=today)),
        to_acknowledge=Count("pk", filter=waiting & Q(acknowledged_at__isnull=True)),
        awaiting_decision=Count("pk", filter=Q(status__in=[S.SUBMITTED, S.MORE_INFO, S.ACKNOWLEDGED])),
        more_info=Count("pk", filter=Q(status=S.MORE_INFO)),
        drafts=Count("pk", filter=Q(status=S.DRAFT)),
    )
