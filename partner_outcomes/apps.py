from django.apps import AppConfig


class PartnerOutcomesConfig(AppConfig):
    name = "partner_outcomes"
    verbose_name = "Partner-reported safety outcomes"
