from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "eip.notifications"
    label = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self):
        from eip import outbound

        from . import kinds, publish, services, tasks

        publish.notifications_deliver_with(tasks.notifications_deliver)
        publish.connect_signals()
        outbound.refusal_alerts_send_with(services.notification_send_now)
        kinds.register()
