from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        from eip import outbound

        from .selectors import referral_identifiers

        # The partner's details live on the referral: every output about it is checked against them.
        outbound.identifier_source(referral_identifiers)
        outbound.concern_of("referrals.Referral")(lambda referral: [referral.pk])
