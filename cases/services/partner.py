"""Partner support (restricted: partner matters never reach the client)."""

from django.db import transaction

from ..kernel import case_event_record, case_lock
from ..models import Case, PartnerContact
from ._common import clean_and_save


@transaction.atomic
def partner_contact_record(*, case, user, contacted_on, by, notes) -> PartnerContact:
    case = case_lock(case)
    contact = clean_and_save(PartnerContact(case=case, contacted_on=contacted_on, by=by, notes=notes, recorded_by=user))
    # The timeline is seen more widely than partner support: say only that contact happened.
    case_event_record(case, user, "partner_contact", "Contact with the partner recorded", partner_related=True)
    return contact


@transaction.atomic
def partner_supporter_set(*, case, user, supporter, expected_version: int | None = None) -> Case:
    """Replace who supports the partner. Forms pass the `expected_version` their page showed."""
    case = case_lock(case, expected_version=expected_version)
    case.partner_supporter = supporter.strip()
    case.version += 1
    case.save()
    case_event_record(case, user, "partner_support", "Partner support updated", partner_related=True)
    return case
