"""Documents on a case (issue 14): signed consent forms, the signed accommodation agreement,
letters. Checked by their bytes and their name's extension, stored under a generated name in the
default storage (the media folder, or the private bucket in production), and read only through
the app after the permission check, each read audited (eip/uploads.py).

A document marked as holding the partner's or the children's information follows the
partner-data policy: only the roles allowed `case.view_partner` see it in the list or download
it, never the client's subject access export. The mark can be added later, never taken off.

A document is never deleted by a user: a practitioner withdraws one put on the wrong case or by
mistake, with a reason; it stays listed as withdrawn for the audit trail, and only a supervisor
can still open it. Its file goes when the case is anonymised under the retention policy."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from eip.uploads import DocumentField


class Category(models.TextChoices):
    CONSENT_FORM = "consent_form", "Consent form"
    ACCOMMODATION_AGREEMENT = "accommodation_agreement", "Accommodation agreement, signed"
    CORRESPONDENCE = "correspondence", "Correspondence"
    OTHER = "other", "Other"


class CaseDocument(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents")
    category = models.CharField("type of document", max_length=30, choices=Category.choices)
    title = models.CharField("description", max_length=200)
    file = DocumentField("file", upload_to="cases/documents/%Y/%m/", max_length=200, blank=True)
    size = models.PositiveIntegerField("size in bytes", default=0)
    partner_information = models.BooleanField("contains information about the partner or the children", default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField("why it was withdrawn", blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["case", "-uploaded_at"], name="case_document_case_idx")]
        constraints = [
            # Withdrawn by someone, at a time, together; a withdrawal always says why (until anonymised).
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawal_reason="")
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="case_document_withdrawal_complete",
            ),
        ]

    def __str__(self):
        return f"Case document {self.pk}"

    def audit_label(self) -> str:
        return f"case document {self.pk} on case {self.case_id}"  # never the description

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def download_name(self) -> str:
        """What the download is called: the case and the kind of document, never the
        uploader's file name or the description (either may name someone)."""
        return f"{self.case.reference}-{self.category.replace('_', '-')}-{self.pk}"
