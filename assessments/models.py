"""Assessments: one row per completed instrument, with its answers. A completed assessment
is never edited: a correction is a new version that points at the one it replaces."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .instruments import DashSource, Instrument, Stage


class DashQuestion(models.Model):
    """One of the 24 questions of the SafeLives DASH risk identification checklist, kept
    as data so an administrator can correct the wording."""

    number = models.PositiveSmallIntegerField(unique=True)
    text = models.TextField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.text}"


class ViabilityMarker(models.Model):
    """An attitudinal risk marker of the Treatment Viability and Progress Assessment
    (programme configuration, edited by an administrator)."""

    number = models.PositiveSmallIntegerField(unique=True)
    text = models.CharField(max_length=300)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.text}"


class Assessment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assessments")
    instrument = models.CharField(max_length=20, choices=Instrument.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    # The version in force for (case, instrument, stage); earlier versions are kept.
    is_current = models.BooleanField(default=True)
    correction_reason = models.TextField(blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField()
    assessed_on = models.DateField("date of the assessment")
    notes = models.TextField(blank=True)
    # Needs Analysis Matrix
    review_date = models.DateField(null=True, blank=True)
    user_total = models.PositiveSmallIntegerField(null=True, blank=True)
    practitioner_total = models.PositiveSmallIntegerField(null=True, blank=True)
    # DASH
    yes_count = models.PositiveSmallIntegerField(null=True, blank=True)
    professional_judgement = models.BooleanField(default=False)
    potential_escalation = models.BooleanField(default=False)

    class Meta:
        ordering = ["case", "instrument", "stage", "-version"]
        indexes = [
            models.Index(fields=["instrument", "stage", "is_current"], name="assessment_report_idx"),
            # The monthly report: the current assessments of a stage done in a period.
            models.Index(
                fields=["instrument", "stage", "assessed_on"],
                condition=Q(is_current=True),
                name="assessment_period_idx",
            ),
            # The report's data-quality table: every current assessment dated in a period,
            # whatever its instrument and stage.
            models.Index(
                fields=["assessed_on", "instrument", "stage"],
                condition=Q(is_current=True),
                name="assessment_assessed_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "instrument", "stage"],
                condition=Q(is_current=True),
                name="one_current_assessment_per_stage",
            ),
            models.UniqueConstraint(
                fields=["case", "instrument", "stage", "version"], name="assessment_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(version=1) | ~Q(correction_reason=""), name="assessment_correction_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(practitioner_total__isnull=True) | Q(practitioner_total__lte=100),
                name="assessment_needs_total_at_most_100",
            ),
        ]

    def __str__(self):
        return f"{self.get_instrument_display()}, {self.get_stage_display().lower()} (version {self.version})"

    def audit_label(self):
        return f"Assessment {self.pk} on case {self.case.reference}"

    @property
    def meets_marac_criterion(self) -> bool:
        from .instruments import MARAC_YES_THRESHOLD

        return self.instrument == Instrument.DASH and (
            (self.yes_count or 0) >= MARAC_YES_THRESHOLD or self.professional_judgement or self.potential_escalation
        )


class AssessmentAnswer(models.Model):
    """One line of an assessment: a SOAG category, a needs area, a DASH question or a
    viability marker. The wording at the time is kept with the answer."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(max_length=40)  # e.g. "sexual", "housing", "dash-7", "marker-3"
    label = models.TextField()
    rating = models.CharField(max_length=20, blank=True)  # severity, yes/no/don't know, level
    user_score = models.PositiveSmallIntegerField(null=True, blank=True)
    practitioner_score = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=DashSource.choices, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "pk"]
        indexes = [models.Index(fields=["item", "assessment"], name="answer_item_idx")]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=Q(user_score__isnull=True) | Q(user_score__lte=10), name="answer_user_score_0_to_10"
            ),
            models.CheckConstraint(
                condition=Q(practitioner_score__isnull=True) | Q(practitioner_score__lte=10),
                name="answer_practitioner_score_0_to_10",
            ),
        ]

    def __str__(self):
        return f"{self.item}: {self.rating or self.practitioner_score}"

    def get_rating_label(self) -> str:
        from .instruments import DashAnswer, Severity, ViabilityLevel

        for choices in (Severity, DashAnswer, ViabilityLevel):
            if self.rating in choices.values:
                return choices(self.rating).label
        return self.rating


class AssessmentDraft(models.Model):
    """A long instrument saved half-way by its author, to be resumed. A draft is not an
    assessment: nothing counts it (report, evaluation, schedule) until it is completed, which
    removes it. One draft per case, instrument and stage."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assessment_drafts")
    instrument = models.CharField(max_length=20, choices=Instrument.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField(auto_now=True)
    # What was typed so far: {"assessed_on", "notes", "review_date", "professional_judgement",
    # "potential_escalation", "answers": {item code: {...}}}, dates as ISO strings.
    content = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "instrument", "stage"], name="one_draft_per_assessment_stage")
        ]

    def __str__(self):
        return f"Draft {self.get_instrument_display()}, {self.get_stage_display().lower()}"

    def audit_label(self):
        return f"Assessment draft {self.pk} on case {self.case.reference}"
