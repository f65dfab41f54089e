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


# --- the outbound guard: the identifiers a referral holds (registered in apps.py) ----------------

_CLIENT = (
    ("name", None),
    ("first_name", "client_first_name"),
    ("last_name", "client_last_name"),
    ("phone", "client_phone"),
    ("email", "client_email"),
    ("address", "client_address"),
    ("postcode", "client_postcode"),
)
_PARTNER = (
    ("name", None),
    ("first_name", "partner__first_name"),
    ("last_name", "partner__last_name"),
    ("phone", "partner__phone"),
    ("address", "partner__address"),
    ("postcode", "partner__postcode"),
    ("text", "partner__safe_contact"),
)
_COLUMNS = ["pk", *(c for _, c in _CLIENT if c), *(c for _, c in _PARTNER if c)]


def _ordered(queryset, referrals, field):
    if referrals is None:
        return queryset.order_by(field).iterator(chunk_size=2000)
    return queryset.filter(**{f"{field}__in": referrals}).order_by(field)


def referral_identifiers(referrals):
    """The partner's details and the client's own (allowed) details on each referral, in
    referral order, for eip.outbound. `referrals`: ids, a query of ids, or None for all.
    Children are recorded by age and plan only, so they have no identifiers here."""
    from eip.outbound import Identifier

    from .models import AddressChange

    rows = _ordered(Referral.objects.values_list(*_COLUMNS), referrals, "pk")
    changes = _ordered(
        AddressChange.objects.exclude(status=AddressChange.Status.REJECTED).values_list(
            "partner__referral_id", "address", "postcode"
        ),
        referrals,
        "partner__referral_id",
    )
    pending = next(iter_changes := iter(changes), None)
    for row in rows:
        values = dict(zip(_COLUMNS, row, strict=True))
        pk = values["pk"]
        client_last = (values["client_last_name"] or "").strip()
        yield Identifier(pk, "client", "name", f"{values['client_first_name']} {client_last}")
        for kind, column in _CLIENT[1:]:
            yield Identifier(pk, "client", kind, values[column] or "")
        first, last = (values["partner__first_name"] or "").strip(), (values["partner__last_name"] or "").strip()
        if first and last:
            yield Identifier(pk, "partner", "name", f"{first} {last}")
        yield Identifier(pk, "partner", "first_name", first)
        # A surname the client shares says nothing about the partner on its own.
        if last.lower() != client_last.lower():
            yield Identifier(pk, "partner", "last_name", last)
        yield Identifier(pk, "partner", "phone", values["partner__phone"] or "")
        yield Identifier(pk, "partner", "address", values["partner__address"] or "")
        yield Identifier(pk, "partner", "postcode", values["partner__postcode"] or "")
        yield Identifier(
            pk, "partner", "text", values["partner__safe_contact"] or "", "how to contact the partner safely"
        )
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:  # a new address waiting for confirmation is the partner's too
                yield Identifier(pk, "partner", "address", pending[1] or "")
                yield Identifier(pk, "partner", "postcode", pending[2] or "")
            pending = next(iter_changes, None)
