from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One thing someone did to, or saw of, a record. Append-only: the database refuses
    updates and deletes (see the migration's triggers)."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        VIEWED = "viewed", "Viewed"
        EXPORTED = "exported", "Exported"
        DELETED = "deleted", "Deleted"
        ANONYMISED = "anonymised", "Anonymised"
        PERMISSION_CHANGED = "permission_changed", "Permission changed"
        SIGNED_IN = "signed_in", "Signed in"
        SIGNED_OUT = "signed_out", "Signed out"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        # The outbound guard (eip/outbound.py) refused a document or message.
        OUTBOUND_REFUSED = "outbound_refused", "Release refused (third-party details)"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    # The record, as "app_label.model" and primary key, so the trail outlives the record.
    record_type = models.CharField(max_length=100, blank=True)
    record_id = models.CharField(max_length=64, blank=True)
    # A reference a person can read (e.g. "Referral EIP-2026-0004") — never a name.
    record_label = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # What changed, as field names and short codes; never the personal data itself.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["record_type", "record_id", "-at"], name="audit_record_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.record_label}"
