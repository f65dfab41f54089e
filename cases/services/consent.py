"""Consent from the client and the partner: given, and withdrawn (which pauses the work)."""

from django.db import transaction

from eip.notifications.services import notification_cancel, notification_send_now

from ..duties import MEETING_REMINDER
from ..kernel import CaseError, CaseIncomplete, case_event_record, case_lock
from ..models import Case, Consent
from ._common import case_link, clean_and_save

St = Case.Stage


def live_consents(case) -> dict[str, Consent]:
    return {c.party: c for c in case.consents.filter(withdrawn_on__isnull=True)}


@transaction.atomic
def consent_record(*, case, user, party, given_on, method, obtained_by, sharing) -> Consent:
    case = case_lock(case)
    if not case.is_open:
        raise CaseError("The case is closed.")
    if party in live_consents(case):
        raise CaseIncomplete(
            {"party": "Consent from this person is already recorded. If it has changed, record its withdrawal first."}
        )
    consent = clean_and_save(
        Consent(
            case=case,
            party=party,
            given_on=given_on,
            method=method,
            obtained_by=obtained_by,
            sharing=sharing,
            recorded_by=user,
        )
    )
    case_event_record(
        case,
        user,
        "consent_given",
        f"{consent.get_party_display()} consent recorded ({consent.get_method_display().lower()})",
    )
    return consent


@transaction.atomic
def consent_withdraw(*, consent, user, withdrawn_on, notes) -> Case:
    """Record a withdrawal and act on it: work that needs consent stops until it is given
    again, and the practitioner and social worker are told."""
    case = case_lock(consent.case)
    if consent.withdrawn_on:
        raise CaseError("This consent has already been withdrawn.")
    consent.withdrawn_on, consent.withdrawal_notes = withdrawn_on, notes
    clean_and_save(consent)
    if case.stage in (St.INTERVENTION, St.EXIT):
        case.stage = St.AWAITING_CONSENT
        case.version += 1
        case.save()
        notification_cancel(subject=case, kind=MEETING_REMINDER)
    case_event_record(
        case,
        user,
        "consent_withdrawn",
        f"{consent.get_party_display()} withdrew consent. Intervention paused until consent is given again.",
    )
    notification_send_now(
        recipients=[case.practitioner, case.referrer],
        kind="case.consent_withdrawn",
        key=f"case:{case.pk}:consent-withdrawn:{consent.pk}",
        subject=case,
        link=case_link(case),
        message=f"Consent has been withdrawn on case {case.reference}. The intervention is paused.",
    )
    return case
