"""Retention for temporary accommodation: cleared with its case (registered from
AccommodationConfig.ready())."""

from cases.retention import case_anonymise_also
from eip.retention import retention_fields, text_clear

from .models import AccommodationRequest, Placement, PlacementExtension, ReturnHomeReview


def accommodation_anonymise(case) -> None:
    text_clear(AccommodationRequest.objects.filter(case=case))
    text_clear(Placement.objects.filter(request__case=case))
    text_clear(PlacementExtension.objects.filter(placement__request__case=case))
    text_clear(ReturnHomeReview.objects.filter(placement__request__case=case))


def register() -> None:
    retention_fields(AccommodationRequest, naming=["preferred_area"])
    retention_fields(Placement, required_when_set=["out_of_borough_justification"])
    retention_fields(ReturnHomeReview, required_when_set=["protective_steps"])
    case_anonymise_also(accommodation_anonymise)
