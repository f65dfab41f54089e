from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Monitoring and evaluation"

    def ready(self):
        from cases.tabs import case_tab

        from . import rules

        rules.register()  # this app's actions in the one permission policy
        case_tab(order=115, text="Data quality", url_name="case-data-quality", action="case_data.view")
