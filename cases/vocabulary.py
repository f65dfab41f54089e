"""The case vocabularies that need no model: importable from anywhere, even while apps load
(assessments' instruments read the MARAC threshold at import)."""

from django.db import models

# 14 or more "yes" answers on the DASH checklist meets the MARAC threshold (visible high risk).
# One constant for the referral's score, the case's opening and the DASH assessment.
MARAC_DASH_THRESHOLD = 14


class EventKind(models.TextChoices):
    """Every kind of line the case timeline holds. Declared only here (not as model choices),
    so adding a kind needs no migration; case_event_record() refuses any other."""

    OPENED = "opened", "Case opened"
    IMPORTED = "imported", "Imported from historical records"
    ANONYMISED = "anonymised", "Anonymised under the retention policy"
    CONSULTATION_SCHEDULED = "consultation_scheduled", "Case consultation arranged"
    CONSULTATION_HELD = "consultation_held", "Case consultation held"
    PLAN_REVISED = "plan_revised", "Plan revised"
    CONSENT_GIVEN = "consent_given", "Consent given"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    INTERVENTION_STARTED = "intervention_started", "Intervention started"
    SESSION = "session", "Session recorded"
    ACCESSIBILITY = "accessibility", "Accessibility adaptations updated"
    MEETING = "meeting", "Professionals meeting held"
    MEETING_ARRANGED = "meeting_arranged", "Professionals meeting arranged"
    PROGRESS_UPDATE = "progress_update", "Progress update sent"
    NOTE = "note", "Case note written"
    NOTE_CORRECTED = "note_corrected", "Case note corrected"
    NOTE_ADDENDUM = "note_addendum", "Addendum to a case note"
    RISK_ESCALATED = "risk_escalated", "Risk escalated"
    DISCLOSURE = "disclosure", "Disclosure recorded"
    RISK_ACTION_DONE = "risk_action_done", "Risk action done"
    ONWARD_REFERRAL = "onward_referral", "Onward referral"
    PARTNER_CONTACT = "partner_contact", "Contact with the partner"
    PARTNER_SUPPORT = "partner_support", "Partner support updated"
    EXIT_STARTED = "exit_started", "Exit stage started"
    CLOSED = "closed", "Case closed"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    APPOINTMENT_PLANNED = "appointment_planned", "Session or meeting planned"
    APPOINTMENT_MOVED = "appointment_moved", "Session or meeting moved"
    APPOINTMENT_CANCELLED = "appointment_cancelled", "Session or meeting cancelled"
    SESSION_REMINDERS = "session_reminders", "Session reminders for the client started or stopped"
    SESSION_REMINDER = "session_reminder", "Session reminder to the client"
    SAR_PREPARED = "sar_prepared", "Subject access response prepared"
    SAR_APPROVED = "sar_approved", "Subject access response approved"
    SAR_RETURNED = "sar_returned", "Subject access response returned"
    SAR_RELEASED = "sar_released", "Subject access response released"
    ASSESSMENT = "assessment", "Assessment recorded"
    ACCOMMODATION_REQUESTED = "accommodation_requested", "Accommodation requested"
    PLACEMENT_PROPOSED = "placement_proposed", "Placement proposed"
    PLACEMENT_APPROVED = "placement_approved", "Placement approved"
    PLACEMENT_REJECTED = "placement_rejected", "Placement rejected"
    EXTENSION_REQUESTED = "extension_requested", "Extension requested"
    EXTENSION_DECIDED = "extension_decided", "Extension decided"
    RETURN_HOME_REVIEW = "return_home_review", "Return home review"
    PLACEMENT_ENDED = "placement_ended", "Placement ended"
    PLACEMENT_COMMITMENT_RELEASED = "placement_commitment_released", "Unused accommodation money released"
    INVOICE_OVER_APPROVED = "invoice_over_approved", "Invoice over what was approved"
    MOVE_ON_PAYMENT_PROPOSED = "move_on_payment_proposed", "Move-on payment proposed"
    ACCOMMODATION_FOUND_ELSEWHERE = "accommodation_found_elsewhere", "Accommodation found another way"
    AWAITING_START = "awaiting_start", "Why the intervention has not started"
    ACCOMMODATION_NEED = "accommodation_need", "Accommodation need assessed"
