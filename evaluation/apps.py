from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Monitoring and evaluation"

    def ready(self):
        from . import rules

        rules.register()  # this app's actions in the one permission policy
