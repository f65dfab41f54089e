"""Accommodation money as Camden finance handles it at month end: the fund's phases, money
shown one way, every placement and invoice reachable, commitments that follow reality,
move-on payments, the month's CSV and fund statement, and reminders on working days."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.urls import reverse

from accommodation import services
from accommodation.models import Fund
from eip.money import sterling
from eip.people.models import Role
from tests.accommodation_factories import case_ready_for_accommodation, propose, request_for
from tests.factories import UserFactory


@pytest.fixture
def people(db, camden):
    housing = UserFactory(role=Role.HOUSING_SPOC, borough=camden, full_name="Hana Housing")
    camden.housing_spoc = housing
    camden.save()
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden),
        "practitioner": UserFactory(role=Role.PRACTITIONER),
        "housing": housing,
        "finance": UserFactory(role=Role.FINANCE, full_name="Dana Price"),
        "admin": UserFactory(role=Role.ADMINISTRATOR),
    }


@pytest.fixture
def fund(db):
    Fund.objects.all().delete()
    return Fund.objects.create(name="Phase 1", total=Decimal("14000.00"), places=10)


def approved(people, **propose_args):
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    placement = propose(request_for(case, people["practitioner"]), people["housing"], **propose_args)
    return services.placement_decide(placement=placement, user=people["finance"], approve=True)


# --- money shown one way ------------------------------------------------------------------


def test_sterling_has_thousands_separators_and_pence():
    assert sterling(Decimal("14000")) == "£14,000.00"
    assert sterling(Decimal("1736")) == "£1,736.00"
    assert sterling("12320.5") == "£12,320.50"
    assert sterling(Decimal("-120.5")) == "-£120.50"
    assert sterling(0) == "£0.00"
    assert sterling(None) == ""
    assert engines["django"].from_string("{{ amount|sterling }}").render({"amount": Decimal("1234567.891")}) == (
        "£1,234,567.89"
    )


def test_every_template_shows_money_through_the_one_filter():
    """A pound sign followed by a raw value ('£{{ x }}', '£{{ x|floatformat:2 }}') reads £14000.00."""
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text()
        if "£{{" in text.replace(" ", "") or "£{%" in text.replace(" ", ""):
            offenders.append(str(template))
    assert offenders == []


# --- fund phases --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_existing_fund_is_phase_one_from_the_programme_start(fund):
    assert (fund.starts_on, fund.ends_on) == (date(2020, 8, 1), None)
    assert services.fund_for(date(2021, 3, 1)) == fund
    assert services.active_fund(date(2026, 11, 30)) == fund


@pytest.mark.django_db
def test_a_placement_starting_in_a_past_phase_charges_that_phase_not_todays(people, fund):
    phase_2 = services.fund_phase_open(
        name="Phase 2", starts_on=date(2026, 4, 1), total=Decimal("20000.00"), places=12, user=people["admin"]
    )
    fund.refresh_from_db()
    assert fund.ends_on == date(2026, 3, 31)  # phase 1 closes the day before
    old = approved(people, nights=28)  # starts 1 February 2026: phase 1
    new = approved(people, nights=10, start_on=date(2026, 4, 1), planned_end_on=date(2026, 4, 11))
    assert (old.fund, new.fund) == (fund, phase_2)
    assert services.fund_position(fund)["committed"] == Decimal("1680.00")
    assert services.fund_position(phase_2)["committed"] == Decimal("600.00")
    assert services.fund_position(phase_2)["places_left"] == 11
    # A phase's own cap: phase 1 is full at its cap even though phase 2 has money.
    fund.total = Decimal("2000.00")
    fund.save()
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    late = propose(request_for(case, people["practitioner"]), people["housing"], nightly_rate=Decimal("50"), nights=10)
    with pytest.raises(services.AccommodationError, match="only £320.00 of the £2,000.00 fund remains"):
        services.placement_decide(placement=late, user=people["finance"], approve=True)


@pytest.mark.django_db
def test_a_start_date_no_phase_covers_is_refused_next_to_the_start(people, fund):
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    with pytest.raises(services.AccommodationIncomplete) as refused:
        propose(
            request_for(case, people["practitioner"]),
            people["housing"],
            start_on=date(2020, 7, 1),
            planned_end_on=date(2020, 7, 8),
        )
    assert "No phase of the accommodation fund covers 1 July 2020" in refused.value.errors["start_on"]


@pytest.mark.django_db
def test_a_new_phase_cannot_overlap_or_strand_a_placement(people, fund):
    approved(people, nights=28)  # 1 February to 1 March 2026, charged to phase 1
    with pytest.raises(services.AccommodationIncomplete) as straddles:
        services.fund_phase_open(
            name="Phase 2", starts_on=date(2026, 1, 15), total=Decimal("1"), places=1, user=people["admin"]
        )
    assert "1 placement charged to Phase 1 starts on or after 15 January 2026" in straddles.value.errors["starts_on"]
    with pytest.raises(services.AccommodationIncomplete) as before:
        services.fund_phase_open(
            name="Phase 0", starts_on=date(2019, 1, 1), total=Decimal("1"), places=1, user=people["admin"]
        )
    assert "must start after every other phase" in before.value.errors["starts_on"]
    assert Fund.objects.count() == 1 and Fund.objects.get().ends_on is None


@pytest.mark.django_db
def test_an_administrator_opens_a_phase_in_the_admin(people, fund, client):
    admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    add = reverse("admin:accommodation_fund_add")
    refused = client.post(add, {"name": "Phase 2", "starts_on": "1/1/2019", "total": "20000", "places": "12"})
    assert refused.status_code == 200 and "must start after every other phase" in refused.content.decode()
    response = client.post(add, {"name": "Phase 2", "starts_on": "2027-04-01", "total": "20000", "places": "12"})
    assert response.status_code == 302, response.content.decode()[:3000]
    phase_2 = Fund.objects.get(name="Phase 2")
    assert (phase_2.starts_on, phase_2.total, phase_2.places) == (date(2027, 4, 1), Decimal("20000.00"), 12)
    fund.refresh_from_db()
    assert fund.ends_on == date(2027, 3, 31)
