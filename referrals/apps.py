from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        from eip import access, outbound
        from eip.demo import demo_loader
        from eip.home import home_panel
        from eip.people.models import Role

        from . import (
            duties,  # noqa: F401  (registers the daily reminder of an overdue acknowledgement)
            duty,
            notification_kinds,
            retention,
            rules,
        )
        from .demo import load_demo_referrals
        from .home import referral_home_panel
        from .models import Referral
        from .selectors import referral_identifiers

        rules.register()  # this app's actions in the one permission policy
        notification_kinds.register()  # the notifications it sends, for people's e-mail choices
        retention.register()
        duty.register()  # who sets intake duty
        demo_loader(load_demo_referrals)
        home_panel(referral_home_panel)
        # The partner's details live on the referral: every output about it is checked against them.
        outbound.identifier_source(referral_identifiers)
        outbound.concern_of("referrals.Referral")(lambda referral: [referral.pk])

        # People and merging two records of one person: the practitioners and supervisors who
        # see every referral. A practitioner proposes, a supervisor (not the proposer) confirms.
        access.role_rule("person.view", {Role.PRACTITIONER, Role.SUPERVISOR})
        access.role_rule("person.merge_propose", {Role.PRACTITIONER, Role.SUPERVISOR})
        access.role_rule("person.merge_confirm", {Role.SUPERVISOR})
        for action in ("person.view", "person.merge_propose", "person.merge_confirm"):
            access.object_rule(action)(lambda user, record: True)
        # After sending, before a decision: the referring social worker amends or withdraws.
        access.role_rule("referral.amend", {Role.SOCIAL_WORKER})

        @access.object_rule("referral.amend")
        def _amend_rule(user, referral):
            return referral.status in ("submitted", "acknowledged", "more_info") and access.has_grant(
                user, "referrals.change_referral", referral
            )

        outbound.concern_of("referrals.Person")(lambda person: person.referrals.values_list("pk", flat=True))
        outbound.concern_of("referrals.PersonMerge")(
            lambda merge: Referral.objects.filter(person__in=[merge.kept_id, merge.merged_id]).values_list(
                "pk", flat=True
            )
        )
