"""In Chromium: the outbound guard's refusal page, and the reviewing supervisor's view of a
subject access export with each withheld span highlighted with its reason. Both pass axe-core
and the Content-Security-Policy; neither shows the withheld values."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from accommodation import services as accommodation_services
from accommodation.models import Fund
from cases import services
from cases.models import Case
from data_protection import services as sar_services
from eip.people.models import Role
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.outbound_guard]

PARTNER = {
    "first_name": "Zephyrine",
    "last_name": "Quillfeather",
    "phone": "07700 900999",
    "address": "7 Larkspur Road, London",
    "postcode": "ZZ9 9ZZ",
    "lives_with_client": "no",
}


@pytest.mark.document_scan
def test_housing_is_told_plainly_why_an_agreement_was_not_released(browser):
    Fund.objects.all().delete()
    Fund.objects.create(name="Phase 1", total=Decimal("14000"), places=10)
    camden = BoroughFactory(name="Camden", code="camden")
    housing = UserFactory(role=Role.HOUSING_SPOC, borough=camden, full_name="Sam Housing")
    camden.housing_spoc = housing
    camden.save()
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER)
    UserFactory(role=Role.SUPERVISOR)
    case = make_case(worker, practitioner, partner=PARTNER)
    Case.objects.filter(pk=case.pk).update(stage="intervention", intervention_started_on=date(2026, 1, 6))
    for party in ("client", "partner"):
        services.consent_record(
            case=case,
            user=worker,
            party=party,
            given_on=date(2026, 1, 5),
            method="written",
            obtained_by="SW",
            sharing="Practitioner",
        )
    request = accommodation_services.accommodation_request(
        case=case,
        user=practitioner,
        needed_from=date(2026, 2, 1),
        reason="R",
        risks_and_mitigation="R",
        scenario_planning="S",
        housing_options_explained=True,
        preferred_area="",
        exclusion_areas="Near the home",
    )
    placement = accommodation_services.placement_propose(
        request=request,
        user=housing,
        provider="Hotel",
        kind="hotel_bnb",
        # Typed by hand: the partner's street, abbreviated.
        address="Room 4, 9 Larkspur Rd, London",
        nightly_rate=Decimal("60"),
        fixed_amount=None,
        start_on=date(2026, 2, 1),
        planned_end_on=date(2026, 2, 20),
        distance_miles=Decimal("2"),
        out_of_borough=False,
    )
    accommodation_services.placement_decide(placement=placement, user=UserFactory(role=Role.FINANCE), approve=True)

    browser.sign_in(housing.email)
    browser.go(f"/housing/requests/{request.pk}/")
    browser.submit_and_wait(browser.driver.find_element(By.PARTIAL_LINK_TEXT, "agreement (PDF)").click)
    assert browser.heading() == "This document was not released"
    found = browser.driver.find_element(By.CSS_SELECTOR, "[data-testid=outbound-found]").text
    assert found == "The partner's street, in “Accommodation” under “The placement”"
    assert "Larkspur" not in browser.text() and "Zephyrine" not in browser.text()
    browser.assert_accessible()
    browser.screenshot("outbound-refused")


@pytest.mark.document_scan
def test_the_reviewer_sees_each_withheld_span_highlighted_with_its_reason(browser):
    camden = BoroughFactory(name="Camden", code="camden")
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER)
    supervisor = UserFactory(role=Role.SUPERVISOR)
    case = make_case(worker, practitioner, partner=PARTNER)
    Case.objects.filter(pk=case.pk).update(stage="intervention", intervention_started_on=timezone.localdate())
    services.session_record(
        case=case,
        user=practitioner,
        held_on=timezone.localdate(),
        modality="video",
        duration_minutes=50,
        attendance="attended",
        topics=["communication"],
        notes="Practised time-outs. Drove past Larkspur Rd; rang +44 7700 900999 and his sister on 020 7946 0018.",
    )
    sar = sar_services.subject_access_request_prepare(case=case, user=practitioner, received_on=timezone.localdate())

    browser.sign_in(supervisor.email)
    browser.go(f"/cases/{case.pk}/subject-access/{sar.pk}/review/")
    marks = [m.text for m in browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid=withheld-span]")]
    assert marks == [
        "[withheld: the partner's street]",
        "[withheld: the partner's phone number]",
        "[withheld: a phone number that is not the client's]",
    ]
    text = browser.text()
    assert "Practised time-outs" in text and "Larkspur" not in text and "7700 900999" not in text
    browser.assert_accessible()
    browser.screenshot("sar-review-withheld")
