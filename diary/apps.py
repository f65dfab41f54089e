from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "diary"
    verbose_name = "Diary"

    def ready(self):
        from cases.kernel import on_case_closed
        from cases.tabs import tab_panel
        from cases.tasks import invitation_source
        from eip import outbound
        from eip.demo import demo_loader
        from eip.home import home_panel

        from . import (
            reminders,  # noqa: F401  (registers the client's session reminders with the sweeper)
            rules,
        )
        from .demo import load_demo_diary
        from .home import diary_home_panel
        from .invitations import next_meeting_invitation
        from .selectors import case_tab_appointments
        from .services import appointments_cancel_on_closure

        rules.register()  # this app's actions in the one permission policy
        home_panel(diary_home_panel)
        demo_loader(load_demo_diary)
        on_case_closed(appointments_cancel_on_closure)
        # Planned sessions and meetings head the case's Sessions and Meetings tabs.
        tab_panel(url_name="case-sessions", template="diary/_case_panel.html", context=case_tab_appointments("session"))
        tab_panel(url_name="case-meetings", template="diary/_case_panel.html", context=case_tab_appointments("meeting"))
        # The Meetings tab's e-mailed invitation is the next planned meeting's.
        invitation_source("meeting", next_meeting_invitation)
        # What a record is about, for the guard: the referral its case came from.
        outbound.concern_of("diary.Appointment")(lambda appointment: [appointment.case.referral_id])
