from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "data_protection"
    verbose_name = "Data protection"

    def ready(self):
        from cases.tabs import case_tab

        from . import notification_kinds, rules

        rules.register()  # this app's actions in the one permission policy
        notification_kinds.register()  # the notifications it sends, for people's e-mail choices
        case_tab(order=120, text="Subject access requests", url_name="case-sar", action="sar.view")
