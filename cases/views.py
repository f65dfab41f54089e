"""Case screens. Every view reaches its case through case_get_for_user(), and every view of
a case record is audited."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from eip import access, outbound
from eip.audit.models import AuditEvent
from eip.audit.services import audit_list_viewed, audit_record
from eip.forms_util import add_errors, error_summary, submit
from eip.people.models import Role

from . import break_glass, forms, kernel, services
from .models import Case, Consent, EmergencyAccess, OnwardReferral, RiskAction
from .selectors import (
    case_get_for_user,
    case_with_due_facts,
    caseload_for_user,
    caseload_overdue_first,
    due_items,
    emergency_access_activity,
    weeks_open,
)
from .selectors import (
    emergency_access_queue as emergency_access_queue_rows,
)
from .tabs import CASE_TABS, tab_panels
from .tasks import invitation_for


def case_for_page(request, pk, action="case.view", *, audit=True):
    """The case a case page shows, through the one gate, and the view audited (public: the
    assessments and accommodation tabs use it too)."""
    case = case_get_for_user(user=request.user, pk=pk, action=action)
    if audit:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEWED,
            record=case,
            detail={"page": request.resolver_match.url_name},
        )
    return case


def case_page_render(request, case, template, current, **context):
    """A case page in the shell every tab shares: the case's header, what is due and the
    tabs this user may open, with `current` (a URL name) marked."""

    user = request.user
    annotated = case_with_due_facts(case=case)
    show_partner = access.allowed(user, "case.view_partner", case)
    context.update(
        {
            "case": annotated,
            "sections": [
                {"text": tab.text, "href": reverse(tab.url_name, args=[case.pk]), "current": tab.url_name == current}
                for tab in CASE_TABS
                if access.allowed(user, tab.action, case)
            ],
            "due": due_items(annotated, partner_matters=show_partner),
            "weeks_open": weeks_open(annotated),
            "can_work": access.allowed(user, "case.work", case) and case.is_open,
            "can_consent": access.allowed(user, "case.consent", case),
            "show_partner": show_partner,
            "panels": tab_panels(request, annotated, current),
        }
    )
    context.setdefault("errors", [])
    return render(request, template, context)


# --- lists -------------------------------------------------------------------------------


CASELOAD_FIELDS = (
    "stage",
    "opened_at",
    "intervention_started_on",
    "exit_started_on",
    "closed_at",
    "referral",
    "practitioner",
    "borough",
    "version",
)


@access.policy("case.list")
def case_list(request):
    user = request.user
    team_view = user.role == Role.SUPERVISOR
    form = forms.CaseloadFilterForm(request.GET or None, show_practitioner=team_view)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = caseload_for_user(
        user=user,
        practitioner=filters.get("practitioner"),
        stage=filters.get("stage", ""),
        search=filters.get("search", ""),
        include_closed=user.role in (Role.SOCIAL_WORKER, Role.BOROUGH_SPOC),
    )
    # Only what a row shows and what is due needs: a referral carries some fifty columns.
    cases = (
        cases.select_related(None)
        .select_related("referral", "practitioner")
        .only(
            *CASELOAD_FIELDS,
            "referral__reference",
            "referral__client_first_name",
            "referral__client_last_name",
            "practitioner__full_name",
        )
    )
    today = timezone.localdate()
    # Asked of the role, not of each case: the borough SPOC never sees partner matters.
    partner_matters = access.allowed(user, "case.view_partner")
    # Overdue first and the overdue count over the whole caseload, before it is paged.
    cases, total, overdue_count = caseload_overdue_first(cases, partner_matters=partner_matters, today=today)
    paginator = Paginator(cases, 50)
    paginator.count = total  # counted with the overdue cases, in the same query
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        {"case": case, "due": due_items(case, today, partner_matters=partner_matters), "weeks": weeks_open(case, today)}
        for case in page.object_list
    ]
    titles = {
        Role.PRACTITIONER: "Your caseload",
        Role.SUPERVISOR: "Team caseload",
        Role.SOCIAL_WORKER: "Cases from your referrals",
        Role.BOROUGH_SPOC: f"Cases in {user.borough.name if user.borough else ''}",
    }
    audit_list_viewed(
        actor=user,
        model=Case,
        ids=[row["case"].pk for row in rows],
        label=f"{titles.get(user.role, 'Cases')}, page {page.number}",
        page="case-list",
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "rows": rows,
            "page": page,
            "form": form,
            "title": titles.get(user.role, "Cases"),
            "show_practitioner": team_view,
            "query": query.urlencode(),
            "overdue_count": overdue_count,
        },
    )


# --- overview ----------------------------------------------------------------------------


@access.policy("case.view")
def case_detail(request, pk):
    case = case_for_page(request, pk)
    show_partner = access.allowed(request.user, "case.view_partner", case)
    events = case.events.select_related("actor")
    if not show_partner:
        events = events.filter(partner_related=False)
    events = Paginator(events, 30).get_page(request.GET.get("page"))
    return case_page_render(
        request,
        case,
        "cases/case_detail.html",
        "case-detail",
        events=events,
        accessibility_form=forms.AccessibilityForm(instance=case),
        # IDVA and MARAC actions are partner matters.
        open_risk_actions=list(case.risk_actions.filter(done_on__isnull=True)) if show_partner else [],
    )


@access.policy("case.work")
def case_accessibility(request, pk):
    case = case_for_page(request, pk, "case.work")
    form = forms.AccessibilityForm(request.POST or None, instance=Case.objects.get(pk=case.pk))
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.accessibility_update(
            case=case,
            user=request.user,
            adaptations=d["accessibility_adaptations"],
            interpreter_used=d["interpreter_used"],
            interpreter_language=d["interpreter_language"],
            expected_version=forms.page_version(d),
        ),
        "Accessibility adaptations saved.",
    ):
        return redirect("case-detail", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_form_page.html",
        "case-detail",
        form=form,
        heading="Accessibility and interpreter",
        button="Save",
        errors=error_summary(form),
    )


# --- consultation and plan ---------------------------------------------------------------


@access.policy("case.view")
def case_plan(request, pk):
    case = case_for_page(request, pk)
    schedule_form = outcome_form = plan_form = actions = None
    consultation = case.consultations.first()
    can_work = access.allowed(request.user, "case.work", case) and case.is_open
    latest = case.risk_plans.first()
    if can_work:
        action = request.POST.get("form") if request.method == "POST" else None
        data = request.POST if request.method == "POST" else None
        schedule_form = forms.ConsultationScheduleForm(data if action == "schedule" else None)
        outcome_form = forms.ConsultationOutcomeForm(data if action == "outcome" else None)
        initial = {}
        if latest:
            initial = {
                "risks": latest.risks,
                "protective_factors": latest.protective_factors,
                "safety_planning": latest.safety_planning,
                "contingency": latest.contingency,
            }
        initial["version"] = latest.version if latest else 0
        plan_form = forms.RiskPlanForm(data if action == "plan" else None, initial=initial)
        actions = forms.plan_action_formset(
            data=data if action == "plan" else None, initial=_plan_actions_initial(latest)
        )
        if action == "schedule" and submit(
            request,
            schedule_form,
            lambda d: services.consultation_schedule(case=case, user=request.user, **schedule_form.service_arguments()),
            "Case consultation arranged. You can send the invitation from this page.",
        ):
            return redirect("case-plan", pk=pk)
        if (
            action == "outcome"
            and consultation
            and submit(
                request,
                outcome_form,
                lambda d: services.consultation_record_outcome(
                    consultation=consultation,
                    user=request.user,
                    outcome=d["outcome"],
                    not_suitable_reason=d["not_suitable_reason"],
                    notes=d["notes"],
                ),
                "Consultation outcome recorded.",
            )
        ):
            return redirect("case-plan", pk=pk)
        if (
            action == "plan"
            and actions.is_valid()
            and submit(
                request,
                plan_form,
                lambda d: services.risk_plan_revise(
                    case=case,
                    user=request.user,
                    actions=[a for a in (f.to_action() for f in actions.forms) if a],
                    based_on_version=forms.page_version(d),
                    **{k: v for k, v in d.items() if k != "version"},
                ),
                "The plan has been saved as a new version.",
                # A page posted with no action rows (hand-made) has no first row to show errors on.
                {"": plan_form, **({"actions": actions.forms[0]} if actions.forms else {})},
            )
        ):
            return redirect("case-plan", pk=pk)
    show_partner = access.allowed(request.user, "case.view_partner", case)
    return case_page_render(
        request,
        case,
        "cases/case_plan.html",
        "case-plan",
        consultation=consultation,
        consultations=list(case.consultations.all()),
        plans=list(case.risk_plans.select_related("written_by")),
        latest=latest,
        schedule_form=schedule_form,
        outcome_form=outcome_form,
        plan_form=plan_form,
        actions=actions,
        show_partner=show_partner,
        errors=error_summary(*[f for f in (schedule_form, outcome_form, plan_form, actions) if f]),
    )


def _plan_actions_initial(plan):
    # Plans store dates as ISO strings (JSON); the form's date input wants dates.
    if plan is None:
        return ()
    return [{**a, "due": date.fromisoformat(a["due"]) if a.get("due") else None} for a in plan.actions]


@access.policy("case.view")
def consultation_invitation(request, pk, consultation_pk):
    case = case_for_page(request, pk, audit=False)
    if not case.consultations.filter(pk=consultation_pk).exists():
        return redirect("case-plan", pk=pk)
    return _invitation_download(request, case, "consultation")


def _invitation_download(request, case, what):
    invitation = invitation_for(case, what)
    if invitation is None:
        return redirect("case-detail", pk=case.pk)
    released = outbound.outbound_release(
        content=invitation[1],
        audience=outbound.audience_for(request.user),
        channel="download",
        concerning=[case],
        user=request.user,
        label=f"the {what} calendar invitation",
    )
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        record=case,
        detail={"document": f"{what} invitation"},
    )
    return released.response(
        content_type="text/calendar; charset=utf-8; method=REQUEST", filename=f"{what}-{case.reference}.ics"
    )


@require_POST
@access.policy("case.work")
def invitation_send(request, pk, what):
    case = case_for_page(request, pk, "case.work", audit=False)
    if what not in ("consultation", "meeting") or invitation_for(case, what) is None:
        messages.error(request, "There is nothing to send an invitation for yet.")
    else:
        services.invitation_send(case=case, user=request.user, what=what)
        messages.success(
            request,
            f"The invitation has been emailed to {case.practitioner.full_name} and {case.referrer.full_name}.",
        )
    return redirect("case-plan" if what == "consultation" else "case-meetings", pk=pk)


# --- consent -----------------------------------------------------------------------------


@access.policy("case.view")
def case_consent(request, pk):
    case = case_for_page(request, pk)
    can_record = access.allowed(request.user, "case.consent", case)
    form = forms.ConsentForm(request.POST or None) if can_record else None
    start_form = forms.InterventionStartForm(
        request.POST if request.POST.get("form") == "start" else None,
        initial={"started_on": timezone.localdate()},
    )
    if (
        request.method == "POST"
        and can_record
        and request.POST.get("form") != "start"
        and submit(
            request,
            form,
            lambda d: services.consent_record(case=case, user=request.user, **d),
            "Consent recorded.",
        )
    ):
        return redirect("case-consent", pk=pk)
    if request.method == "POST" and request.POST.get("form") == "start":
        access.require(request.user, "case.work", case)
        if submit(
            request,
            start_form,
            lambda d: services.intervention_start(case=case, user=request.user, started_on=d["started_on"]),
            "The intervention has started.",
        ):
            return redirect("case-detail", pk=pk)
        form = forms.ConsentForm() if can_record else None
    consents = list(case.consents.select_related("recorded_by"))
    show_partner = access.allowed(request.user, "case.view_partner", case)
    return case_page_render(
        request,
        case,
        "cases/case_consent.html",
        "case-consent",
        form=form,
        consents=consents,
        start_form=start_form,
        blockers=services.intervention_blockers(case) if case.stage == Case.Stage.AWAITING_CONSENT else [],
        show_partner=show_partner,
        errors=error_summary(*[f for f in (form, start_form) if f]),
    )


@access.policy("case.consent")
def consent_withdraw(request, pk, consent_pk):
    case = case_for_page(request, pk, "case.consent")
    consent = Consent.objects.filter(case=case, pk=consent_pk, withdrawn_on__isnull=True).first()
    if consent is None:
        return redirect("case-consent", pk=pk)
    form = forms.ConsentWithdrawalForm(request.POST or None)
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.consent_withdraw(
            consent=consent, user=request.user, withdrawn_on=d["withdrawn_on"], notes=d["notes"]
        ),
        "Withdrawal recorded. The practitioner and social worker have been told.",
    ):
        return redirect("case-consent", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_form_page.html",
        "case-consent",
        form=form,
        heading=f"Record withdrawal of the {consent.get_party_display().lower()}'s consent",
        button="Record the withdrawal",
        errors=error_summary(form),
    )


# --- sessions ----------------------------------------------------------------------------


@access.policy("case.view")
def case_sessions(request, pk):
    case = case_for_page(request, pk)
    form = forms.SessionForm(request.POST or None) if access.allowed(request.user, "case.work", case) else None
    if (
        request.method == "POST"
        and form is not None
        and submit(
            request,
            form,
            lambda d: services.session_record(case=case, user=request.user, **d),
            "Session recorded.",
        )
    ):
        return redirect("case-sessions", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_sessions.html",
        "case-sessions",
        form=form,
        sessions=list(case.sessions.all()),
        errors=error_summary(form) if form else [],
    )


# --- meetings ----------------------------------------------------------------------------


@access.policy("case.view")
def case_meetings(request, pk):
    case = case_for_page(request, pk)
    can_work = access.allowed(request.user, "case.work", case)
    which = request.POST.get("form")
    form = forms.MeetingForm(request.POST if which == "meeting" else None) if can_work else None
    arrange = (
        forms.MeetingArrangeForm(request.POST if which == "arrange" else None, initial={"version": case.version})
        if can_work
        else None
    )
    if (
        which == "meeting"
        and form is not None
        and submit(
            request,
            form,
            lambda d: services.meeting_record(case=case, user=request.user, **d),
            "Meeting recorded.",
        )
    ):
        return redirect("case-meetings", pk=pk)
    if (
        which == "arrange"
        and arrange is not None
        and submit(
            request,
            arrange,
            lambda d: services.meeting_arrange(
                case=case, user=request.user, at=arrange.at_datetime(), expected_version=forms.page_version(d)
            ),
            "Next meeting arranged. Download the invitation to add it to Outlook.",
        )
    ):
        return redirect("case-meetings", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_meetings.html",
        "case-meetings",
        form=form,
        arrange=arrange,
        meetings=list(case.meetings.all()),
        errors=error_summary(*[f for f in (form, arrange) if f]),
    )


@access.policy("case.view")
def meeting_invitation(request, pk):
    return _invitation_download(request, case_for_page(request, pk, audit=False), "meeting")


# --- risk --------------------------------------------------------------------------------


@access.policy("case.view")
def case_risk(request, pk):
    case = case_for_page(request, pk)
    show_partner = access.allowed(request.user, "case.view_partner", case)
    form = forms.DisclosureForm(request.POST or None) if access.allowed(request.user, "case.work", case) else None
    if (
        request.method == "POST"
        and form is not None
        and submit(
            request,
            form,
            lambda d: services.disclosure_record(case=case, user=request.user, **d),
            "Disclosure recorded.",
        )
    ):
        return redirect("case-risk", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_risk.html",
        "case-risk",
        form=form,
        # Disclosures and the IDVA and MARAC actions they raise are partner matters.
        disclosures=list(case.disclosures.all()) if show_partner else None,
        risk_actions=list(case.risk_actions.all()) if show_partner else None,
        done_form=forms.RiskActionDoneForm(),
        errors=error_summary(form) if form else [],
    )


@require_POST
@access.policy("case.work")
def risk_action_done(request, pk, action_pk):
    case = case_for_page(request, pk, "case.work", audit=False)
    action = RiskAction.objects.filter(case=case, pk=action_pk).first()
    form = forms.RiskActionDoneForm(request.POST)
    if action and form.is_valid():
        try:
            services.risk_action_complete(action=action, user=request.user, **form.cleaned_data)
            messages.success(request, f"{action.get_kind_display()}: marked as done.")
        except services.CaseError as refused:
            messages.error(request, getattr(refused, "errors", {}).get("notes", str(refused)))
    else:
        messages.error(request, "Enter the date it was done.")
    return redirect("case-risk", pk=pk)


# --- onward referrals --------------------------------------------------------------------


@access.policy("case.view")
def case_onward(request, pk):
    case = case_for_page(request, pk)
    form = forms.OnwardReferralForm(request.POST or None) if access.allowed(request.user, "case.work", case) else None
    if (
        request.method == "POST"
        and form is not None
        and submit(
            request,
            form,
            lambda d: services.onward_referral_record(case=case, user=request.user, **d),
            "Onward referral recorded.",
        )
    ):
        return redirect("case-onward", pk=pk)
    today = timezone.localdate()
    referrals = case.onward_referrals.all()
    show_partner = access.allowed(request.user, "case.view_partner", case)
    if not show_partner:
        # Services for the partner or the children are partner matters, outcome and all.
        referrals = referrals.exclude(service__in=OnwardReferral.PARTNER_SERVICES)
    onward = [{"referral": o, "weeks_waiting": services.weeks_waiting(o, today)} for o in referrals]
    return case_page_render(
        request,
        case,
        "cases/case_onward.html",
        "case-onward",
        form=form,
        onward=onward,
        update_form=forms.OnwardReferralUpdateForm(),
        errors=error_summary(form) if form else [],
    )


@require_POST
@access.policy("case.work")
def onward_update(request, pk, onward_pk):
    case = case_for_page(request, pk, "case.work", audit=False)
    onward = OnwardReferral.objects.filter(case=case, pk=onward_pk).first()
    form = forms.OnwardReferralUpdateForm(request.POST)
    if onward and form.is_valid():
        data = form.cleaned_data
        try:
            services.onward_referral_update(
                onward=onward,
                user=request.user,
                status=data["status"],
                outcome=data["outcome"],
                expected_version=forms.page_version(data),
            )
        except kernel.CaseConflict as conflict:
            messages.error(request, str(conflict))
        else:
            messages.success(request, f"{onward.get_service_display()}: status updated.")
    else:
        messages.error(request, "Select a status.")
    return redirect("case-onward", pk=pk)


# --- partner support (restricted) --------------------------------------------------------


@access.policy("case.view_partner")
def case_partner(request, pk):
    case = case_for_page(request, pk, "case.view_partner")
    can_work = access.allowed(request.user, "case.work", case)
    which = request.POST.get("form")
    form = forms.PartnerContactForm(request.POST if which == "contact" else None) if can_work else None
    supporter_form = (
        forms.PartnerSupporterForm(
            request.POST if which == "supporter" else None,
            initial={"supporter": case.partner_supporter, "version": case.version},
        )
        if can_work
        else None
    )
    if (
        which == "contact"
        and form is not None
        and submit(
            request,
            form,
            lambda d: services.partner_contact_record(case=case, user=request.user, **d),
            "Contact recorded.",
        )
    ):
        return redirect("case-partner", pk=pk)
    if (
        which == "supporter"
        and supporter_form is not None
        and submit(
            request,
            supporter_form,
            lambda d: services.partner_supporter_set(
                case=case, user=request.user, supporter=d["supporter"], expected_version=forms.page_version(d)
            ),
            "Partner support updated.",
        )
    ):
        return redirect("case-partner", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_partner.html",
        "case-partner",
        form=form,
        supporter_form=supporter_form,
        contacts=list(case.partner_contacts.all()),
        partner=case.referral.partner,
        errors=error_summary(*[f for f in (form, supporter_form) if f]),
    )


# --- exit and closure --------------------------------------------------------------------


@require_POST
@access.policy("case.work")
def case_exit(request, pk):
    case = case_for_page(request, pk, "case.work", audit=False)
    try:
        services.exit_start(case=case, user=request.user)
        messages.success(request, "Exit stage started.")
    except services.CaseError as refused:
        messages.error(request, str(refused))
    return redirect("case-close", pk=pk)


@access.policy("case.view")
def case_close(request, pk):
    case = case_for_page(request, pk)
    form = None
    if access.allowed(request.user, "case.work", case) and case.is_open:
        form = forms.CloseForm(request.POST or None, initial={"version": case.version})
        if request.method == "POST" and submit(
            request,
            form,
            lambda d: services.case_close(
                case=case,
                user=request.user,
                reason=d["reason"],
                exit_summary=d["exit_summary"],
                onward_plan=d["onward_plan"],
                no_exit_assessment_reason=d["no_exit_assessment_reason"],
                expected_version=forms.page_version(d),
            ),
            "The case is closed. The referrer has been told.",
        ):
            return redirect("case-detail", pk=pk)
    elif request.method == "POST" and not case.is_open and access.allowed(request.user, "case.work", case):
        # Closed by someone else while this page was open: say so rather than drop it silently.
        messages.error(
            request,
            "Someone else closed this case while you were editing. Your closure has not been saved: "
            "the closure shown below is the one on the record.",
        )
    return case_page_render(
        request,
        case,
        "cases/case_close.html",
        "case-close",
        form=form,
        errors=error_summary(form) if form else [],
    )


@access.policy("case.break_glass")
def case_break_glass(request, pk):
    """Ask for emergency access to a case one cannot normally see. The form says nothing about
    the case, and a case that does not exist, one in another borough and one whose borough has
    no agreement in force all get the same answer."""
    form = forms.EmergencyAccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = break_glass.emergency_access_request(
                case_number=pk, user=request.user, reason=form.cleaned_data["reason"]
            )
        except break_glass.EmergencyAccessUnavailable:
            return render(request, "cases/break_glass_unavailable.html", {"pk": pk})
        except services.CaseIncomplete as incomplete:
            add_errors(incomplete.errors, {"": form})
        except services.CaseError as refused:
            form.add_error(None, str(refused))
        else:
            if row.status == EmergencyAccess.Status.GRANTED:
                until = timezone.localtime(row.expires_at)
                messages.success(
                    request,
                    f"Emergency access granted until {until:%H:%M on %A %-d %B}. "
                    "Supervisors have been told and will review it.",
                )
                return redirect("case-detail", pk=pk)
            limit = settings.EIP_BREAK_GLASS_LIMIT_PER_30_DAYS
            why = (
                f"You have had emergency access {limit} time{pluralize(limit)} or more in the last 30 days, so a "
                "supervisor must approve this request first."
                if limit
                else "Every request for emergency access needs a supervisor's approval first."
            )
            messages.info(
                request,
                f"{why} Supervisors have been told; you will get a notification when one decides. "
                "If anyone is in immediate danger, call 999.",
            )
            return redirect("home")
    return render(
        request,
        "cases/break_glass.html",
        {"form": form, "pk": pk, "errors": error_summary(form), "limit": settings.EIP_BREAK_GLASS_LIMIT_PER_30_DAYS},
    )


def _emergency_access_for(request, pk):
    return access.get_for_user(
        request.user,
        "emergency_access.review",
        EmergencyAccess.objects.select_related(
            "case__referral", "case__borough", "user__borough", "decided_by", "reviewed_by"
        ),
        pk=pk,
    )


@access.policy("emergency_access.review")
def emergency_access_queue(request):
    """Supervisors: requests waiting for approval and grants waiting for review."""
    # Who opened which case in an emergency is itself sensitive: the look is on the trail.
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED,
        label="Emergency access queue",
        detail={"page": "emergency access queue"},
    )
    return render(
        request,
        "cases/emergency_access_queue.html",
        {**emergency_access_queue_rows(), "today": timezone.localdate()},
    )


@access.policy("emergency_access.review")
def emergency_access_detail(request, pk):
    """One request or grant: its reason, what was opened while it lasted, and the supervisor's
    approval (over the limit) or review (every grant)."""
    row = _emergency_access_for(request, pk)
    audit_record(actor=request.user, action=AuditEvent.Action.VIEWED, record=row, detail={"page": "emergency access"})
    which = request.POST.get("form") if request.method == "POST" else None
    decision_form = review_form = None
    if row.status == EmergencyAccess.Status.WAITING and access.allowed(request.user, "emergency_access.approve", row):
        decision_form = forms.EmergencyAccessDecisionForm(request.POST if which == "decision" else None)
        if which == "decision" and submit(
            request,
            decision_form,
            lambda d: (
                break_glass.emergency_access_approve(emergency_access=row, user=request.user, note=d["note"])
                if d["decision"] == "approve"
                else break_glass.emergency_access_refuse(emergency_access=row, user=request.user, note=d["note"])
            ),
            "Your decision is recorded. The social worker has been told.",
        ):
            return redirect("emergency-access-detail", pk=pk)
    elif row.status == EmergencyAccess.Status.GRANTED and not row.reviewed_at:
        review_form = forms.EmergencyAccessReviewForm(request.POST if which == "review" else None)
        if which == "review" and submit(
            request,
            review_form,
            lambda d: break_glass.emergency_access_review(
                emergency_access=row, user=request.user, justified=d["outcome"] == "justified", note=d["note"]
            ),
            "Your review is recorded.",
        ):
            return redirect("emergency-access-queue")
    if which and not (decision_form or review_form):
        # Decided or reviewed by someone else while this page was open.
        messages.error(request, "This has already been decided or reviewed: what is recorded is shown below.")
    pages = {tab.url_name: tab.text for tab in CASE_TABS}
    activity = [
        {"at": event.at, "page": pages.get((event.detail or {}).get("page"), "Case page")}
        for event in emergency_access_activity(emergency_access=row)
    ]
    return render(
        request,
        "cases/emergency_access_detail.html",
        {
            "row": row,
            "overdue": row.status == EmergencyAccess.Status.GRANTED and row.review_overdue(),
            "activity": activity,
            "decision_form": decision_form,
            "review_form": review_form,
            "errors": error_summary(*(f for f in (decision_form, review_form) if f)),
        },
    )
