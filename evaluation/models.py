from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportDelivery(models.Model):
    """One monthly report emailed to the programme managers. The unique period makes a second
    beat (or a repeated task) find the row and send nothing."""

    period_start = models.DateField(unique=True)
    period_end = models.DateField()
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-period_start"]

    def __str__(self):
        return f"Report for {self.period_start:%B %Y}"


class AwaitingStart(models.Model):
    """Why a case found suitable has not started the intervention, as at a date. A case may
    move between these states; each change is a row, so a report for a past period reads the
    state as it stood at the period's end (the 6-month evaluation: "1 due to start, 5 being
    contacted, 2 needing further assessment, 3 refused")."""

    class State(models.TextChoices):
        DUE_TO_START = "due_to_start", "Due to start"
        BEING_CONTACTED = "being_contacted", "Being contacted to start"
        FURTHER_ASSESSMENT = "further_assessment", "Further assessment or detail needed from the referrer"
        REFUSED = "refused", "Refused the intervention"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="awaiting_start")
    state = models.CharField(max_length=30, choices=State.choices)
    # A historical date (imported records carry their own), never the moment of saving.
    recorded_on = models.DateField("date")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case", "recorded_on", "pk"]
        indexes = [models.Index(fields=["case", "recorded_on"])]

    def __str__(self):
        return f"{self.get_state_display()} from {self.recorded_on}"


class AccommodationNeed(models.Model):
    """An assessed accommodation need and what came of it: placed through the programme, found
    other accommodation (e.g. supported to find and pay for a private let), or not needed after
    all. A programme placement also counts as 'placed' without this row being updated."""

    class Outcome(models.TextChoices):
        IN_PROCESS = "in_process", "In the process of being placed"
        PLACED = "placed", "Placed through the programme"
        FOUND_OTHER = "found_other", "Found other accommodation"
        NOT_NEEDED = "not_needed", "Not needed after all"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="accommodation_needs")
    assessed_on = models.DateField("date assessed as needing accommodation")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.IN_PROCESS)
    outcome_on = models.DateField("date of the outcome", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case", "assessed_on", "pk"]
        indexes = [models.Index(fields=["assessed_on"])]

    def __str__(self):
        return f"Accommodation need assessed {self.assessed_on}: {self.get_outcome_display()}"


class HistoricalImport(models.Model):
    """One imported file. A file already imported (the same bytes) is refused, and so is any
    referral id already imported from an earlier file: re-importing is refused, never doubled."""

    sha256 = models.CharField(max_length=64, unique=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lines = models.PositiveIntegerField()

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self):
        return f"Import of {self.imported_at:%-d %B %Y %H:%M} ({self.lines} lines)"


class ImportedReferral(models.Model):
    """The id a referral had in the old records, so a second import of it is refused."""

    source_id = models.CharField(max_length=100, unique=True)
    referral = models.OneToOneField("referrals.Referral", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(HistoricalImport, on_delete=models.PROTECT, related_name="referrals")

    def __str__(self):
        return self.source_id
