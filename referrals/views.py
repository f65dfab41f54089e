import copy

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from eip import access, outbound
from eip.audit.models import AuditEvent
from eip.audit.services import audit_list_viewed, audit_record
from eip.forms_util import error_summary, submit
from eip.paging import page_counted
from eip.people.models import Role
from eip.workdays import receipt_rule, working_day_received

from . import amending as amending_
from . import inbox, services, steps
from .forms import (
    AcknowledgeForm,
    DeclineForm,
    LateAgreementForm,
    PartnerForm,
    ReferralForm,
    RequestInformationForm,
    WithdrawForm,
    child_formset,
)
from .models import AddressChange, Person, Referral
from .selectors import referral_list_for_user


def _referral_for(request, pk, action="referral.view"):
    return access.get_for_user(
        request.user,
        action,
        Referral.objects.select_related("borough", "referrer", "person", "acknowledged_by"),
        pk=pk,
    )


@access.policy("referral.list")
def referral_list(request):
    """The working inbox: tabs, search, borough and team filters, overdue and high risk first.
    A social worker's list is their own referrals, drafts included."""
    user = request.user
    scope = referral_list_for_user(user=user)
    if user.role == Role.SOCIAL_WORKER:
        title, tabs, default_tab = "Your referrals", None, "all"
    else:
        title = "Referral inbox" if user.role == Role.PRACTITIONER else "All referrals"
        if user.role == Role.BOROUGH_SPOC:
            title = f"Referrals from {user.borough.name}"
        tabs, default_tab = inbox.TABS, "to_acknowledge"
    searching = bool(request.GET.get("q", "").strip())
    tab = request.GET.get("tab") or ("all" if searching else default_tab)
    if tab not in inbox.TABS:
        tab = default_tab
    filters = inbox.InboxFilter(request.GET or None, queryset=scope)
    filtered = filters.qs if filters.is_bound and filters.is_valid() else scope
    today = timezone.localdate()
    sort = request.GET.get("sort", "")
    listed = inbox.inbox_queryset(referrals=filtered, tab=tab, today=today, sort=sort)
    page = page_counted(inbox.inbox_rows(listed), 50, request.GET.get("page"), fields=inbox.ROW_FIELDS)
    audit_list_viewed(
        actor=user,
        model=Referral,
        ids=[row.pk for row in page.object_list],
        label=f"{title}, page {page.number}",
        page="referral-list",
    )
    counts = inbox.inbox_tab_counts(referrals=filtered) if tabs else {}
    kept = request.GET.copy()
    for name in ("page", "tab"):
        kept.pop(name, None)
    return render(
        request,
        "referrals/referral_list.html",
        {
            "page": page,
            "rows": inbox.rows_html(page.object_list, today=today),
            "columns": inbox.column_headings(request.GET, sort),
            "pages": inbox.page_links(request.GET, page),
            "form": filters.form,
            "fields": inbox.search_fields(filters.form, filters=user.role != Role.SOCIAL_WORKER),
            "title": title,
            "tabs": [(key, label, counts.get(key)) for key, (label, _) in tabs.items()] if tabs else [],
            "tab": tab,
            "query_without_tab": kept.urlencode(),
            "searching": searching,
        },
    )


@access.policy("referral.create")
def referral_new(request):
    """The first question page: answering it starts the draft."""
    refusal = services.isa_refusal(request.user.borough)
    if refusal:
        return render(request, "referrals/referral_not_possible.html", {"reason": refusal})
    return _step(request, Referral(referrer=request.user, borough=request.user.borough), steps.STEPS[0])


def _step_named(slug):
    if slug not in steps.BY_SLUG:
        raise Http404
    return steps.BY_SLUG[slug]


@access.policy("referral.edit")
def referral_step(request, pk, step):
    referral = _referral_for(request, pk, "referral.edit")
    step = _step_named(step)
    _audit_form_viewed(request, referral, step)
    return _step(request, referral, step)


@access.policy("referral.amend")
def referral_amend_step(request, pk, step):
    referral = _referral_for(request, pk, "referral.amend")
    step = _step_named(step)
    _audit_form_viewed(request, referral, step, page="referral-amend")
    return _step(request, referral, step, amending=True)


def _audit_form_viewed(request, referral, step=None, page="referral-edit"):
    # The form shows everything the referrer wrote, the partner's details included.
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED,
        record=referral,
        detail={"page": page, "partner_details": True, **({"step": step.slug} if step else {})},
    )


def _step_forms(step, referral, data=None):
    """The forms of one question page, bound to `data` when it was posted."""
    if step.kind == "partner":
        return {"partner": PartnerForm(data, instance=referral.partner if referral.pk else None)}
    if step.kind == "children":
        return {"children": child_formset(referral=referral, data=data)}
    return {"": ReferralForm(data, instance=referral, only=step.fields)}


def _step_url(referral, step, *, amending=False, returning=False):
    url = reverse("referral-amend-step" if amending else "referral-step", args=[referral.pk, step.slug])
    return url + "?return=check" if returning else url


def _check_url(referral, *, amending=False):
    return reverse("referral-amend" if amending else "referral-edit", args=[referral.pk])


def _step(request, referral, step, *, amending=False):
    """Show a question page, or store its answers and go on: to the next page, or back to
    "Check your answers" when the page was opened from there (and always when amending)."""
    returning = amending or request.GET.get("return") == "check"
    if request.method != "POST":
        return _render_step(request, referral, step, _step_forms(step, referral), amending, returning)
    forms_ = _step_forms(step, referral, request.POST)
    action = request.POST.get("action", "continue")
    # A question page asks for its answers before moving on ("Save and come back later" keeps
    # an unfinished page). Checked before storing: nothing is stored while an error is shown.
    if all(form.is_valid() for form in forms_.values()) and action == "continue":
        _add_step_errors(steps.step_missing(step=step, referral=referral), forms_)
    if any(not form.is_valid() for form in forms_.values()):
        # Nothing is stored; the page comes back with everything as it was typed.
        return _render_step(request, referral, step, forms_, amending, returning)
    try:
        referral = _step_store(request, referral, step, forms_, amending)
    except services.ReferralIncomplete as incomplete:
        _add_step_errors(incomplete.errors, forms_)
        return _render_step(request, referral, step, forms_, amending, returning)
    except services.ReferralError as refused:
        _add_page_error(forms_, str(refused))
        return _render_step(request, referral, step, forms_, amending, returning)
    if getattr(referral, "address_change_held", False):
        messages.info(request, "The new safe address is waiting for a second person to confirm it.")
    return redirect(_step_next(request, referral, step, action, amending, returning))


@transaction.atomic
def _step_store(request, referral, step, forms_, amending):
    """Store one page's answers in the draft (or, amending, as a logged change)."""
    children_form = forms_.get("children")
    kids = None if children_form is None else [c for c in (f.to_child() for f in children_form.forms) if c]
    version = request.POST.get("version", "")
    expected = int(version) if version.isdigit() and len(version) < 10 else -1
    if referral.pk is None:
        # The first page answered starts the draft.
        referral = services.referral_create(referrer=request.user)
        forms_.update(_step_forms(step, referral, request.POST))
        [form.is_valid() for form in forms_.values()]
        expected = referral.version
    partner = forms_["partner"].instance if "partner" in forms_ else referral.partner
    store = amending_.referral_amend if amending else services.referral_save
    store(referral=referral, partner=partner, children=kids, user=request.user, expected_version=expected)
    return referral


def _step_next(request, referral, step, action, amending, returning) -> str:
    if amending:
        messages.success(
            request, f"Your change to referral {referral.reference} has been sent. The practitioners have been told."
        )
        return _check_url(referral, amending=True)
    if action == "add_child":
        messages.info(request, "Your answers have been saved. Add the next child below.")
        return _step_url(referral, step, returning=returning) + "#children"
    if action == "save":
        messages.success(request, "Your referral has been saved as a draft. It has not been sent yet.")
        return _check_url(referral)
    following = steps.step_after(step)
    if returning or following is None:
        return _check_url(referral)
    return _step_url(referral, following)


def _add_page_error(forms_, message, field=None):
    form = next(iter(forms_.values()))
    form = form.forms[0] if hasattr(form, "forms") else form
    form.add_error(field if field in form.fields else None, message)


def _add_step_errors(errors, forms_):
    """A service's field -> message errors, beside the fields of this page they concern."""
    for key, message in errors.items():
        prefix, _, name = key.rpartition("-")
        if prefix in forms_ and name in getattr(forms_[prefix], "fields", ()):
            forms_[prefix].add_error(name, message)
        else:
            _add_page_error(forms_, message, key)


def _render_step(request, referral, step, forms_, amending, returning):
    before = steps.step_before(step)
    if returning:
        back = _check_url(referral, amending=amending)
    elif before is not None and referral.pk:
        back = _step_url(referral, before)
    else:
        back = reverse("referral-list")
    number = steps.STEPS.index(step) + 1
    return render(
        request,
        "referrals/referral_step.html",
        {
            "referral": referral,
            "step": step,
            "number": number,
            "steps_count": len(steps.STEPS),
            "form": forms_.get(""),
            "partner_form": forms_.get("partner"),
            "children": forms_.get("children"),
            "errors": error_summary(*forms_.values()),
            "amending": amending,
            "returning": returning,
            "back": back,
            "action": request.get_full_path(),
            "version": referral.version,
            "receipt_rule": receipt_rule(),
        },
    )


def _answers_labels():
    labels = {name: field.label for name, field in ReferralForm().fields.items()}
    labels.update({f"partner-{name}": field.label for name, field in PartnerForm().fields.items()})
    return labels


def _render_check(request, referral, *, amending, errors=()):
    return render(
        request,
        "referrals/referral_check.html",
        {
            "referral": referral,
            "sections": [
                {**section, "change": _step_url(referral, section["step"], amending=amending, returning=True)}
                for section in steps.check_answers(referral=referral, labels=_answers_labels())
            ],
            "amending": amending,
            "check_errors": errors,
            "receipt_rule": receipt_rule(),
        },
        status=400 if errors else 200,
    )


@access.policy("referral.edit")
def referral_edit(request, pk):
    """Check your answers, then send: the draft's answers by question page, each with a
    Change link that comes back here."""
    referral = _referral_for(request, pk, "referral.edit")
    _audit_form_viewed(request, referral)
    if request.method != "POST":
        return _render_check(request, referral, amending=False)
    try:
        services.referral_submit(referral=referral, user=request.user)
    except services.ReferralIncomplete as incomplete:
        errors = [
            (_step_url(referral, steps.step_of(field), returning=True), message)
            for field, message in incomplete.errors.items()
        ]
        return _render_check(request, referral, amending=False, errors=errors)
    except services.ReferralError as refused:
        return _render_check(request, referral, amending=False, errors=[("#main-content", str(refused))])
    referral.refresh_from_db()
    received = timezone.localtime(referral.received_at)
    messages.success(
        request,
        f"Referral {referral.reference} has been sent. It was received at {received:%H:%M} on "
        f"{received:%A %-d %B}, so the 3 working days count from "
        f"{working_day_received(referral.received_at):%A %-d %B}: a practitioner will acknowledge it by "
        f"{referral.acknowledgement_due:%A %-d %B %Y}. {receipt_rule()}",
    )
    return redirect("referral-detail", pk=referral.pk)


@access.policy("referral.view")
def referral_detail(request, pk):
    referral = _referral_for(request, pk)
    user = request.user
    show_partner = access.allowed(user, "referral.view_partner", referral)
    audit_record(actor=user, action=AuditEvent.Action.VIEWED, record=referral, detail={"partner_details": show_partner})
    can_triage = access.allowed(user, "referral.triage", referral) and referral.is_open_for_triage
    context = {
        "referral": referral,
        "show_partner": show_partner,
        "partner": referral.partner if show_partner else None,
        "children": list(referral.children.all()) if show_partner else [],
        "can_edit": access.allowed(user, "referral.edit", referral),
        "can_amend": referral.status != Referral.Status.MORE_INFO and access.allowed(user, "referral.amend", referral),
        "changes": [
            (change, [c for c in change.changes if show_partner or not c["partner"]])
            for change in referral.changes.select_related("changed_by")
        ],
        "can_triage": can_triage,
        "overdue": services.acknowledgement_overdue(referral),
        "case": getattr(referral, "case", None) if referral.status == Referral.Status.ACCEPTED else None,
    }
    if show_partner and access.allowed(user, "referral.confirm_address", referral):
        context["address_changes"] = list(
            AddressChange.objects.filter(partner__referral=referral, status="pending").select_related("requested_by")
        )
    if can_triage:
        context["blockers"] = services.referral_acceptance_blockers(referral=referral, person_chosen=True)
        context["matches"] = services.person_matches_for_referral(referral=referral)
        if context["matches"]:
            audit_list_viewed(
                actor=user,
                model=Person,
                ids=[match.person.pk for match in context["matches"]],
                label=f"People who may be the client of {referral.audit_label()}",
                page="referral-detail",
            )
        context["agreements"] = list(referral.late_agreements.all())
        context["missing_agreements"] = services.late_agreements_missing(referral=referral)
    return render(request, "referrals/referral_detail.html", context)


def _triage_form(request, pk, form_class, template, perform, success):
    referral = _referral_for(request, pk, "referral.triage")
    if not referral.is_open_for_triage:
        messages.info(
            request,
            f"Referral {referral.reference} has already been {referral.get_status_display().lower()}.",
        )
        return redirect("referral-detail", pk=pk)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED,
        record=referral,
        detail={"page": request.resolver_match.url_name},
    )
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and submit(request, form, lambda data: perform(referral, data), success(referral)):
        return redirect("referral-detail", pk=pk)
    context = {"referral": referral, "form": form, "errors": error_summary(form)}
    context["overdue"] = services.acknowledgement_overdue(referral)
    return render(request, template, context)


@access.policy("referral.triage")
def referral_acknowledge(request, pk):
    return _triage_form(
        request,
        pk,
        AcknowledgeForm,
        "referrals/referral_acknowledge.html",
        lambda r, d: services.referral_acknowledge(
            referral=r, user=request.user, consultation_timeline=d["consultation_timeline"]
        ),
        lambda r: f"Referral {r.reference} acknowledged. The social worker has been told.",
    )


@access.policy("referral.triage")
def referral_request_information(request, pk):
    return _triage_form(
        request,
        pk,
        RequestInformationForm,
        "referrals/referral_request_information.html",
        lambda r, d: services.referral_request_information(referral=r, user=request.user, request=d["request"]),
        lambda r: f"The social worker has been asked for more information about {r.reference}.",
    )


@access.policy("referral.triage")
def referral_decline(request, pk):
    return _triage_form(
        request,
        pk,
        DeclineForm,
        "referrals/referral_decline.html",
        lambda r, d: services.referral_decline(referral=r, user=request.user, **d),
        lambda r: f"Referral {r.reference} declined. The social worker has been told.",
    )


@access.policy("referral.triage")
def referral_late_agreement(request, pk):
    return _triage_form(
        request,
        pk,
        LateAgreementForm,
        "referrals/referral_late_agreement.html",
        lambda r, d: services.referral_record_late_agreement(referral=r, user=request.user, **d),
        lambda r: "Agreement recorded.",
    )


def _chosen_person(referral, choice):
    """The person picked on the page: one of the candidates offered (the list is the access
    check), or None for a new person. Raises KeyError for anything else."""
    if choice == "new":
        return None, ()
    candidates = {str(m.person.pk): m for m in services.person_matches_for_referral(referral=referral)}
    match = candidates[choice]
    return match.person, (f"score {match.score}", *match.reasons, *match.against)


@access.policy("referral.triage")
def referral_person(request, pk):
    """Link the referral to a person already known, or record a new one."""
    referral = _referral_for(request, pk, "referral.triage")
    if request.method != "POST":
        return redirect(reverse("referral-detail", args=[pk]) + "#person")
    try:
        person, because = _chosen_person(referral, request.POST.get("person", ""))
    except KeyError:
        messages.error(request, "Select one of the people listed, or ‘This is a new person’.")
        return redirect(reverse("referral-detail", args=[pk]) + "#person")
    try:
        services.referral_link_person(referral=referral, user=request.user, person=person, because=because)
    except services.ReferralError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            "The referral is linked to a new person."
            if person is None
            else "The referral is linked to a person already known to the programme.",
        )
    return redirect("referral-detail", pk=pk)


class _NoOutcomeChosen(Exception):
    pass


def _accept_posted(request, referral, needs_person, reopenable):
    """Act on the acceptance page's answer: (a response when done, the person error, the
    reopening error)."""
    pk = referral.pk
    error = outcome_error = ""

    def redirect_to(*args, **kwargs):
        return redirect(*args, **kwargs), "", ""

    outcome = request.POST.get("outcome", "")
    try:
        if needs_person:
            person, because = _chosen_person(referral, request.POST.get("person", ""))
            if person is not None and _has_reopenable_case(referral, person):
                # Known, with a case closed lately: link them, then offer to reopen it.
                services.referral_link_person(referral=referral, user=request.user, person=person, because=because)
                messages.info(request, "This person's case closed recently: choose whether to reopen it.")
                return redirect_to("referral-accept", pk=pk)
            services.referral_link_and_accept(referral=referral, user=request.user, person=person, because=because)
        elif reopenable is not None and outcome not in ("new", "reopen"):
            raise _NoOutcomeChosen
        elif reopenable is not None and outcome == "reopen":
            reason = request.POST.get("reopen_reason", "").strip()[:2000]
            services.referral_accept_reopening(
                referral=referral,
                user=request.user,
                reason=reason or f"Referred again (referral {referral.reference})",
            )
            messages.success(
                request, f"Referral {referral.reference} accepted and case {reopenable.reference} reopened."
            )
            return redirect_to("referral-detail", pk=pk)
        else:
            services.referral_accept(referral=referral, user=request.user)
    except KeyError:
        error = "Select who the client is: one of the people listed, or a new person"
    except _NoOutcomeChosen:
        outcome_error = "Choose whether to reopen the earlier case or open a new one"
    except services.ReferralError as refused:
        messages.error(request, str(refused))
        return redirect_to("referral-detail", pk=pk)
    else:
        messages.success(request, f"Referral {referral.reference} accepted and a case opened.")
        return redirect_to("referral-detail", pk=pk)
    return None, error, outcome_error


def _has_reopenable_case(referral, person) -> bool:
    probe = copy.copy(referral)
    probe.person_id = person.pk
    return services.referral_reopenable_case(referral=probe) is not None


@access.policy("referral.triage")
def referral_accept(request, pk):
    """Accept in one confirmed action: the page says what will happen (and asks who the
    client is, if no one is linked yet); confirming links the person and opens the case."""
    referral = _referral_for(request, pk, "referral.triage")
    if not referral.is_open_for_triage:
        messages.info(
            request, f"Referral {referral.reference} has already been {referral.get_status_display().lower()}."
        )
        return redirect("referral-detail", pk=pk)
    needs_person = referral.person_id is None
    reopenable = None if needs_person else services.referral_reopenable_case(referral=referral)
    error = outcome_error = ""
    if request.method == "POST":
        done, error, outcome_error = _accept_posted(request, referral, needs_person, reopenable)
        if done is not None:
            return done
    audit_record(
        actor=request.user, action=AuditEvent.Action.VIEWED, record=referral, detail={"page": "referral-accept"}
    )
    matches = services.person_matches_for_referral(referral=referral) if needs_person else []
    if matches:
        audit_list_viewed(
            actor=request.user,
            model=Person,
            ids=[match.person.pk for match in matches],
            label=f"People who may be the client of {referral.audit_label()}",
            page="referral-accept",
        )
    return render(
        request,
        "referrals/referral_accept.html",
        {
            "referral": referral,
            "needs_person": needs_person,
            "matches": matches,
            "blockers": services.referral_acceptance_blockers(referral=referral, person_chosen=True),
            "errors": [("person", error)] if error else [("outcome", outcome_error)] if outcome_error else [],
            "person_error": error,
            "outcome_error": outcome_error,
            "reopenable": reopenable,
            "typed": request.POST.get("person", ""),
        },
        status=400 if error or outcome_error else 200,
    )


@access.policy("referral.triage")
def referral_agreement_document(request, pk, agreement_pk):
    referral = _referral_for(request, pk, "referral.triage")
    agreement = referral.late_agreements.filter(pk=agreement_pk).first()
    if agreement is None:
        raise Http404
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        record=referral,
        detail={"document": "late referral agreement", "agreement": agreement.pk},
    )
    # A partner agency's signed agreement, for the practitioners who triage: a professional
    # document, so the guard lets it through unread (a restricted audience would be checked).
    released = outbound.outbound_release(
        content=agreement.document,
        audience=outbound.audience_for(request.user),
        channel="download",
        concerning=[referral],
        user=request.user,
        label="a late referral agreement",
    )
    return released.document_response(
        agreement.document, download_name=f"{referral.reference}-agreement-{agreement.party}"
    )


@require_POST
@access.policy("referral.confirm_address")
def referral_address_change(request, pk, change_pk):
    referral = _referral_for(request, pk, "referral.confirm_address")
    change = AddressChange.objects.filter(partner__referral=referral, pk=change_pk).first()
    if change is None:
        raise Http404
    try:
        services.address_change_decide(
            change=change, user=request.user, confirm=request.POST.get("decision") == "confirm"
        )
    except services.ReferralError as refused:
        messages.error(request, str(refused))
    else:
        confirmed = request.POST.get("decision") == "confirm"
        messages.success(
            request,
            "The new safe address is saved."
            if confirmed
            else "The change was rejected; the safe address is unchanged.",
        )
    return redirect("referral-detail", pk=pk)


@access.policy("referral.amend")
def referral_amend(request, pk):
    """Change a referral already sent: its answers with a Change link for each question page.
    Each change is sent as it is made; the practitioners are told and it is logged."""
    referral = _referral_for(request, pk, "referral.amend")
    _audit_form_viewed(request, referral, page="referral-amend")
    return _render_check(request, referral, amending=True)


@access.policy("referral.amend")
def referral_withdraw(request, pk):
    referral = _referral_for(request, pk, "referral.amend")
    audit_record(
        actor=request.user, action=AuditEvent.Action.VIEWED, record=referral, detail={"page": "referral-withdraw"}
    )
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: amending_.referral_withdraw(referral=referral, user=request.user, reason=data["reason"]),
        f"Referral {referral.reference} has been withdrawn. The practitioners have been told.",
    ):
        return redirect("referral-detail", pk=pk)
    return render(
        request, "referrals/referral_withdraw.html", {"referral": referral, "form": form, "errors": error_summary(form)}
    )
