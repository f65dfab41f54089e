"""The notes tab of a case and the page that corrects a note (or adds an addendum to it).
Every read is audited: the case page, and the ids of the notes it showed."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from cases.views.shell import case_for_page, case_page_render
from eip import access
from eip.audit.models import AuditEvent
from eip.audit.services import audit_list_viewed, audit_record
from eip.forms_util import error_summary, submit

from . import selectors, services
from .forms import AddendumForm, CaseNoteForm
from .models import CaseNote


def _can_write(user, case) -> bool:
    return access.allowed(user, "case_note.write", case) and case.referral.anonymised_at is None


@access.policy("case_note.view")
def case_notes(request, pk):
    case = case_for_page(request, pk, "case_note.view")
    can_write = _can_write(request.user, case)
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    form = CaseNoteForm(request.POST or None) if can_write else None
    if request.method == "POST" and submit(
        request,
        form,
        lambda _: services.case_note_write(case=case, user=request.user, **form.service_arguments()),
        "Note saved.",
    ):
        return redirect("case-notes", pk=pk)
    search = request.GET.get("q", "").strip()[: selectors.SEARCH_MAX]
    notes = selectors.case_notes_page(user=request.user, case=case, search=search, page=request.GET.get("page"))
    shown = [n.pk for note in notes for n in (note, *note.visible_addenda)]
    audit_list_viewed(
        actor=request.user, model=CaseNote, ids=shown, label=f"notes on case {case.reference}", page="case-notes"
    )
    now = timezone.now()
    return case_page_render(
        request,
        case,
        "case_notes/case_notes.html",
        "case-notes",
        form=form,
        notes=notes,
        search=search,
        can_write_notes=can_write,
        correctable={n.pk for n in notes if services.note_correctable(n, request.user, now=now)},
        shared_only=not access.allowed(request.user, "case_note.view_unshared", case),
        errors=error_summary(form) if form is not None else [],
    )


@access.policy("case_note.write")
def case_note_correct(request, pk, note_pk):
    """Within the window, the author corrects the note itself; otherwise anyone who writes notes
    adds an addendum beneath it."""
    case = case_for_page(request, pk, "case_note.write", audit=False)
    note = (
        selectors.notes_visible(user=request.user, case=case)
        .filter(pk=note_pk, corrects__isnull=True)
        .select_related("written_by")
        .first()
    )
    if note is None:
        raise Http404
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED,
        record=case,
        detail={"page": "case-note-correct", "case_note": note.pk},
    )
    if not _can_write(request.user, case):
        raise PermissionDenied
    in_window = services.note_correctable(note, request.user)
    data = request.POST or None
    if in_window:
        form = CaseNoteForm(data, initial=CaseNoteForm.initial_from(note), shared=note.shared_at is not None)
        perform = lambda _: services.case_note_correct(  # noqa: E731
            note=note, user=request.user, **form.service_arguments()
        )
        done = "Note corrected."
    else:
        form = AddendumForm(data, partner_note=note.partner_information or note.partner_related)
        perform = lambda d: services.case_note_add_addendum(  # noqa: E731
            note=note, user=request.user, text=d["text"], partner_information=d.get("partner_information", False)
        )
        done = "Addendum added. The original note stays as it was written."
    if request.method == "POST" and submit(request, form, perform, done):
        return redirect(f"{reverse('case-notes', args=[case.pk])}#note-{note.pk}")
    addenda = list(
        selectors.notes_visible(user=request.user, case=case)
        .filter(corrects=note)
        .select_related("written_by")
        .order_by("written_at", "pk")
    )
    return case_page_render(
        request,
        case,
        "case_notes/note_correct.html",
        "case-notes",
        form=form,
        note=note,
        addenda=addenda,
        in_window=in_window,
        window_minutes=int(services.CORRECTION_WINDOW.total_seconds() // 60),
        errors=error_summary(form),
    )
