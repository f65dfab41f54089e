"""Demonstration accommodation (`make run`): the case on track in temporary accommodation,
booked by Camden housing and approved by finance. Loaded after the demonstration cases."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from cases.models import Case
from eip.people.models import User

from . import services
from .models import AccommodationRequest


def load_demo_accommodation():
    on_track = Case.objects.filter(referral__client_first_name="Jordan", stage=Case.Stage.INTERVENTION).first()
    if on_track is None or AccommodationRequest.objects.exists():
        return
    practitioner = User.objects.get(email="practitioner@eip.example")
    today = timezone.localdate()
    housing = User.objects.get(email="housing.camden@eip.example")
    finance = User.objects.get(email="finance@eip.example")
    request = services.accommodation_request(
        case=on_track,
        user=practitioner,
        needed_from=today - timedelta(days=10),
        reason="Arguments escalating; the partner wants to stay at home with the children.",
        risks_and_mitigation="Client might return to the home: no-contact agreement and weekly reviews.",
        scenario_planning="If the couple separate: housing options for a private rented room.",
        housing_options_explained=True,
        preferred_area="Kentish Town",
        exclusion_areas="Within a mile of NW5",
    )
    placement = services.placement_propose(
        request=request,
        user=housing,
        provider="Camden Travel Inn",
        kind="hotel_bnb",
        address="10 Example Street, London N1 1AA",
        nightly_rate=Decimal("62.00"),
        fixed_amount=None,
        start_on=today - timedelta(days=10),
        planned_end_on=today + timedelta(days=18),
        distance_miles=Decimal("2.5"),
        out_of_borough=False,
    )
    services.placement_decide(placement=placement, user=finance, approve=True)
