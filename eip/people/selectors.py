from django.db.models import QuerySet

from .models import Borough


def borough_directory() -> QuerySet[Borough]:
    return Borough.objects.select_related("spoc", "housing_spoc").order_by("name")


def boroughs_needing_setup() -> QuerySet[Borough]:
    """Boroughs that cannot refer yet: no information sharing agreement or no SPOC."""
    from django.db.models import Q

    return borough_directory().filter(Q(isa_in_place=False) | Q(spoc__isnull=True))
