"""Sessions with the client and professionals meetings planned ahead. A planned one is held
(recorded through the case's own session and meeting records), cancelled with a reason, or
moved; each move raises the invitation's sequence so calendars update the same event."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Modality


class Appointment(models.Model):
    class Kind(models.TextChoices):
        SESSION = "session", "Session with the client"
        MEETING = "meeting", "Professionals meeting"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RECORDED = "recorded", "Recorded"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    starts_at = models.DateTimeField("date and time")
    duration_minutes = models.PositiveSmallIntegerField("length in minutes", default=60)
    modality = models.CharField("how", max_length=20, choices=Modality.choices)
    place = models.CharField("place or video link", max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    # The calendar invitation's SEQUENCE, and the version a form must have seen to change it.
    sequence = models.PositiveIntegerField(default=0)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField(auto_now_add=True)
    cancelled_reason = models.TextField("why it is cancelled", blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The attendance record it became.
    session = models.OneToOneField(
        "cases.InterventionSession", null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment"
    )
    meeting = models.OneToOneField(
        "cases.ProfessionalsMeeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["case", "starts_at"], name="appointment_case_idx"),
            models.Index(fields=["starts_at"], name="appointment_planned_idx", condition=Q(status="planned")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=480), name="appointment_length"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | (~Q(cancelled_reason="") & Q(cancelled_at__isnull=False)),
                name="appointment_cancelled_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.starts_at:%d %b %Y}"

    def audit_label(self):
        return f"{self.get_kind_display()} {self.pk} on case {self.case.reference}"

    @property
    def is_planned(self):
        return self.status == self.Status.PLANNED
