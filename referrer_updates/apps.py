from django.apps import AppConfig


class ReferrerUpdatesConfig(AppConfig):
    name = "referrer_updates"
    verbose_name = "Progress updates to the referrer"

    def ready(self):
        from cases.tabs import case_tab

        from . import (
            rules,
            services,  # noqa: F401  (registers the weekly summary with the sweeper)
        )

        rules.register()  # this app's action in the one permission policy
        case_tab(order=55, text="Weekly summary", url_name="case-weekly-summary", action="case.weekly_summary")
