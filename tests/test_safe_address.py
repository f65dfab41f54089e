"""The safe-address flag: a flagged partner address is shown nowhere, and changing it needs a
second person's confirmation."""

import pytest
from django.urls import reverse

from eip.people.models import Role
from referrals import services
from referrals.models import AddressChange, PartnerDetails
from tests.factories import UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.django_db
SAFE = "7 Refuge Lane, London"


def partner_page(referral, **typed):
    data = {"version": str(referral.version), "partner-first_name": "Chloe", "partner-lives_with_client": "yes"}
    return {**data, **{f"partner-{name}": value for name, value in typed.items()}}


@pytest.fixture
def flagged(camden):
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    referral = make_referral(
        worker, submit=False, partner={"address": SAFE, "postcode": "E1 7RL", "safe_address": True}
    )
    return worker, referral


def test_a_safe_address_is_not_shown_even_to_those_who_see_the_partner(flagged, client):
    worker, referral = flagged
    client.force_login(worker, backend="eip.people.backends.AccountBackend")
    for page in ("referral-edit", "referral-step"):
        args = [referral.pk] if page == "referral-edit" else [referral.pk, "partner"]
        edit = client.get(reverse(page, args=args)).content.decode()
        assert SAFE not in edit and "E1 7RL" not in edit and "Saved and withheld" in edit
    services.referral_submit(referral=referral, user=worker)
    for viewer in (worker, UserFactory(role=Role.PRACTITIONER), UserFactory(role=Role.SUPERVISOR)):
        client.force_login(viewer, backend="eip.people.backends.AccountBackend")
        page = client.get(reverse("referral-detail", args=[referral.pk])).content.decode()
        assert SAFE not in page and "E1 7RL" not in page and 'data-testid="safe-address"' in page


def test_leaving_a_safe_address_blank_keeps_it(flagged, client):
    worker, referral = flagged
    client.force_login(worker, backend="eip.people.backends.AccountBackend")
    client.post(
        reverse("referral-step", args=[referral.pk, "partner"]),
        partner_page(referral, address="", safe_address="on"),
    )
    partner = PartnerDetails.objects.get(referral=referral)
    assert (partner.address, partner.safe_address) == (SAFE, True)


def test_a_new_safe_address_waits_for_a_second_person(flagged, client):
    worker, referral = flagged
    client.force_login(worker, backend="eip.people.backends.AccountBackend")
    response = client.post(
        reverse("referral-step", args=[referral.pk, "partner"]),
        partner_page(referral, address="9 Other Street", safe_address="on"),
        follow=True,
    )
    assert "waiting for a second person to confirm it" in response.content.decode()
    assert PartnerDetails.objects.get(referral=referral).address == SAFE
    change = AddressChange.objects.get()
    with pytest.raises(services.ReferralError, match="someone other than the person who asked"):
        services.address_change_decide(change=change, user=worker, confirm=True)
    practitioner = UserFactory(role=Role.PRACTITIONER)
    services.address_change_decide(change=change, user=practitioner, confirm=True)
    assert PartnerDetails.objects.get(referral=referral).address == "9 Other Street"
    change.refresh_from_db()
    assert (change.status, change.decided_by) == ("confirmed", practitioner)
