from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "eip.notifications"
    label = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self):
        from . import kinds
        from .publish import connect_signals

        connect_signals()
        kinds.register()
