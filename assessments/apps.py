from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from cases import kernel
        from cases.due import due_source
        from cases.tabs import case_tab

        from . import notification_kinds, retention, rules
        from .due import assessments_due, assessments_overdue
        from .selectors import exit_assessments_complete
        from .services import assessment_schedule_reminders

        rules.register()  # this app's actions in the one permission policy
        notification_kinds.register()  # the notifications it sends, for people's e-mail choices
        case_tab(order=60, text="Assessments", url_name="case-assessments", action="assessment.view")
        retention.register()
        due_source(items=assessments_due, overdue=assessments_overdue, order=20)

        @kernel.on_intervention_started
        def schedule_intake_and_mid(case):
            for stage in ("intake", "mid"):
                assessment_schedule_reminders(case=case, stage=stage)

        kernel.on_exit_started(lambda case: assessment_schedule_reminders(case=case, stage="exit"))
        kernel.exit_assessments_check(lambda case: exit_assessments_complete(case=case))
