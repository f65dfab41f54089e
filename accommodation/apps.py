from django.apps import AppConfig


class AccommodationConfig(AppConfig):
    name = "accommodation"
    verbose_name = "Temporary accommodation"

    def ready(self):
        from cases.due import due_source
        from cases.tabs import case_tab
        from eip import outbound
        from eip.demo import demo_loader
        from eip.first_run import first_run_step
        from eip.home import home_panel

        from . import notification_kinds, retention, rules
        from .demo import load_demo_accommodation
        from .due import placement_due, placement_overdue
        from .first_run import fund_ensure
        from .home import accommodation_home_panel
        from .models import Placement

        rules.register()  # this app's actions in the one permission policy
        notification_kinds.register()  # the notifications it sends, for people's e-mail choices
        case_tab(order=70, text="Accommodation", url_name="case-accommodation", action="accommodation.view")
        retention.register()
        demo_loader(load_demo_accommodation)
        first_run_step(fund_ensure)
        due_source(items=placement_due, overdue=placement_overdue, order=10)
        home_panel(accommodation_home_panel)
        # What a record is about, for the guard: the referral its case came from.
        outbound.concern_of("accommodation.AccommodationRequest")(lambda request: [request.case.referral_id])
        outbound.concern_of("accommodation.Placement")(
            lambda placement: Placement.objects.filter(pk=placement.pk).values_list(
                "request__case__referral_id", flat=True
            )
        )
