"""Writing the case journal: a note, its correction by its author within the window, an
addendum after it, and sharing a note with the referrer as a progress update. Every step is
one timeline event and one audit record through the case kernel."""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.kernel import CaseError, CaseIncomplete, EventKind, case_event_record, case_lock
from cases.progress_updates import progress_update_send

from .models import CaseNote, Contacted

# Long enough to fix a slip noticed straight after saving (a typo, the wrong time, the wrong
# box ticked) in the same sitting; short enough that nobody will have read the note and acted
# on it, so a change after this is visible as an addendum beside the original. It matches the
# idle sign-out: a correction belongs to the session the note was written in.
CORRECTION_WINDOW = timedelta(minutes=30)
# A note's time may be a little ahead of the server's clock (a phone's clock, a slow form).
FUTURE_LEEWAY = timedelta(minutes=5)

SHARE_FIELD = "share_with_referrer"
NOT_SHARED_PARTNER = (
    "A note with or about the partner or the children is never sent to the referrer as a progress update. "
    "Untick ‘share with the referrer’, or write the update in a separate note."
)


def _partner_related(contacted: str, partner_information: bool) -> bool:
    return contacted == Contacted.PARTNER or bool(partner_information)


def _check(*, case, contact_at, text, now) -> dict[str, str]:
    errors = {}
    if not (text or "").strip():
        errors["text"] = "Write the note"
    if contact_at is not None and contact_at > now + FUTURE_LEEWAY:
        errors["contact_day"] = "The contact cannot be in the future"
    if case.referral.anonymised_at is not None:
        raise CaseError("This case has been anonymised under the retention policy: notes can no longer be added.")
    return errors


def _summary(note: CaseNote, what: str) -> str:
    # What the timeline says of a note: never its text.
    return f"{what}: {note.get_method_display().lower()} with {note.get_contacted_display().lower()}"


def note_correctable(note: CaseNote, user, *, now=None) -> bool:
    """Whether `user` may still correct `note` in place: its author, within the window."""
    now = now or timezone.now()
    return note.corrects_id is None and note.written_by_id == user.pk and now - note.written_at <= CORRECTION_WINDOW


@transaction.atomic
def case_note_write(
    *,
    case,
    user,
    contact_at,
    contacted: str,
    method: str,
    text: str,
    partner_information: bool = False,
    share_with_referrer: bool = False,
) -> CaseNote:
    """Write a note of a contact on a case. `share_with_referrer` sends the social worker a
    progress update (a link to read it in EIP) once the transaction commits."""
    case = case_lock(case)
    now = timezone.now()
    errors = _check(case=case, contact_at=contact_at, text=text, now=now)
    partner_related = _partner_related(contacted, partner_information)
    if share_with_referrer and partner_related:
        errors[SHARE_FIELD] = NOT_SHARED_PARTNER
    if errors:
        raise CaseIncomplete(errors)
    note = CaseNote.objects.create(
        case=case,
        contact_at=contact_at,
        contacted=contacted,
        method=method,
        text=text.strip(),
        partner_information=bool(partner_information),
        partner_related=partner_related,
        written_by=user,
        written_at=now,
    )
    case_event_record(
        case,
        user,
        EventKind.NOTE,
        _summary(note, "Case note"),
        audit_detail={"case_note": note.pk},
        partner_related=partner_related,
    )
    if share_with_referrer:
        _share(note=note, case=case, user=user, now=now)
    return note


@transaction.atomic
def case_note_correct(
    *,
    note,
    user,
    contact_at,
    contacted: str,
    method: str,
    text: str,
    partner_information: bool = False,
    share_with_referrer: bool = False,
) -> CaseNote:
    """Correct a note in place: only its author, within CORRECTION_WINDOW of writing it."""
    case = case_lock(note.case)
    note = CaseNote.objects.select_for_update().get(pk=note.pk)
    now = timezone.now()
    if not note_correctable(note, user, now=now):
        raise CaseError(
            "This note can no longer be changed: only its author can correct it, within "
            f"{int(CORRECTION_WINDOW.total_seconds() // 60)} minutes of writing it. Add an addendum instead."
        )
    errors = _check(case=case, contact_at=contact_at, text=text, now=now)
    partner_related = _partner_related(contacted, partner_information)
    if partner_related and (share_with_referrer or note.shared_at):
        errors[SHARE_FIELD if share_with_referrer else "partner_information"] = (
            NOT_SHARED_PARTNER
            if share_with_referrer
            else "This note has been shared with the referrer, so it cannot hold the partner's or children's "
            "information. Write that in a separate note."
        )
    if errors:
        raise CaseIncomplete(errors)
    was_partner_related = note.partner_related
    note.contact_at, note.contacted, note.method, note.text = contact_at, contacted, method, text.strip()
    note.partner_information, note.partner_related = bool(partner_information), partner_related
    note.corrected_at = now
    note.save()
    case_event_record(
        case,
        user,
        EventKind.NOTE_CORRECTED,
        _summary(note, "Case note corrected"),
        audit_detail={"case_note": note.pk},
        # Kept from those who may not see the partner if it was about the partner before or after.
        partner_related=partner_related or was_partner_related,
    )
    if share_with_referrer and note.shared_at is None:
        _share(note=note, case=case, user=user, now=now)
    return note


@transaction.atomic
def case_note_add_addendum(*, note, user, text: str, partner_information: bool = False) -> CaseNote:
    """Add to or correct a note after its window: the original stays as written and the
    addendum is shown beneath it. An addendum to a partner note is a partner note; an addendum
    to a note shared with the referrer is sent to them too, unless it is about the partner."""
    case = case_lock(note.case)
    if note.corrects_id is not None:
        note = note.corrects  # an addendum adds to the original note, never to another addendum
    now = timezone.now()
    errors = _check(case=case, contact_at=None, text=text, now=now)
    if errors:
        raise CaseIncomplete(errors)
    partner_information = bool(partner_information) or note.partner_information
    addendum = CaseNote.objects.create(
        case=case,
        corrects=note,
        contact_at=note.contact_at,
        contacted=note.contacted,
        method=note.method,
        text=text.strip(),
        partner_information=partner_information,
        partner_related=_partner_related(note.contacted, partner_information),
        written_by=user,
        written_at=now,
    )
    case_event_record(
        case,
        user,
        EventKind.NOTE_ADDENDUM,
        _summary(note, "Addendum to a case note"),
        audit_detail={"case_note": addendum.pk, "corrects": note.pk},
        partner_related=addendum.partner_related,
    )
    if note.shared_at is not None and not addendum.partner_related:
        _notify_referrer(case=case, note=note, key=f"case:{case.pk}:note:{addendum.pk}:addendum", correction=True)
    return addendum


def _notify_referrer(*, case, note, key, correction=False):
    """The referrer's e-mail carries the case reference and a link, never the note: the text
    stays inside EIP, where reading it needs the referrer's sign-in and is audited."""
    what = "An addendum has been added to a progress update" if correction else "There is a new progress update"
    return progress_update_send(
        case=case,
        key=key,
        link=f"{reverse('case-notes', args=[case.pk])}#note-{note.pk}",
        message=f"{what} on case {case.reference}. Sign in to EIP to read it.",
    )


def _share(*, note, case, user, now):
    if not case.referrer.is_active:
        raise CaseIncomplete(
            {SHARE_FIELD: "The referrer's account is closed, so nobody would receive the update. Untick it."}
        )
    note.shared_at = now
    note.save(update_fields=["shared_at"])
    _notify_referrer(case=case, note=note, key=f"case:{case.pk}:note:{note.pk}:shared")
    case_event_record(
        case,
        user,
        EventKind.PROGRESS_UPDATE,
        "Progress update shared with the referrer (a case note)",
        audit_detail={"case_note": note.pk},
    )
