"""The case-work rules, from an accepted referral to closure, one module a step of the
pathway. Every step writes a timeline event and an audit record, and refuses what the
programme forbids with a plain reason. This is the public list other apps and tests use."""

from ..kernel import CaseConflict, CaseError, CaseIncomplete
from .accessibility import accessibility_update
from .closure import CLOSURE_STAGE, case_close, closure_draft_save, exit_start
from .consent import consent_record, consent_withdraw, live_consents
from .consultation import consultation_record_outcome, consultation_schedule
from .intervention import intervention_blockers, intervention_start
from .invitations import invitation_send
from .meetings import meeting_record, meeting_send_progress_update
from .onward import onward_referral_record, onward_referral_update, weeks_waiting
from .opening import case_open
from .partner import partner_contact_record, partner_supporter_set
from .plan import plan_draft_save, risk_plan_revise
from .reassignment import case_reassign, cases_reassign
from .reopening import case_reopen, reopen_blocker, reopenable_case_for
from .risk import disclosure_record, risk_action_complete, risk_actions_raise
from .sessions import session_record

__all__ = [
    "CLOSURE_STAGE",
    "CaseConflict",
    "CaseError",
    "CaseIncomplete",
    "accessibility_update",
    "case_close",
    "case_open",
    "closure_draft_save",
    "consent_record",
    "consent_withdraw",
    "consultation_record_outcome",
    "consultation_schedule",
    "disclosure_record",
    "exit_start",
    "intervention_blockers",
    "intervention_start",
    "invitation_send",
    "live_consents",
    "meeting_record",
    "meeting_send_progress_update",
    "onward_referral_record",
    "onward_referral_update",
    "partner_contact_record",
    "partner_supporter_set",
    "plan_draft_save",
    "risk_action_complete",
    "risk_actions_raise",
    "risk_plan_revise",
    "case_reopen",
    "case_reassign",
    "cases_reassign",
    "reopen_blocker",
    "reopenable_case_for",
    "session_record",
    "weeks_waiting",
]
