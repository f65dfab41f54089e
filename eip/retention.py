"""Data lifecycle: records past their retention period are anonymised (or, for drafts never
sent, deleted) by a scheduled task.

Retention is set per record type in settings (EIP_RETENTION_DAYS). Anonymising keeps what the
monitoring report and the evaluation count — dates, stages, outcomes, borough, team, gender,
ethnicity, month and year of birth, scores and codes — and removes who the people are and
everything written about them: names, contact details, addresses, partner and children's
details, every free-text note, and frozen subject access exports. Past reports give the same
figures afterwards.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from accommodation.models import AccommodationRequest, Placement, PlacementExtension, ReturnHomeReview
from assessments.models import Assessment, AssessmentAnswer
from cases.models import (
    Case,
    CaseEvent,
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
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from referrals.matching import person_match_keys_refresh
from referrals.models import AddressChange, LateReferralAgreement, PartnerDetails, Person, Referral, ReferralChange

ANONYMISED = "Anonymised"

# Short text fields that can name or locate someone; every TextField is cleared as well.
_NAMING_FIELDS = {
    Referral: [
        "client_first_name",
        "client_last_name",
        "client_first_language",
        "client_phone",
        "client_email",
        "client_postcode",
        "client_safe_contact_times",
        "referrer_phone",
        "risk_markers_other",
        "team_other",
    ],
    PartnerDetails: ["first_name", "last_name", "phone", "postcode"],
    AddressChange: ["postcode"],
    LateReferralAgreement: ["agreed_by"],
    Case: ["interpreter_language", "partner_supporter"],
    RiskPlan: ["change_note"],
    Consent: ["obtained_by"],
    RiskAction: ["reason"],
    OnwardReferral: ["service_other"],
    PartnerContact: ["by"],
    AccommodationRequest: ["preferred_area"],
    SubjectAccessRequest: ["content_digest"],
}
# Question wording, not anything about a person.
_KEEP = {AssessmentAnswer: {"label"}}
# Text a database constraint requires whenever some other field says so: written text becomes
# "Anonymised" rather than empty.
_REQUIRED_WHEN_SET = {
    Placement: {"out_of_borough_justification"},
    ReturnHomeReview: {"protective_steps"},
    Assessment: {"correction_reason"},
    SubjectAccessRequest: {"review_notes"},
    EmergencyAccess: {"decision_note", "review_note"},
}


def _clear(queryset: models.QuerySet) -> int:
    model = queryset.model
    fields = [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.TextField) and f.name not in _KEEP.get(model, set())
    ] + _NAMING_FIELDS.get(model, [])
    keep_marker = _REQUIRED_WHEN_SET.get(model, set())
    values = {
        name: (
            models.Case(
                models.When(**{name: ""}, then=models.Value("")),
                default=models.Value(ANONYMISED),
                output_field=models.TextField(),
            )
            if name in keep_marker
            else ""
        )
        for name in fields
    }
    if model is RiskPlan:
        values["actions"] = []  # owners and actions are free text too
    return queryset.update(**values) if values else 0


def referral_anonymise(*, referral: Referral, now=None) -> Referral:
    """Remove who the client, partner and children are from one referral; keep what is counted."""
    now = now or timezone.now()
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.anonymised_at:
            return referral
        born = referral.client_date_of_birth
        _clear(Referral.objects.filter(pk=referral.pk))
        Referral.objects.filter(pk=referral.pk).update(
            client_first_name=ANONYMISED,
            # The report needs age at referral in years and months: keep month and year.
            client_date_of_birth=born.replace(day=1) if born else None,
            anonymised_at=now,
            version=models.F("version") + 1,
        )
        _clear(PartnerDetails.objects.filter(referral=referral))
        PartnerDetails.objects.filter(referral=referral).update(date_of_birth=None, gender="", lives_with_client="")
        _clear(AddressChange.objects.filter(partner__referral=referral))
        _clear(LateReferralAgreement.objects.filter(referral=referral))
        # The change log quotes what was typed: it goes with the rest.
        ReferralChange.objects.filter(referral=referral).delete()
        if referral.person_id and not referral.person.referrals.filter(anonymised_at__isnull=True).exists():
            Person.objects.filter(pk=referral.person_id).update(
                first_name=ANONYMISED,
                last_name="",
                date_of_birth=referral.person.date_of_birth.replace(day=1) if referral.person.date_of_birth else None,
            )
        if referral.person_id:
            # The person's match keys no longer include how this referral described them.
            person_match_keys_refresh(person=referral.person)
        audit_record(actor=None, action=AuditEvent.Action.ANONYMISED, record=referral, detail={"policy": "retention"})
    referral.refresh_from_db()
    return referral


def case_anonymise(*, case: Case, now=None) -> Case:
    """Anonymise a closed case, its referral and everything recorded on it."""
    if case.is_open:
        raise ValueError("An open case is never anonymised")
    with transaction.atomic():
        _clear(Case.objects.filter(pk=case.pk))
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
            Assessment,
            AccommodationRequest,
        ):
            _clear(model.objects.filter(case=case))
        _clear(AssessmentAnswer.objects.filter(assessment__case=case))
        _clear(Placement.objects.filter(request__case=case))
        _clear(PlacementExtension.objects.filter(placement__request__case=case))
        _clear(ReturnHomeReview.objects.filter(placement__request__case=case))
        CaseEvent.objects.create(case=case, kind="anonymised", summary="Anonymised under the retention policy")
        referral_anonymise(referral=case.referral, now=now)
    return case


def _older_than(days: int, now):
    return now - timedelta(days=days)


def retention_due(*, now=None) -> dict[str, models.QuerySet]:
    """What the retention policy says should go now, by record type."""
    now = now or timezone.now()
    days = settings.EIP_RETENTION_DAYS
    return {
        "closed_cases": Case.objects.filter(
            stage__in=Case.CLOSED_STAGES,
            closed_at__lt=_older_than(days["closed_case"], now),
            referral__anonymised_at__isnull=True,
        ),
        "declined_referrals": Referral.objects.filter(
            status=Referral.Status.DECLINED,
            decided_at__lt=_older_than(days["declined_referral"], now),
            anonymised_at__isnull=True,
        ),
        "drafts": Referral.objects.filter(
            status=Referral.Status.DRAFT, updated_at__lt=_older_than(days["draft_referral"], now)
        ),
    }


def retention_apply(*, now=None) -> dict[str, int]:
    """Anonymise closed cases and declined referrals past retention; delete drafts never sent.
    Safe to run again: what is done is not done twice."""
    now = now or timezone.now()
    due = retention_due(now=now)
    done = {"closed_cases": 0, "declined_referrals": 0, "drafts": 0}
    for case in due["closed_cases"].select_related("referral").iterator():
        case_anonymise(case=case, now=now)
        done["closed_cases"] += 1
    for referral in due["declined_referrals"].iterator():
        referral_anonymise(referral=referral, now=now)
        done["declined_referrals"] += 1
    for draft in due["drafts"]:
        audit_record(actor=None, action=AuditEvent.Action.DELETED, record=draft, detail={"policy": "retention"})
        draft.delete()
        done["drafts"] += 1
    return done
