from django.apps import AppConfig


class PartnerOutcomesConfig(AppConfig):
    name = "partner_outcomes"
    verbose_name = "Partner-reported safety outcomes"

    def ready(self):
        from cases.tabs import case_tab

        from . import notification_kinds, rules

        rules.register()  # this app's actions in the one permission policy
        notification_kinds.register()  # the notifications it sends, for people's e-mail choices
        case_tab(order=105, text="Partner's safety", url_name="case-partner-outcomes", action="partner_outcome.view")
