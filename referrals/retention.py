"""Retention for referrals: declined referrals are anonymised, drafts never sent deleted
(registered with eip.retention from ReferralsConfig.ready())."""

import calendar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.retention import ANONYMISED, older_than, retention_fields, retention_policy, text_clear

from .matching import person_match_keys_refresh
from .models import AddressChange, LateReferralAgreement, PartnerDetails, Person, Referral, ReferralChange


def _birth_month_kept(born, received_at):
    """The date of birth with only its month and year kept, as the report needs them for age at
    referral in whole months. The day becomes the month's first or last: whichever leaves the
    completed months on the day the referral arrived as they were (born on the 15th, referred on
    the 1st: a month fewer than if born on the 1st)."""
    if born is None:
        return None
    if received_at is not None and timezone.localtime(received_at).day < born.day:
        return born.replace(day=calendar.monthrange(born.year, born.month)[1])
    return born.replace(day=1)


def referral_anonymise(*, referral: Referral, now=None) -> Referral:
    """Remove who the client, partner and children are from one referral; keep what is counted."""
    now = now or timezone.now()
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.anonymised_at:
            return referral
        born = referral.client_date_of_birth
        text_clear(Referral.objects.filter(pk=referral.pk))
        Referral.objects.filter(pk=referral.pk).update(
            client_first_name=ANONYMISED,
            client_date_of_birth=_birth_month_kept(born, referral.received_at),
            anonymised_at=now,
            version=models.F("version") + 1,
        )
        text_clear(PartnerDetails.objects.filter(referral=referral))
        PartnerDetails.objects.filter(referral=referral).update(date_of_birth=None, gender="", lives_with_client="")
        text_clear(AddressChange.objects.filter(partner__referral=referral))
        text_clear(LateReferralAgreement.objects.filter(referral=referral))
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


def declined_referrals_due(now):
    return Referral.objects.filter(
        status=Referral.Status.DECLINED,
        decided_at__lt=older_than(settings.EIP_RETENTION_DAYS["declined_referral"], now),
        anonymised_at__isnull=True,
    )


def declined_referrals_apply(now) -> int:
    done = 0
    for referral in declined_referrals_due(now).iterator():
        referral_anonymise(referral=referral, now=now)
        done += 1
    return done


def drafts_due(now):
    return Referral.objects.filter(
        status=Referral.Status.DRAFT, updated_at__lt=older_than(settings.EIP_RETENTION_DAYS["draft_referral"], now)
    )


def drafts_apply(now) -> int:
    done = 0
    for draft in drafts_due(now):
        audit_record(actor=None, action=AuditEvent.Action.DELETED, record=draft, detail={"policy": "retention"})
        draft.delete()
        done += 1
    return done


def register() -> None:
    retention_fields(
        Referral,
        naming=[
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
    )
    retention_fields(PartnerDetails, naming=["first_name", "last_name", "phone", "postcode"])
    retention_fields(AddressChange, naming=["postcode"])
    retention_fields(LateReferralAgreement, naming=["agreed_by"])
    retention_policy("declined_referrals", due=declined_referrals_due, apply=declined_referrals_apply)
    retention_policy("drafts", due=drafts_due, apply=drafts_apply)
