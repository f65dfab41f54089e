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


class SessionReminderOptIn(models.Model):
    """The client asked for a text message the day before each planned session and on its
    morning (12-month evaluation, recommendation 2: reminders for clients with memory issues).
    Recorded with when and how they asked; ended by a STOP reply or by the practitioner."""

    class StoppedHow(models.TextChoices):
        REPLIED_STOP = "replied_stop", "The client replied STOP"
        PRACTITIONER = "practitioner", "Stopped by the practitioner"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="session_reminder_opt_ins")
    phone = models.CharField("mobile number", max_length=40)
    # The number in international form (+447700900123), to compare and to send to.
    phone_normalised = models.CharField(max_length=20, db_index=True)
    asked_on = models.DateField("date the client asked")
    asked_how = models.CharField("how the client asked", max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_how = models.CharField(max_length=20, choices=StoppedHow.choices, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(stopped_at__isnull=True), name="one_live_session_reminder_opt_in"
            ),
        ]

    def __str__(self):
        return f"Session reminders from {self.asked_on:%d %b %Y}"

    def audit_label(self):
        return f"Session reminders {self.pk} on case {self.case.reference}"


class SessionReminder(models.Model):
    """One reminder of one planned session at one time: created before it is sent, so a reminder
    goes once however many sweepers run; a moved session is reminded of its new time."""

    class Which(models.TextChoices):
        DAY_BEFORE = "day_before", "the day before"
        MORNING = "morning", "on the morning"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        REFUSED = "refused", "Refused"
        FAILED = "failed", "Could not be sent"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    which = models.CharField(max_length=20, choices=Which.choices)
    starts_at = models.DateTimeField()
    opt_in = models.ForeignKey(SessionReminderOptIn, on_delete=models.CASCADE, related_name="reminders")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    reason = models.CharField(max_length=300, blank=True)
    message = models.ForeignKey(
        "notifications.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["appointment", "which", "starts_at"], name="one_session_reminder_per_time")
        ]

    def __str__(self):
        return f"Reminder {self.get_which_display()} of {self.appointment}"
