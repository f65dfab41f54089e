from django.contrib import admin

from .models import ReferralWindow


@admin.register(ReferralWindow)
class ReferralWindowAdmin(admin.ModelAdmin):
    """The referral window is a programme setting, not a constant."""

    list_display = ("name", "opens_on", "closes_on")
