from django.apps import AppConfig


class ReferrerUpdatesConfig(AppConfig):
    name = "referrer_updates"
    verbose_name = "Progress updates to the referrer"

    def ready(self):
        from cases.tabs import case_tab
        from eip.notifications.kinds import ALWAYS_AT_ONCE, notification_kind_declare
        from eip.people.models import Role

        from . import (
            rules,
            services,  # noqa: F401  (registers the weekly summary with the sweeper)
        )

        rules.register()  # this app's action in the one permission policy
        # E-mailed whenever it is scheduled: the referrer's choice for progress updates decides
        # whether it is (services.referrers_not_emailed), so it has no choice of its own.
        notification_kind_declare(
            services.WEEKLY_SUMMARY,
            label="The weekly summary of a case you referred",
            options=ALWAYS_AT_ONCE,
            roles={Role.SOCIAL_WORKER},
            listed=False,
        )
        case_tab(order=55, text="Weekly summary", url_name="case-weekly-summary", action="case.weekly_summary")
