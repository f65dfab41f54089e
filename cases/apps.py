from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self):
        from eip import outbound
        from eip.demo import demo_loader
        from eip.home import home_panel
        from referrals.services import referral_accepted_may_reopen_case, referral_accepted_opens_case

        from . import (
            duties,  # noqa: F401  (registers the weekly meeting's reminders)
            notification_kinds,
            retention,
            rules,
        )
        from .demo import load_demo_cases
        from .home import case_home_panel
        from .selectors import case_identifiers
        from .services import case_open, case_reopen, reopenable_case_for

        rules.register()  # this app's actions in the one permission policy
        notification_kinds.register()  # the notifications it sends, for people's e-mail choices
        retention.register()
        demo_loader(load_demo_cases)
        home_panel(case_home_panel)
        referral_accepted_opens_case(case_open)
        referral_accepted_may_reopen_case(find=reopenable_case_for, reopen=case_reopen)
        outbound.identifier_source(case_identifiers)
        # What a record is about, for the guard: the referral the case came from.
        outbound.concern_of("cases.Case")(lambda case: [case.referral_id])
        outbound.concern_of("cases.SubjectAccessRequest")(lambda sar: [sar.case.referral_id])
        outbound.concern_of("cases.EmergencyAccess")(lambda grant: [grant.case.referral_id])
