from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self):
        from eip import outbound

        from . import duties  # noqa: F401  (registers the weekly meeting's reminders)
        from .selectors import case_identifiers

        outbound.identifier_source(case_identifiers)
        # What a record is about, for the guard: the referral the case came from.
        outbound.concern_of("cases.Case")(lambda case: [case.referral_id])
        outbound.concern_of("cases.SubjectAccessRequest")(lambda sar: [sar.case.referral_id])
        outbound.concern_of("cases.EmergencyAccess")(lambda grant: [grant.case.referral_id])
