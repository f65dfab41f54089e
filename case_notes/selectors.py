"""Reading case notes: which a user may see (the one place that decides it), the notes tab's
page, the client's own notes for a subject access export, and partner notes' text for the
outbound guard."""

import re

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from eip import access

from .models import CaseNote

PER_PAGE = 20
SEARCH_MAX = 200


def notes_visible(*, user, case) -> QuerySet[CaseNote]:
    """Every note and addendum on `case` that `user` may read. Notes about the partner only for
    the roles allowed the partner section (never the borough SPOC); a social worker only the
    notes shared with them as progress updates, and the addenda to those."""
    notes = CaseNote.objects.filter(case=case)
    if not access.allowed(user, "case_note.view", case):
        return notes.none()
    if not access.allowed(user, "case.view_partner", case):
        notes = notes.filter(partner_related=False)
    if not access.allowed(user, "case_note.view_unshared", case):
        notes = notes.filter(partner_related=False).filter(
            Q(shared_at__isnull=False) | Q(corrects__shared_at__isnull=False)
        )
    return notes


def case_notes_page(*, user, case, search: str = "", page=None):
    """One page of a case's notes as `user` may see them, newest contact first, each with its
    visible addenda (oldest first). `search` matches the text of a note or of its visible
    addenda. The same number of queries however many notes the case holds."""
    visible = notes_visible(user=user, case=case)
    notes = visible.filter(corrects__isnull=True).select_related("written_by")
    search = (search or "").strip()[:SEARCH_MAX]
    if search:
        notes = notes.filter(
            Q(text__icontains=search) | Exists(visible.filter(corrects=OuterRef("pk"), text__icontains=search))
        )
    notes = notes.prefetch_related(
        Prefetch(
            "addenda",
            queryset=visible.filter(corrects__isnull=False).select_related("written_by").order_by("written_at", "pk"),
            to_attr="visible_addenda",
        )
    )
    return Paginator(notes, PER_PAGE).get_page(page)


def client_notes_for_subject_access(*, case) -> list[CaseNote]:
    """The notes that go into the client's subject access export: none about the partner or
    the children, and none of their addenda that are."""
    shown = CaseNote.objects.filter(case=case, partner_related=False)
    return list(
        shown.filter(corrects__isnull=True)
        .prefetch_related(Prefetch("addenda", queryset=shown.order_by("written_at", "pk"), to_attr="visible_addenda"))
        .order_by("contact_at", "pk")
    )


def partner_notes_count(*, case) -> int:
    return CaseNote.objects.filter(case=case, partner_related=True).count()


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def note_identifiers(referrals, keep=None):
    """For eip.outbound: every sentence of a note about the partner is third-party text of its
    case's referral, so no output for the client, housing, finance, the evaluator or the
    borough SPOC (nor any e-mail or text message) can carry it, whatever else it holds. In
    referral order."""
    from eip.outbound import Identifier

    notes = CaseNote.objects.filter(partner_related=True).values_list("case__referral_id", "text")
    if referrals is None:
        rows = notes.order_by("case__referral_id", "pk").iterator(chunk_size=2000)
    else:
        rows = notes.filter(case__referral_id__in=referrals).order_by("case__referral_id", "pk")
    for referral_id, text in rows:
        # The whole text, and each sentence of three words or more (a quoted sentence is caught;
        # "No answer." alone is too common to mean the partner).
        sentences = {s.strip() for s in _SENTENCE_END.split(text) if len(s.split()) >= 3}
        for sentence in sorted({text.strip(), *sentences}):
            if sentence and (keep is None or keep([("text", sentence)])):
                yield Identifier(referral_id, "partner", "text", sentence, "a case note about the partner")
