"""For the outbound guard: partner-related text on a case (registered in apps.py)."""

from ..models import Case


def case_identifiers(referrals, keep=None):
    """Who supports the partner, for eip.outbound, in referral order."""
    from eip.outbound import Identifier

    cases = Case.objects.exclude(partner_supporter="").values_list("referral_id", "partner_supporter")
    if referrals is None:
        rows = cases.order_by("referral_id").iterator(chunk_size=2000)
    else:
        rows = cases.filter(referral_id__in=referrals).order_by("referral_id")
    for referral_id, supporter in rows:
        if keep is None or keep([("text", supporter)]):
            yield Identifier(referral_id, "partner", "text", supporter, "who supports the partner")
