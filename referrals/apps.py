from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        from eip import outbound
        from eip.demo import demo_loader
        from eip.home import home_panel

        from . import retention, rules
        from .demo import load_demo_referrals
        from .home import referral_home_panel
        from .selectors import referral_identifiers

        rules.register()  # this app's actions in the one permission policy
        retention.register()
        demo_loader(load_demo_referrals)
        home_panel(referral_home_panel)
        # The partner's details live on the referral: every output about it is checked against them.
        outbound.identifier_source(referral_identifiers)
        outbound.concern_of("referrals.Referral")(lambda referral: [referral.pk])
