"""Factories for referrals: a complete submitted referral in one call."""

from datetime import date

from django.utils import timezone

from referrals import services
from referrals.models import PartnerDetails, Referral, ReferredChild
from tests import message_scan

COMPLETE = dict(
    team="child_in_need",
    client_first_name="Daniel",
    client_last_name="Hughes",
    client_date_of_birth=date(1987, 5, 14),
    client_gender="man",
    client_ethnicity="white_british",
    client_first_language="English",
    client_interpreter_needed="no",
    client_phone="07700 900123",
    client_address="12 Example Road, London",
    client_postcode="NW1 0AA",
    risk_markers=["verbal_arguments", "controlling"],
    police_involved="no",
    dash_completed="yes",
    dash_score=9,
    accommodation_may_be_needed="yes",
    client_willingness="willing",
    case_dynamic="Escalating arguments over child contact; partner frightened.",
)
PARTNER = dict(
    first_name="Chloe",
    last_name="Hughes",
    phone="07700 900456",
    address="12 Example Road, London",
    postcode="NW1 0AA",
    lives_with_client="yes",
)


def make_referral(referrer, *, submit=True, now=None, partner=None, **fields):
    referral = services.referral_create(referrer=referrer)
    for name, value in {**COMPLETE, **fields}.items():
        setattr(referral, name, value)
    partner_details = PartnerDetails.objects.get(referral=referral)
    for name, value in {**PARTNER, **(partner or {})}.items():
        setattr(partner_details, name, value)
    services.referral_save(
        referral=referral,
        partner=partner_details,
        children=[ReferredChild(age=6, plan="cin")],
        user=referrer,
        expected_version=referral.version,
    )
    # The partner's details are canaries: no e-mail or text the suite sends may carry them.
    message_scan.register_partner(
        first_name=partner_details.first_name,
        last_name=partner_details.last_name,
        phone=partner_details.phone,
        address=partner_details.address,
        postcode=partner_details.postcode,
        date_of_birth=partner_details.date_of_birth,
    )
    if submit:
        services.referral_submit(referral=referral, user=referrer, now=now or timezone.now())
    return Referral.objects.get(pk=referral.pk)


def make_case(referrer, practitioner, **fields):
    """A referral taken all the way to an open case awaiting consultation."""
    referral = make_referral(referrer, **fields)
    services.referral_acknowledge(referral=referral, user=practitioner, consultation_timeline="Soon")
    services.referral_link_person(referral=referral, user=practitioner, person=None)
    return services.referral_accept(referral=referral, user=practitioner)


def referral_fill_pages(client, answers: dict) -> str:
    """Answer the referral's question pages in turn with a test client, as a social worker's
    browser would (each page reads only its own questions). Returns "Check your answers"."""
    import re

    from django.urls import reverse

    form = {key: value for key, value in answers.items() if key not in ("version", "action")}
    response = client.post(reverse("referral-new"), form)
    for _page in range(12):
        assert response.status_code == 302, response.content.decode()[:3000]
        if response.url.rstrip("/").endswith("/edit"):
            return response.url
        version = re.search(r'name="version" value="(\d+)"', client.get(response.url).content.decode()).group(1)
        response = client.post(response.url, {**form, "version": version})
    raise AssertionError("the referral's pages never reached Check your answers")
