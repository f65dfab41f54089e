from django.db.models import QuerySet
from django.utils import timezone

from eip import access
from eip.people.models import Role

from .inbox import TABS
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


def referral_counts_for_user(*, user, today=None) -> dict:
    """The numbers a home page leads with, in one query. Those named as the inbox's tabs are
    counted as the tabs list them: the home page leads there."""
    from django.db.models import Count, Q

    today = today or timezone.localdate()
    waiting = Q(status__in=[S.SUBMITTED, S.MORE_INFO])
    return referral_list_for_user(user=user).aggregate(
        overdue=Count("pk", filter=waiting & Q(acknowledged_at__isnull=True, acknowledgement_due__lt=today)),
        to_acknowledge=Count("pk", filter=TABS["to_acknowledge"][1]),
        awaiting_decision=Count("pk", filter=TABS["awaiting_decision"][1]),
        more_info=Count("pk", filter=TABS["more_info"][1]),
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


def referral_identifiers(referrals, keep=None):
    """The partner's details and the client's own (allowed) details on each referral, in
    referral order, for eip.outbound. `referrals`: ids, a query of ids, or None for all.
    Children are recorded by age and plan only, so they have no identifiers here."""
    from eip.outbound import Identifier

    from .models import AddressChange

    rows = _ordered(Referral.objects.values_list(*_COLUMNS), referrals, "pk")
    changes = iter(
        _ordered(
            AddressChange.objects.exclude(status=AddressChange.Status.REJECTED).values_list(
                "partner__referral_id", "address", "postcode"
            ),
            referrals,
            "partner__referral_id",
        )
    )
    pending = next(changes, None)
    for pk, c_first, c_last, c_phone, c_email, c_address, c_postcode, *partner in rows:
        changed = []
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:  # a new address waiting for confirmation is the partner's too
                changed += [("partner", "address", pending[1] or ""), ("partner", "postcode", pending[2] or "")]
            pending = next(changes, None)
        p_first, p_last, p_phone, p_address, p_postcode, p_safe = (v.strip() if v else "" for v in partner)
        if keep is not None and not keep(
            [
                ("name", f"{p_first} {p_last}"),
                ("first_name", p_first),
                ("last_name", p_last),
                ("phone", p_phone),
                ("address", p_address),
                ("postcode", p_postcode),
                ("text", p_safe),
                *((kind, value) for _, kind, value in changed),
            ]
        ):
            continue
        c_last = (c_last or "").strip()
        found = [
            ("client", "name", f"{c_first or ''} {c_last}"),
            ("client", "phone", c_phone),
            ("client", "email", c_email),
            ("client", "address", c_address),
            ("client", "postcode", c_postcode),
            ("partner", "name", f"{p_first} {p_last}" if p_first and p_last else ""),
            # A first name or surname the client shares says nothing about the partner on its own.
            ("partner", "first_name", p_first if p_first.lower() != (c_first or "").strip().lower() else ""),
            ("partner", "last_name", p_last if p_last.lower() != c_last.lower() else ""),
            ("partner", "phone", p_phone),
            ("partner", "address", p_address),
            ("partner", "postcode", p_postcode),
        ]
        for whose, kind, value in found + changed:
            if value and value.strip():
                yield Identifier(pk, whose, kind, value)
        if p_safe:
            yield Identifier(pk, "partner", "text", p_safe, "how to contact the partner safely")
