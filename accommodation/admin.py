from django import forms
from django.contrib import admin

from . import services
from .models import Fund


class FundPhaseForm(forms.ModelForm):
    class Meta:
        model = Fund
        fields = ["name", "starts_on", "ends_on", "total", "places"]

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on is None:
            return cleaned
        if self.instance.pk is None:
            for field, message in services.fund_phase_opening_problems(starts_on).items():
                self.add_error(field, message)
            return cleaned
        # Correcting a phase must not overlap another phase or leave one of its placements outside it.
        if ends_on is not None and ends_on < starts_on:
            self.add_error("ends_on", "The last day must be on or after the first day")
        for other in Fund.objects.exclude(pk=self.instance.pk):
            other_ends_later = other.ends_on is None or other.ends_on >= starts_on
            if other_ends_later and (ends_on is None or other.starts_on <= ends_on):
                self.add_error("starts_on", f"The period overlaps {other.name}")
        placements = self.instance.placements.all()
        if placements.filter(start_on__lt=starts_on).exists():
            self.add_error("starts_on", "A placement charged to this phase starts before this date")
        if ends_on and placements.filter(start_on__gt=ends_on).exists():
            self.add_error("ends_on", "A placement charged to this phase starts after this date")
        return cleaned


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    """The fund's phases. Adding one opens the next phase with its own period, cap and places;
    the phase before it ends the day before."""

    form = FundPhaseForm
    list_display = ("name", "starts_on", "ends_on", "total", "places")

    def get_fields(self, request, obj=None):
        return ["name", "starts_on", "total", "places"] if obj is None else super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        opened = services.fund_phase_open(
            name=obj.name, starts_on=obj.starts_on, total=obj.total, places=obj.places, user=request.user
        )
        obj.pk = opened.pk
