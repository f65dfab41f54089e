"""Partner-reported safety outcomes: what the partner (the victim-survivor) says about their safety,
asked by the social worker (or by the partner's support worker and passed on) at intake, at exit and
three months after closure.

The shape follows SafeLives' Insights outcome measures for victim-survivors (as used in the Drive
evaluation): for each form of abuse, whether it is happening and how often; how safe the partner
feels; and whether they feel listened to. Change is worked out by comparing stages, not asked.

Restricted: never shown to the client, housing, finance or the evaluator as records; the report
gives aggregates only, with small numbers suppressed. No free text is kept here."""

from django.conf import settings
from django.db import models


class Stage(models.TextChoices):
    INTAKE = "intake", "Intake"
    EXIT = "exit", "Exit"
    FOLLOW_UP = "follow_up", "Three months after closure"


class Frequency(models.TextChoices):
    NONE = "none", "Not happening"
    LESS_THAN_MONTHLY = "less_than_monthly", "Less than once a month"
    MONTHLY = "monthly", "About once a month"
    WEEKLY = "weekly", "About once a week"
    DAILY = "daily", "Daily or almost daily"
    DONT_KNOW = "dont_know", "Does not know or did not say"


# Ordered from least to most, for "stopped / reduced / same / increased".
FREQUENCY_ORDER = [Frequency.NONE, Frequency.LESS_THAN_MONTHLY, Frequency.MONTHLY, Frequency.WEEKLY, Frequency.DAILY]

BEHAVIOURS = [
    ("physical", "Physical abuse"),
    ("sexual", "Sexual abuse"),
    ("harassment", "Harassment and stalking"),
    ("jcc", "Jealous and controlling behaviour, emotional abuse or coercive control"),
]


class Safety(models.IntegerChoices):
    NOT_AT_ALL = 1, "Not at all safe"
    A_LITTLE = 2, "A little safe"
    FAIRLY = 3, "Fairly safe"
    MOSTLY = 4, "Mostly safe"
    COMPLETELY = 5, "Completely safe"


class ListenedTo(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
    DONT_KNOW = "dont_know", "Does not know or did not say"


class AskedBy(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "The social worker"
    PARTNER_SUPPORT_WORKER = "partner_support_worker", "The partner's support worker"


class NotAsked(models.TextChoices):
    DECLINED = "declined", "The partner declined"
    NOT_SAFE = "not_safe", "It was not safe to ask"
    NOT_REACHED = "not_reached", "The partner could not be reached"


class PartnerOutcome(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="partner_outcomes")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    asked_on = models.DateField("date asked")
    asked_by = models.CharField("who asked the partner", max_length=30, choices=AskedBy.choices)
    not_asked = models.CharField("not asked because", max_length=20, choices=NotAsked.choices, blank=True)
    physical = models.CharField(max_length=20, choices=Frequency.choices, blank=True)
    sexual = models.CharField(max_length=20, choices=Frequency.choices, blank=True)
    harassment = models.CharField(max_length=20, choices=Frequency.choices, blank=True)
    jcc = models.CharField(max_length=20, choices=Frequency.choices, blank=True)
    feels_safe = models.PositiveSmallIntegerField(choices=Safety.choices, null=True, blank=True)
    listened_to = models.CharField(max_length=20, choices=ListenedTo.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)  # when typed; asked_on is the measure's date

    class Meta:
        ordering = ["case", "asked_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "stage"], name="one_partner_outcome_per_stage")]

    def __str__(self):
        return f"Partner outcome ({self.get_stage_display()}) on {self.asked_on}"
