"""The referral intake rules: drafting, submitting, acknowledging within 3 working days,
asking for more information, declining, matching the person and accepting."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from eip import access
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.errors import Incomplete, Refused
from eip.notifications.services import (
    notification_cancel,
    notification_schedule,
    notification_send_now,
)
from eip.people.models import Role, User
from eip.uploads import check_document
from eip.workdays import OVERDUE, WARNING, reminder_delivery_at, working_days_after_receipt

from . import matching
from .duty import intake_duty_recipients, referral_practitioners_to_tell
from .inbox import name_sounds
from .models import (
    AddressChange,
    LateReferralAgreement,
    PartnerDetails,
    Person,
    ReferenceCounter,
    Referral,
    ReferralWindow,
)

ACKNOWLEDGEMENT_WORKING_DAYS = 3
S = Referral.Status


class ReferralError(Refused):
    """A step the programme does not allow, with the reason in plain English."""


class ReferralConflict(ReferralError):
    pass


class ReferralIncomplete(Incomplete, ReferralError):
    """Submission refused: `errors` maps form field names (with their prefix) to messages."""


# --- drafting ----------------------------------------------------------------------------


@transaction.atomic
def referral_create(*, referrer: User) -> Referral:
    if referrer.role != Role.SOCIAL_WORKER or referrer.borough_id is None:
        raise ReferralError("Only a social worker in a borough can make a referral.")
    referral = Referral.objects.create(referrer=referrer, borough=referrer.borough)
    PartnerDetails.objects.create(referral=referral)
    access.grant(referrer, "referrals.view_referral", referral)
    access.grant(referrer, "referrals.change_referral", referral)
    audit_record(actor=referrer, action=AuditEvent.Action.CREATED, record=referral)
    return referral


@transaction.atomic
def referral_save(
    *, referral: Referral, partner: PartnerDetails, children: list | None, user: User, expected_version: int
) -> Referral:
    """Save what the social worker typed. `children` is a list of unsaved ReferredChild
    objects replacing the current ones (None: unchanged). Refuses a save based on an
    out-of-date page."""
    if referral.status not in (S.DRAFT, S.MORE_INFO):
        raise ReferralError("This referral has been submitted and can no longer be changed.")
    referral_answers_store(
        referral=referral, partner=partner, children=children, user=user, expected_version=expected_version
    )
    audit_record(actor=user, action=AuditEvent.Action.CHANGED, record=referral, detail={"status": referral.status})
    return referral


def referral_answers_store(
    *, referral: Referral, partner: PartnerDetails, children: list | None, user: User, expected_version: int
) -> None:
    """Store the referral's answers, its partner's and its children (replacing them), unless
    the page they came from is out of date. Callers check the referral may still change."""
    updated = Referral.objects.filter(pk=referral.pk, version=expected_version).update(version=F("version") + 1)
    if not updated:
        raise ReferralConflict(
            "Someone else changed this referral after you opened it. Your changes have not "
            "been saved: open the referral again to see the latest version."
        )
    referral.version = expected_version + 1
    referral.client_name_sounds = name_sounds(referral.client_first_name, referral.client_last_name)
    referral.full_clean(exclude=["reference"])
    referral.save()
    referral.address_change_held = hold_safe_address_change(partner=partner, user=user)
    partner.referral = referral
    partner.full_clean()
    partner.save()
    if children is None:  # a page that does not ask about the children leaves them as they are
        return
    referral.children.all().delete()
    for child in children:
        child.referral = referral
        child.full_clean()
        child.save()


def hold_safe_address_change(*, partner, user) -> bool:
    """A flagged (safe) address is never changed by one person alone: a new address typed over
    it is held for a second person to confirm, and a blank means 'unchanged'."""
    stored = PartnerDetails.objects.filter(pk=partner.pk, safe_address=True).first() if partner.pk else None
    if stored is None:
        return False
    typed = (partner.address.strip(), partner.postcode.strip())
    partner.address, partner.postcode, partner.safe_address = stored.address, stored.postcode, True
    if not any(typed) or typed == (stored.address, stored.postcode):
        return False
    AddressChange.objects.create(partner=stored, address=typed[0], postcode=typed[1], requested_by=user)
    notification_send_now(
        recipients=_active(Role.PRACTITIONER, Role.SUPERVISOR).exclude(pk=user.pk),
        kind="referral.safe_address_change",
        key=f"partner:{stored.pk}:address-change:{timezone.now():%Y%m%d%H%M%S}",
        subject=stored.referral,
        link=reverse("referral-detail", args=[stored.referral_id]),
        message=f"A change to a safe address on referral {stored.referral.reference or 'in draft'} is waiting for "
        f"a second person to confirm it.",
    )
    return True


@transaction.atomic
def address_change_decide(*, change, user, confirm: bool):
    change = AddressChange.objects.select_for_update().select_related("partner").get(pk=change.pk)
    if change.status != AddressChange.Status.PENDING:
        raise ReferralError("This change has already been decided.")
    if change.requested_by_id == user.pk:
        raise ReferralError(
            "A change to a safe address must be confirmed by someone other than the person who asked for it."
        )
    if confirm:
        partner = change.partner
        partner.address, partner.postcode = change.address, change.postcode
        partner.save(update_fields=["address", "postcode"])
    change.status = AddressChange.Status.CONFIRMED if confirm else AddressChange.Status.REJECTED
    change.decided_by, change.decided_at = user, timezone.now()
    change.save()
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=change.partner.referral,
        detail={"event": f"safe address change {change.status}", "requested_by": change.requested_by_id},
    )
    return change


# --- submission --------------------------------------------------------------------------


def referral_missing_fields(*, referral: Referral) -> dict[str, str]:
    """What a referral needs before it can be submitted, as field -> message."""
    r = referral
    missing = {}

    def need(field, message, present=None):
        value = getattr(r, field) if present is None else present
        if value in (None, "", []):
            missing[field] = message

    need("team", "Select your team")
    if r.team == "other":
        need("team_other", "Enter the name of your team")
    need("client_first_name", "Enter the client's first name")
    need("client_last_name", "Enter the client's last name")
    need("client_date_of_birth", "Enter the client's date of birth")
    need("client_gender", "Select the client's gender")
    need("client_ethnicity", "Select the client's ethnicity, or ‘Not known’")
    need("client_interpreter_needed", "Select whether the client needs an interpreter")
    need(
        "client_phone",
        "Enter a phone number, email address or address for the client",
        r.client_phone or r.client_email or r.client_address,
    )
    need("risk_markers", "Select the risk markers you have seen")
    if "other" in (r.risk_markers or []):
        need("risk_markers_other", "Describe the other risk marker")
    need("police_involved", "Select whether the police have been involved")
    need("dash_completed", "Select whether a DASH risk checklist has been completed")
    if r.dash_completed == "yes":
        need("dash_score", "Enter the DASH score (the number of ‘yes’ answers)")
    need("accommodation_may_be_needed", "Select whether the client may need accommodation")
    need("client_willingness", "Select how willing the client is to engage")
    need("case_dynamic", "Describe the case in your own words")
    partner = getattr(r, "partner", None)
    if partner is None or not partner.first_name:
        missing["partner-first_name"] = "Enter the partner's first name"
    if partner is None or not partner.lives_with_client:
        missing["partner-lives_with_client"] = "Select whether the partner lives with the client"
    return missing


def referral_window_contains(day) -> bool:
    """Referrals are open on `day` if it falls in a configured window, or if the programme
    has configured none."""
    windows = ReferralWindow.objects.all()
    if not windows.exists():
        return True
    return windows.filter(opens_on__lte=day, closes_on__gte=day).exists()


def referral_reference_next(year: int) -> str:
    counter, _ = ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"EIP-{year}-{counter.last:04d}"


def _active(*roles):
    return User.objects.filter(role__in=roles, is_active=True)


def isa_refusal(borough) -> str | None:
    if borough.isa_in_place:
        return None
    contact = (
        f" Contact your borough SPOC, {borough.spoc.full_name} ({borough.spoc.email}),"
        if borough.spoc
        else " Contact your borough's single point of contact (SPOC)"
    )
    return (
        f"{borough.name} does not have an information sharing agreement with the programme "
        f"yet, so referrals from {borough.name} cannot be accepted: the programme may only "
        f"receive a family's information under that agreement.{contact} to ask when it "
        f"will be in place."
    )


@transaction.atomic
def referral_submit(*, referral: Referral, user: User, now: datetime | None = None) -> Referral:
    referral = Referral.objects.select_for_update(of=("self",)).select_related("borough__spoc").get(pk=referral.pk)
    if referral.status not in (S.DRAFT, S.MORE_INFO):
        raise ReferralError("This referral has already been submitted.")
    refusal = isa_refusal(referral.borough)
    if refusal:
        raise ReferralError(refusal)
    missing = referral_missing_fields(referral=referral)
    if missing:
        raise ReferralIncomplete(missing)
    now = now or timezone.now()
    first_submission = referral.status == S.DRAFT
    link = reverse("referral-detail", args=[referral.pk])
    if first_submission:
        referral.reference = referral_reference_next(timezone.localtime(now).year)
        referral.received_at = now
        referral.acknowledgement_due = working_days_after_receipt(now, ACKNOWLEDGEMENT_WORKING_DAYS)
        referral.outside_window = not referral_window_contains(timezone.localtime(now).date())
        referral.status = S.SUBMITTED
    else:
        referral.status = S.ACKNOWLEDGED if referral.acknowledged_at else S.SUBMITTED
    referral.version += 1
    referral.save()
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=referral,
        detail={
            "status": referral.status,
            "event": "submitted" if first_submission else "more information given",
        },
    )
    due = referral.acknowledgement_due
    if first_submission:
        practitioners = intake_duty_recipients(referral=referral)
        notification_send_now(
            recipients=practitioners,
            kind="referral.new",
            key=f"referral:{referral.pk}:new",
            subject=referral,
            link=link,
            message=f"New referral {referral.reference} from {referral.borough.name}. "
            f"Acknowledge it by {due:%A %-d %B %Y}.",
        )
        notification_schedule(
            recipients=practitioners,
            kind="referral.acknowledgement_due",
            key=f"referral:{referral.pk}:ack-due-soon",
            subject=referral,
            link=link,
            due_at=reminder_delivery_at(day=due - timedelta(days=1), timing=WARNING),
            # No "tomorrow": a reminder delivered late (workers down) must still be true.
            message=f"Reminder: referral {referral.reference} must be acknowledged by {due:%A %-d %B %Y}.",
        )
        notification_schedule(
            recipients=_active(Role.SUPERVISOR, Role.PROGRAMME_MANAGER),
            kind="referral.acknowledgement_overdue",
            key=f"referral:{referral.pk}:ack-overdue",
            subject=referral,
            link=link,
            due_at=reminder_delivery_at(day=due, timing=OVERDUE),
            message=f"Referral {referral.reference} from {referral.borough.name} was not "
            f"acknowledged by {due:%A %-d %B %Y} and is now overdue.",
        )
    else:
        notification_send_now(
            recipients=referral_practitioners_to_tell(referral=referral),
            kind="referral.more_info_given",
            key=f"referral:{referral.pk}:info-given:{referral.version}",
            subject=referral,
            link=link,
            message=f"The social worker has added the information asked for on referral {referral.reference}.",
        )
    return referral


# --- triage by the practitioner ----------------------------------------------------------


def _locked_for_triage(referral: Referral) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.is_open_for_triage:
        raise ReferralError(f"Referral {referral.reference} has already been {referral.get_status_display().lower()}.")
    return referral


def _tell_referrer(referral, kind, message):
    notification_send_now(
        recipients=[referral.referrer],
        kind=kind,
        key=f"referral:{referral.pk}:{kind}:{referral.version}",
        subject=referral,
        link=reverse("referral-detail", args=[referral.pk]),
        message=message,
    )


@transaction.atomic
def referral_acknowledge(*, referral: Referral, user: User, consultation_timeline: str) -> Referral:
    referral = _locked_for_triage(referral)
    if referral.acknowledged_at:
        raise ReferralError(
            f"Referral {referral.reference} was acknowledged on "
            f"{timezone.localtime(referral.acknowledged_at):%-d %B %Y}."
        )
    if not consultation_timeline.strip():
        raise ReferralIncomplete(
            {"consultation_timeline": "Tell the social worker when to expect the case consultation"}
        )
    referral.acknowledged_at = timezone.now()
    referral.acknowledged_by = user
    referral.consultation_timeline = consultation_timeline.strip()
    if referral.status == S.SUBMITTED:
        referral.status = S.ACKNOWLEDGED
    referral.version += 1
    referral.save()
    notification_cancel(subject=referral, kind="referral.acknowledgement_due")
    notification_cancel(subject=referral, kind="referral.acknowledgement_overdue")
    audit_record(actor=user, action=AuditEvent.Action.CHANGED, record=referral, detail={"event": "acknowledged"})
    _tell_referrer(
        referral,
        "referral.acknowledged",
        f"{user.full_name} has acknowledged referral {referral.reference}. "
        f"Case consultation: {referral.consultation_timeline}",
    )
    return referral


@transaction.atomic
def referral_request_information(*, referral: Referral, user: User, request: str) -> Referral:
    referral = _locked_for_triage(referral)
    if not request.strip():
        raise ReferralIncomplete({"request": "Say what information you need"})
    referral.more_info_request = request.strip()
    referral.status = S.MORE_INFO
    referral.version += 1
    referral.save()
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=referral,
        detail={"event": "more information requested"},
    )
    _tell_referrer(
        referral,
        "referral.more_info_requested",
        f"{user.full_name} needs more information about referral {referral.reference} "
        f"before deciding. Open the referral to see what is needed and add it.",
    )
    return referral


@transaction.atomic
def referral_decline(
    *, referral: Referral, user: User, reason: str, details: str, suggested_onward_referrals: str
) -> Referral:
    referral = _locked_for_triage(referral)
    errors = {}
    if reason not in Referral.DeclineReason.values:
        errors["reason"] = "Select why the referral is declined"
    if reason == Referral.DeclineReason.OTHER and not details.strip():
        errors["details"] = "Explain why the referral is declined"
    if errors:
        raise ReferralIncomplete(errors)
    now = timezone.now()
    if not referral.acknowledged_at:
        referral.acknowledged_at, referral.acknowledged_by = now, user
    referral.status = S.DECLINED
    referral.decline_reason = reason
    referral.decline_details = details.strip()
    referral.suggested_onward_referrals = suggested_onward_referrals.strip()
    referral.decided_at, referral.decided_by = now, user
    referral.version += 1
    referral.save()
    notification_cancel(subject=referral)
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=referral,
        detail={"event": "declined", "reason": reason},
    )
    _tell_referrer(
        referral,
        "referral.declined",
        f"Referral {referral.reference} has been declined: "
        f"{referral.get_decline_reason_display().lower()}. Open it for the suggested "
        f"onward referrals.",
    )
    return referral


# --- the same person referred again ------------------------------------------------------

PersonMatch = matching.PersonMatch


def person_matches_for_referral(*, referral: Referral) -> list[PersonMatch]:
    """People already known who may be this referral's client, most likely first, with reasons."""
    return matching.person_matches_for_referral(referral=referral)


@transaction.atomic
def referral_link_person(
    *, referral: Referral, user: User, person: Person | None, because: tuple[str, ...] = ()
) -> Person:
    """Link the referral to a known person, or (person=None) record a new person from the
    referral's client details. `because`: the match reasons the practitioner saw, kept in
    the audit so the decision can be explained afterwards."""
    referral = _locked_for_triage(referral)
    previous = referral.person
    created = None
    if person is None:
        person = created = Person.objects.create(
            first_name=referral.client_first_name,
            last_name=referral.client_last_name,
            date_of_birth=referral.client_date_of_birth,
            borough=referral.borough,
        )
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATED,
            record=person,
            detail={"from_referral": referral.reference},
        )
    referral.person = person
    referral.version += 1
    referral.save(update_fields=["person", "version", "updated_at"])
    # The way this referral describes the person is how the next one may describe them too.
    matching.person_match_keys_refresh(person=person)
    if previous is not None and previous != person:
        matching.person_match_keys_refresh(person=previous)
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=referral,
        detail={
            "event": "person linked" if created is None else "new person recorded",
            "person": person.pk,
            **({"because": list(because)} if because else {}),
        },
    )
    return person


# --- referrals outside the window --------------------------------------------------------


LATE_AGREEMENT_NEEDS = (
    ("party", "Select whose agreement this is"),
    ("agreed_by", "Enter the name of the person who agreed"),
    ("agreed_on", "Enter the date of the agreement"),
    ("document", "Attach the written agreement"),
)


@transaction.atomic
def referral_record_late_agreement(
    *, referral: Referral, user: User, party: str, agreed_by: str, agreed_on, document
) -> LateReferralAgreement:
    referral = _locked_for_triage(referral)
    given = {"party": party, "agreed_by": (agreed_by or "").strip(), "agreed_on": agreed_on, "document": document}
    errors = {name: message for name, message in LATE_AGREEMENT_NEEDS if not given[name]}
    if "document" not in errors:
        # The type is read from the bytes (the declared type is the browser's word).
        try:
            check_document(document)
        except ValidationError as refused:
            errors["document"] = " ".join(refused.messages)
    if errors:
        raise ReferralIncomplete(errors)
    agreement = LateReferralAgreement(
        referral=referral,
        party=party,
        agreed_by=given["agreed_by"],
        agreed_on=agreed_on,
        document=document,
        recorded_by=user,
    )
    try:
        agreement.full_clean()
    except ValidationError as error:
        if "__all__" in error.message_dict:
            raise ReferralIncomplete({"party": "This partner's agreement is already recorded"}) from None
        raise
    agreement.save()
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=referral,
        detail={"event": "late referral agreement recorded", "party": party},
    )
    return agreement


def late_agreements_missing(*, referral: Referral) -> list[str]:
    if not referral.outside_window:
        return []
    recorded = set(referral.late_agreements.values_list("party", flat=True))
    return [label for value, label in LateReferralAgreement.Party.choices if value not in recorded]


# --- acceptance --------------------------------------------------------------------------


def referral_acceptance_blockers(*, referral: Referral, person_chosen: bool = False) -> list[str]:
    """What stops acceptance now. `person_chosen`: the person is being chosen in the same
    action, so a missing link is not a blocker."""
    blockers = []
    if not referral.acknowledged_at:
        blockers.append("Acknowledge the referral first.")
    if referral.status == S.MORE_INFO:
        blockers.append("Wait for the social worker to add the information you asked for.")
    if referral.person_id is None and not person_chosen:
        blockers.append("Check whether the client is already known: link the referral to a person or record a new one.")
    missing = late_agreements_missing(referral=referral)
    if missing:
        blockers.append(
            "This referral came in outside the referral window. Record the written "
            "agreement of " + ", ".join(missing) + "."
        )
    return blockers


# Opens the case for an accepted referral: cases registers it from CasesConfig.ready(), so
# referrals, below cases, never imports it.
_CASE_OPENERS: list = []


def referral_accepted_opens_case(case_open) -> None:
    """Declare the service that opens a case when a referral is accepted:
    `case_open(*, referral, practitioner, user) -> case`."""
    _CASE_OPENERS[:] = [case_open]


@transaction.atomic
def referral_accept(*, referral: Referral, user: User):
    (case_open,) = _CASE_OPENERS
    referral = _locked_for_triage(referral)
    blockers = referral_acceptance_blockers(referral=referral)
    if blockers:
        raise ReferralError(" ".join(blockers))
    now = timezone.now()
    referral.status = S.ACCEPTED
    referral.decided_at, referral.decided_by = now, user
    referral.version += 1
    referral.save()
    case = case_open(referral=referral, practitioner=user, user=user)
    notification_cancel(subject=referral)
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=referral,
        detail={"event": "accepted", "case": case.pk},
    )
    _tell_referrer(
        referral,
        "referral.accepted",
        f"Referral {referral.reference} has been accepted and a case opened. "
        f"{user.full_name} will be in touch to arrange the case consultation.",
    )
    return case


# Reopening, instead of opening, the person's case closed in the last six months: cases
# registers how to find and reopen it (CasesConfig.ready()).
_CASE_REOPENING: dict = {}


def referral_accepted_may_reopen_case(*, find, reopen) -> None:
    """Declare `find(*, referral) -> case | None` (the case acceptance may reopen) and
    `reopen(*, case, user, reason, new_referral) -> case`."""
    _CASE_REOPENING.update(find=find, reopen=reopen)


def referral_reopenable_case(*, referral: Referral):
    """The person's recently closed case that accepting this referral may reopen, or None."""
    find = _CASE_REOPENING.get("find")
    return find(referral=referral) if find else None


@transaction.atomic
def referral_accept_reopening(*, referral: Referral, user: User, reason: str):
    """Accept the referral by reopening the person's recently closed case instead of opening a
    new one. The referral is accepted (it was received and taken on); the case keeps its
    history and reference."""
    referral = _locked_for_triage(referral)
    blockers = referral_acceptance_blockers(referral=referral)
    if blockers:
        raise ReferralError(" ".join(blockers))
    case = referral_reopenable_case(referral=referral)
    if case is None:
        raise ReferralError("There is no recently closed case of this person to reopen: open a new case.")
    now = timezone.now()
    referral.status = S.ACCEPTED
    referral.decided_at, referral.decided_by = now, user
    referral.version += 1
    referral.save()
    case = _CASE_REOPENING["reopen"](case=case, user=user, reason=reason, new_referral=referral)
    notification_cancel(subject=referral)
    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGED,
        record=referral,
        detail={"event": "accepted", "case": case.pk, "reopened": True},
    )
    _tell_referrer(
        referral,
        "referral.accepted",
        f"Referral {referral.reference} has been accepted: the client's earlier case {case.reference} "
        f"has been reopened. {user.full_name} will be in touch.",
    )
    return case


@transaction.atomic
def referral_link_and_accept(*, referral: Referral, user: User, person: Person | None, because: tuple[str, ...] = ()):
    """Accept in one confirmed action: link the person (or record a new one) and open the
    case; if acceptance is refused, the link is not kept either."""
    referral_link_person(referral=referral, user=user, person=person, because=because)
    return referral_accept(referral=referral, user=user)


def acknowledgement_overdue(referral: Referral, today=None) -> bool:
    today = today or timezone.localdate()
    return (
        referral.acknowledged_at is None
        and referral.acknowledgement_due is not None
        and referral.status in (S.SUBMITTED, S.MORE_INFO)
        and today > referral.acknowledgement_due
    )
