"""Case notes: the practitioner's journal of contacts on a case (issue 14).

A note about or with the partner (contacted = the partner, or ticked as holding the partner's or
the children's information) follows the partner-data policy: only the roles allowed
`case.view_partner` see it, never the client's subject access export, never shared with the
referrer, and its sentences are third-party text for the outbound guard.

A note is corrected in place only by its author within CORRECTION_WINDOW of writing it; after
that a correction is an addendum (a note with `corrects` set) and the original stays."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Contacted(models.TextChoices):
    CLIENT = "client", "The client"
    SOCIAL_WORKER = "social_worker", "The social worker"
    PROFESSIONAL = "professional", "Another professional"
    PARTNER = "partner", "The partner"


class Method(models.TextChoices):
    PHONE = "phone", "Phone call"
    VISIT = "visit", "Visit or face to face"
    VIDEO = "video", "Video call"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    TEXT_MESSAGE = "text_message", "Text message"


class CaseNote(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="notes")
    # Set on an addendum: the note it corrects or adds to (always an original note).
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="addenda")
    contact_at = models.DateTimeField("date and time of the contact")
    contacted = models.CharField("who was contacted", max_length=20, choices=Contacted.choices)
    method = models.CharField("how", max_length=20, choices=Method.choices)
    text = models.TextField("note")
    partner_information = models.BooleanField("contains information about the partner or the children", default=False)
    # contacted == partner or partner_information: kept as a column so every list filters on it.
    partner_related = models.BooleanField(default=False)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    corrected_at = models.DateTimeField(null=True, blank=True)  # last correction within the window
    shared_at = models.DateTimeField("shared with the referrer", null=True, blank=True)

    class Meta:
        ordering = ["-contact_at", "-pk"]
        indexes = [models.Index(fields=["case", "-contact_at"], name="case_note_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(partner_related=True, contacted=Contacted.PARTNER)
                | Q(partner_related=True, partner_information=True)
                | (Q(partner_related=False, partner_information=False) & ~Q(contacted=Contacted.PARTNER)),
                name="case_note_partner_related_follows_its_marks",
            ),
            # A note about the partner is never shared with the referrer as a progress update.
            models.CheckConstraint(
                condition=Q(shared_at__isnull=True) | Q(partner_related=False), name="case_note_shared_never_partner"
            ),
        ]

    def __str__(self):
        return f"Case note {self.pk}"

    def audit_label(self) -> str:
        return f"case note {self.pk} on case {self.case_id}"  # never the text
