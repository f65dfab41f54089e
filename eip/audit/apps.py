from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "eip.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from . import signals

        signals.connect()
