"""The accommodation panels of the home page (registered from AccommodationConfig.ready())."""

from django.utils import timezone

from eip import access
from eip.people.models import Role

from .models import AccommodationRequest, Fund, Placement
from .services import fund_position


def accommodation_home_panel(user) -> dict:
    context = {}
    if user.role == Role.HOUSING_SPOC:
        context["housing_waiting"] = AccommodationRequest.objects.filter(
            borough_id=user.borough_id, status="requested"
        ).count()
    if access.allowed(user, "fund.view"):
        fund = Fund.objects.covering(timezone.localdate()).first()
        if fund is not None:
            context["fund"] = fund
            context["fund_position"] = fund_position(fund)
            context["placements_waiting"] = Placement.objects.filter(status="proposed").count()
    return context
