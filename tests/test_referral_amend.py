"""After sending: the social worker changes the referral (the practitioners are told and see a
change log) or withdraws it with a reason, until a decision is made."""

import html

import pytest
from django.urls import reverse

from eip.notifications.models import Notification
from eip.people.models import Role
from referrals import amending, services
from referrals.models import Referral, ReferralChange
from tests.factories import UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def team(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sara Social"),
        "practitioner": UserFactory(role=Role.PRACTITIONER),
        "spoc": UserFactory(role=Role.BOROUGH_SPOC, borough=camden),
    }


def _partner_page(referral):
    """The partner's page as the social worker would send it back, from what is stored."""
    partner = referral.partner
    return {
        "version": str(referral.version),
        "partner-first_name": partner.first_name,
        "partner-last_name": partner.last_name,
        "partner-phone": partner.phone,
        "partner-address": partner.address,
        "partner-postcode": partner.postcode,
        "partner-lives_with_client": partner.lives_with_client,
    }


def _risk_page(referral):
    return {
        "version": str(referral.version),
        "risk_markers": referral.risk_markers,
        "police_involved": referral.police_involved,
        "dash_completed": referral.dash_completed,
        "dash_score": str(referral.dash_score),
    }


def _step(referral, step):
    return reverse("referral-amend-step", args=[referral.pk, step])


def test_the_social_worker_changes_the_partners_phone_and_the_practitioner_sees_the_change_log(client, team):
    referral = make_referral(team["worker"])
    client.force_login(team["worker"], backend="eip.people.backends.AccountBackend")
    assert "Change the referral" in text(client.get(reverse("referral-detail", args=[referral.pk])))
    url = reverse("referral-amend", args=[referral.pk])
    page = text(client.get(url))
    assert "Change referral" in page and f'href="{_step(referral, "partner")}?return=check"' in page
    response = client.post(_step(referral, "partner"), {**_partner_page(referral), "partner-phone": "07700 900999"})
    assert response.status_code == 302 and response.url == url, text(response)[:3000]
    referral.refresh_from_db()
    response = client.post(_step(referral, "risk"), {**_risk_page(referral), "dash_score": "15"})
    assert response.status_code == 302 and response.url == url
    first, second = ReferralChange.objects.filter(referral=referral).order_by("pk")
    assert first.changed_by == second.changed_by == team["worker"]
    assert [(c["field"], c["before"], c["after"]) for c in first.changes + second.changes] == [
        ("Partner's phone number", "07700 900456", "07700 900999"),
        ("DASH score", "9", "15"),
    ]
    referral.refresh_from_db()
    assert referral.partner.phone == "07700 900999" and referral.dash_score == 15
    assert Notification.objects.filter(kind="referral.amended", recipient=team["practitioner"]).count() == 2

    client.force_login(team["practitioner"], backend="eip.people.backends.AccountBackend")
    page = text(client.get(reverse("referral-detail", args=[referral.pk])))
    assert "Changes since it was sent" in page and "Sara Social" in page
    assert "Partner's phone number" in page and "07700 900999" in page
    # The borough SPOC sees the change log without the partner's answers.
    client.force_login(team["spoc"], backend="eip.people.backends.AccountBackend")
    page = text(client.get(reverse("referral-detail", args=[referral.pk])))
    assert "DASH score" in page and "07700 900" not in page.split("Changes since it was sent")[1].split("</table>")[0]


def test_a_change_may_not_leave_out_an_answer_the_referral_needs(client, team):
    referral = make_referral(team["worker"])
    client.force_login(team["worker"], backend="eip.people.backends.AccountBackend")
    response = client.post(_step(referral, "partner"), {**_partner_page(referral), "partner-first_name": ""})
    assert response.status_code == 200 and "Enter the partner's first name" in text(response)
    assert not ReferralChange.objects.exists()


def test_nothing_changed_is_said_beside_the_form_and_nothing_is_logged(client, team):
    referral = make_referral(team["worker"])
    client.force_login(team["worker"], backend="eip.people.backends.AccountBackend")
    response = client.post(_step(referral, "partner"), _partner_page(referral))
    assert response.status_code == 200
    assert "Nothing has changed" in text(response)
    assert not ReferralChange.objects.exists()


def test_a_decided_referral_cannot_be_changed_or_withdrawn(client, team):
    referral = make_referral(team["worker"])
    services.referral_decline(
        referral=referral, user=team["practitioner"], reason="refused", details="", suggested_onward_referrals=""
    )
    client.force_login(team["worker"], backend="eip.people.backends.AccountBackend")
    assert client.get(reverse("referral-amend", args=[referral.pk])).status_code == 404
    assert client.get(reverse("referral-withdraw", args=[referral.pk])).status_code == 404
    with pytest.raises(services.ReferralError, match="can no longer be withdrawn"):
        amending.referral_withdraw(referral=referral, user=team["worker"], reason="Moved away")


def test_withdrawing_needs_a_reason_and_tells_the_practitioners(client, team):
    referral = make_referral(team["worker"])
    client.force_login(team["worker"], backend="eip.people.backends.AccountBackend")
    url = reverse("referral-withdraw", args=[referral.pk])
    refused = client.post(url, {"reason": "  "})
    assert "Say why you are withdrawing the referral" in text(refused)
    client.post(url, {"reason": "The family has moved to Kent"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.WITHDRAWN
    assert referral.withdrawn_reason == "The family has moved to Kent"
    assert Notification.objects.filter(kind="referral.withdrawn", recipient=team["practitioner"]).exists()
    # No reminder to acknowledge a withdrawn referral is left to go out.
    assert not Notification.objects.filter(
        kind="referral.acknowledgement_due", sent_at__isnull=True, cancelled_at__isnull=True
    ).exists()
    client.force_login(team["practitioner"], backend="eip.people.backends.AccountBackend")
    page = text(client.get(reverse("referral-detail", args=[referral.pk])))
    assert "Withdrawn on" in page and "moved to Kent" in page
    assert ">Acknowledge</a>" not in page


def test_a_changed_safe_address_is_never_written_in_the_log(team):
    referral = make_referral(team["worker"])
    partner = referral.partner
    partner.safe_address = True
    partner.save()
    referral = Referral.objects.get(pk=referral.pk)
    partner = referral.partner
    partner.address = "99 Hidden Street"
    change = amending.referral_amend(
        referral=referral, partner=partner, children=[], user=team["worker"], expected_version=referral.version
    )
    logged = str(change.changes)
    assert "Hidden" not in logged and "Example Road" not in logged
