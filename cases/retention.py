"""Retention for cases: a closed case past its retention period is anonymised with its
referral and everything recorded on it (registered with eip.retention from
CasesConfig.ready()). Apps that hang records on a case add what they clear with
case_anonymise_also()."""

from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from eip.retention import older_than, retention_fields, retention_policy, text_clear
from referrals.retention import referral_anonymise

from .kernel import EventKind
from .models import (
    Case,
    CaseDraft,
    CaseEvent,
    CaseReassignment,
    CaseReopening,
    Consent,
    Consultation,
    Disclosure,
    EmergencyAccess,
    InterventionSession,
    OnwardReferral,
    PartnerContact,
    ProfessionalsMeeting,
    RiskAction,
    RiskPlan,
    SubjectAccessRequest,
)

# case -> None: what another app clears of its own records on the case.
_ALSO: list[Callable[[Case], None]] = []


def case_anonymise_also(clear: Callable[[Case], None]) -> None:
    _ALSO.append(clear)


def case_anonymise(*, case: Case, now=None) -> Case:
    """Anonymise a closed case, its referral and everything recorded on it."""
    if case.is_open:
        raise ValueError("An open case is never anonymised")
    with transaction.atomic():
        text_clear(Case.objects.filter(pk=case.pk))
        for model in (
            Consultation,
            RiskPlan,
            Consent,
            InterventionSession,
            ProfessionalsMeeting,
            RiskAction,
            Disclosure,
            OnwardReferral,
            PartnerContact,
            EmergencyAccess,
            SubjectAccessRequest,
            CaseReopening,
            CaseReassignment,
        ):
            text_clear(model.objects.filter(case=case))
        # A draft is unfinished typing, not a record anything counts: it goes whole.
        CaseDraft.objects.filter(case=case).delete()
        for clear in _ALSO:
            clear(case)
        CaseEvent.objects.create(case=case, kind=EventKind.ANONYMISED, summary="Anonymised under the retention policy")
        referral_anonymise(referral=case.referral, now=now)
    return case


def closed_cases_due(now):
    return Case.objects.filter(
        stage__in=Case.CLOSED_STAGES,
        closed_at__lt=older_than(settings.EIP_RETENTION_DAYS["closed_case"], now),
        referral__anonymised_at__isnull=True,
    )


def closed_cases_apply(now) -> int:
    done = 0
    for case in closed_cases_due(now).select_related("referral").iterator():
        case_anonymise(case=case, now=now)
        done += 1
    return done


def register() -> None:
    retention_fields(Case, naming=["interpreter_language", "partner_supporter"])
    retention_fields(RiskPlan, naming=["change_note"], values={"actions": []})  # owners and actions are free text
    retention_fields(Consent, naming=["obtained_by"])
    retention_fields(RiskAction, naming=["reason"])
    retention_fields(OnwardReferral, naming=["service_other"])
    retention_fields(PartnerContact, naming=["by"])
    retention_fields(SubjectAccessRequest, naming=["content_digest"], required_when_set=["review_notes"])
    retention_fields(EmergencyAccess, required_when_set=["decision_note", "review_note"])
    # A reason is always given, so it reads as anonymised rather than missing.
    retention_fields(CaseReopening, required_when_set=["reason"])
    retention_fields(CaseReassignment, required_when_set=["reason"])
    retention_policy("closed_cases", due=closed_cases_due, apply=closed_cases_apply)
