from django.apps import AppConfig


class AccommodationConfig(AppConfig):
    name = "accommodation"
    verbose_name = "Temporary accommodation"

    def ready(self):
        from eip import outbound

        from .models import Placement

        # What a record is about, for the guard: the referral its case came from.
        outbound.concern_of("accommodation.AccommodationRequest")(lambda request: [request.case.referral_id])
        outbound.concern_of("accommodation.Placement")(
            lambda placement: Placement.objects.filter(pk=placement.pk).values_list(
                "request__case__referral_id", flat=True
            )
        )
