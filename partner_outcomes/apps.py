from django.apps import AppConfig


class PartnerOutcomesConfig(AppConfig):
    name = "partner_outcomes"
    verbose_name = "Partner-reported safety outcomes"

    def ready(self):
        from . import rules

        rules.register()  # this app's actions in the one permission policy
