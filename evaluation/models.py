from django.db import models


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
