from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only, for checking that reminders go out. The message text is left out:
    the admin is not the place to read about cases."""

    list_display = ("recipient", "kind", "due_at", "sent_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)
    date_hierarchy = "due_at"
    fields = (
        "recipient",
        "kind",
        "key",
        "subject_type",
        "subject_id",
        "link",
        "due_at",
        "created_at",
        "dispatched_at",
        "sent_at",
        "read_at",
        "cancelled_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
