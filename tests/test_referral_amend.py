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
from tests.test_referral_views import form_data

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


def _sent(referral):
    """The amend form as the social worker would send it back, from what is stored."""
    page_data = form_data(
        version=str(referral.version),
        action="amend",
        team=referral.team,
        client_first_name=referral.client_first_name,
        client_last_name=referral.client_last_name,
        client_date_of_birth_0=str(referral.client_date_of_birth.day),
        client_date_of_birth_1=str(referral.client_date_of_birth.month),
        client_date_of_birth_2=str(referral.client_date_of_birth.year),
        client_gender=referral.client_gender,
        client_ethnicity=referral.client_ethnicity,
        client_first_language=referral.client_first_language,
        client_interpreter_needed=referral.client_interpreter_needed,
        client_phone=referral.client_phone,
        client_address=referral.client_address,
        client_postcode=referral.client_postcode,
        risk_markers=referral.risk_markers,
        police_involved=referral.police_involved,
        dash_completed=referral.dash_completed,
        dash_score=str(referral.dash_score),
        accommodation_may_be_needed=referral.accommodation_may_be_needed,
        client_willingness=referral.client_willingness,
        case_dynamic=referral.case_dynamic,
        **{
            "partner-first_name": referral.partner.first_name,
            "partner-last_name": referral.partner.last_name,
            "partner-phone": referral.partner.phone,
            "partner-address": referral.partner.address,
            "partner-postcode": referral.partner.postcode,
            "partner-lives_with_client": referral.partner.lives_with_client,
            # The page lists the child already recorded (an initial form, as Django renders it).
            "children-INITIAL_FORMS": "1",
            "children-0-age": "6",
            "children-0-plan": "cin",
        },
    )
    return page_data


def test_the_social_worker_changes_the_partners_phone_and_the_practitioner_sees_the_change_log(client, team):
    referral = make_referral(team["worker"])
    client.force_login(team["worker"], backend="django.contrib.auth.backends.ModelBackend")
    assert "Change the referral" in text(client.get(reverse("referral-detail", args=[referral.pk])))
    url = reverse("referral-amend", args=[referral.pk])
    assert "Change referral" in text(client.get(url))
    response = client.post(url, {**_sent(referral), "partner-phone": "07700 900999", "dash_score": "15"})
    assert response.status_code == 302, text(response)[:3000]
    change = ReferralChange.objects.get(referral=referral)
    assert change.changed_by == team["worker"]
    assert {c["field"]: (c["before"], c["after"]) for c in change.changes} == {
        "DASH score": ("9", "15"),
        "Partner's phone number": ("07700 900456", "07700 900999"),
    }
    referral.refresh_from_db()
    assert referral.partner.phone == "07700 900999" and referral.dash_score == 15
    assert Notification.objects.filter(kind="referral.amended", recipient=team["practitioner"]).exists()

    client.force_login(team["practitioner"], backend="django.contrib.auth.backends.ModelBackend")
    page = text(client.get(reverse("referral-detail", args=[referral.pk])))
    assert "Changes since it was sent" in page and "Sara Social" in page
    assert "Partner's phone number" in page and "07700 900999" in page
    # The borough SPOC sees the change log without the partner's answers.
    client.force_login(team["spoc"], backend="django.contrib.auth.backends.ModelBackend")
    page = text(client.get(reverse("referral-detail", args=[referral.pk])))
    assert "DASH score" in page and "07700 900" not in page.split("Changes since it was sent")[1].split("</table>")[0]


def test_nothing_changed_is_said_beside_the_form_and_nothing_is_logged(client, team):
    referral = make_referral(team["worker"])
    client.force_login(team["worker"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("referral-amend", args=[referral.pk]), _sent(referral))
    assert response.status_code == 200
    assert "Nothing has changed" in text(response)
    assert not ReferralChange.objects.exists()


def test_a_decided_referral_cannot_be_changed_or_withdrawn(client, team):
    referral = make_referral(team["worker"])
    services.referral_decline(
        referral=referral, user=team["practitioner"], reason="refused", details="", suggested_onward_referrals=""
    )
    client.force_login(team["worker"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("referral-amend", args=[referral.pk])).status_code == 404
    assert client.get(reverse("referral-withdraw", args=[referral.pk])).status_code == 404
    with pytest.raises(services.ReferralError, match="can no longer be withdrawn"):
        amending.referral_withdraw(referral=referral, user=team["worker"], reason="Moved away")


def test_withdrawing_needs_a_reason_and_tells_the_practitioners(client, team):
    referral = make_referral(team["worker"])
    client.force_login(team["worker"], backend="django.contrib.auth.backends.ModelBackend")
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
    client.force_login(team["practitioner"], backend="django.contrib.auth.backends.ModelBackend")
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
