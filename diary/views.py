"""The diary and the pages that plan, move, cancel and record sessions and meetings. Each
reaches its case or appointment through the one permission policy and is audited."""

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cases.forms import MeetingForm, SessionForm, page_version
from cases.models import Case
from cases.selectors import case_get_for_user, case_list_for_user
from eip import access, outbound
from eip.audit.models import AuditEvent
from eip.audit.services import audit_list_viewed, audit_record
from eip.forms_util import error_summary, submit
from eip.people.models import Role

from . import forms, reminders, services
from .invitations import appointment_invitation
from .models import Appointment, SessionReminder, SessionReminderOptIn
from .rows import diary_rows
from .selectors import diary_for, diary_practitioners

# Rows of each group in the team's diary before a practitioner is chosen.
TEAM_DIARY_ROWS = 100


@access.policy("diary.view")
def diary(request):
    user = request.user
    practitioner, filter_form = None, None
    if user.role == Role.SUPERVISOR:
        filter_form = forms.DiaryFilterForm(request.GET or None, practitioners=diary_practitioners())
        if filter_form.is_valid():
            practitioner = filter_form.cleaned_data["practitioner"]
    the_diary = diary_for(user=user, practitioner=practitioner)
    if user.role == Role.SUPERVISOR and practitioner is None:
        # The whole programme's diary runs to thousands of rows: the soonest of each group, and
        # a practitioner chosen for all of theirs.
        the_diary.shorten(TEAM_DIARY_ROWS)
    # Referrals to acknowledge are listed by reference only, so the cases are the people shown.
    audit_list_viewed(actor=user, model=Case, ids=the_diary.case_ids, label="Diary", page="diary")
    return render(
        request,
        "diary/diary.html",
        {
            "diary": the_diary,
            "groups": diary_rows(the_diary, team=user.role == Role.SUPERVISOR),
            "rows_shown": TEAM_DIARY_ROWS,
            "filter_form": filter_form,
            "practitioner": practitioner,
            "team": user.role == Role.SUPERVISOR,
            "can_schedule": access.allowed(user, "appointment.schedule"),
        },
    )


def _audit_case_view(request, case):
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED,
        record=case,
        detail={"page": request.resolver_match.url_name},
    )


def _back_to(case, kind):
    return reverse("case-sessions" if kind == Appointment.Kind.SESSION else "case-meetings", args=[case.pk])


@require_http_methods(["GET", "POST"])
@access.policy("appointment.schedule")
def appointment_schedule(request):
    """Plan a session or meeting: from the diary (choose the case) or from a case's tab
    (?case=, the case fixed)."""
    user = request.user
    fixed = None
    if request.GET.get("case", "").isdigit():
        fixed = case_get_for_user(user=user, pk=int(request.GET["case"]), action="case.work")
        access.require(user, "appointment.schedule", fixed)
        cases = [fixed]
    else:
        cases = list(
            case_list_for_user(user=user).filter(practitioner=user, stage__in=Case.ACTIVE_STAGES).order_by("opened_at")
        )
    kind = request.GET.get("kind")
    initial = {"case": str(fixed.pk) if fixed else "", "kind": kind if kind in Appointment.Kind.values else ""}
    form = forms.AppointmentForm(request.POST or None, cases=cases, initial=initial)
    if fixed is not None:
        _audit_case_view(request, fixed)
    else:
        audit_list_viewed(actor=user, model=Case, ids=[c.pk for c in cases], label="Plan a session", page="diary")
    done = {}

    def plan(data):
        case = case_get_for_user(user=user, pk=int(data["case"]), action="case.work")
        access.require(user, "appointment.schedule", case)
        done["appointment"] = services.appointment_schedule(
            case=case, user=user, kind=data["kind"], **form.service_arguments()
        )

    if request.method == "POST" and submit(
        request, form, plan, "Planned. Download the invitation to add it to your calendar."
    ):
        appointment = done["appointment"]
        return redirect(_back_to(appointment.case, appointment.kind) if fixed else reverse("diary"))
    return render(
        request,
        "diary/appointment_form.html",
        {"form": form, "case": fixed, "errors": error_summary(form), "title": "Plan a session or meeting"},
    )


def _appointment_for(request, pk, action):
    appointment = access.get_for_user(
        request.user,
        action,
        Appointment.objects.select_related(
            "case__referral", "case__practitioner", "case__referrer", "case__borough"
        ).filter(case__in=case_list_for_user(user=request.user).values("pk")),
        pk=pk,
    )
    return appointment


def _appointment_page(request, appointment, template, **context):
    _audit_case_view(request, appointment.case)
    context.setdefault("errors", [])
    return render(request, template, {"appointment": appointment, "case": appointment.case, **context})


@require_http_methods(["GET", "POST"])
@access.policy("appointment.change")
def appointment_reschedule(request, pk):
    appointment = _appointment_for(request, pk, "appointment.change")
    form = forms.AppointmentForm(
        request.POST or None,
        initial={
            "day": timezone.localtime(appointment.starts_at).date(),
            "at": f"{timezone.localtime(appointment.starts_at):%H:%M}",
            "duration_minutes": appointment.duration_minutes,
            "modality": appointment.modality,
            "place": appointment.place,
        },
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.appointment_reschedule(
            appointment=appointment,
            user=request.user,
            expected_sequence=page_version(request.POST, "sequence"),
            **form.service_arguments(),
        ),
        "Moved. Download the invitation again so your calendar moves it too.",
    ):
        return redirect(_back_to(appointment.case, appointment.kind))
    return _appointment_page(
        request,
        appointment,
        "diary/appointment_form.html",
        form=form,
        errors=error_summary(form),
        title=f"Move the {appointment.get_kind_display().lower()}",
        button="Move it",
    )


@require_http_methods(["GET", "POST"])
@access.policy("appointment.change")
def appointment_cancel(request, pk):
    appointment = _appointment_for(request, pk, "appointment.change")
    form = forms.CancelForm(request.POST or None)
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.appointment_cancel(
            appointment=appointment,
            user=request.user,
            reason=d["reason"],
            expected_sequence=page_version(request.POST, "sequence"),
        ),
        "Cancelled. Download the cancellation so your calendar removes it.",
    ):
        return redirect(_back_to(appointment.case, appointment.kind))
    return _appointment_page(
        request,
        appointment,
        "diary/appointment_form.html",
        form=form,
        errors=error_summary(form),
        title=f"Cancel the {appointment.get_kind_display().lower()}",
        button="Cancel it",
    )


@require_http_methods(["GET", "POST"])
@access.policy("appointment.change")
def appointment_held(request, pk):
    """Record as held: the case's own session or meeting form, filled in from the plan."""
    appointment = _appointment_for(request, pk, "appointment.change")
    held_on = timezone.localtime(appointment.starts_at).date()
    if appointment.kind == Appointment.Kind.SESSION:
        initial = {
            "held_on": held_on,
            "modality": appointment.modality,
            "duration_minutes": appointment.duration_minutes,
        }
        form = SessionForm(request.POST or None, initial=initial)
        done = "Session recorded."
    else:
        form = MeetingForm(request.POST or None, initial={"held_on": held_on})
        done = "Meeting recorded."
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.appointment_record_held(
            appointment=appointment, user=request.user, expected_sequence=page_version(request.POST, "sequence"), **d
        ),
        done,
    ):
        return redirect(_back_to(appointment.case, appointment.kind))
    return _appointment_page(
        request,
        appointment,
        "diary/appointment_form.html",
        form=form,
        errors=error_summary(form),
        title=f"Record the {appointment.get_kind_display().lower()} as held",
        button="Record it",
    )


@access.policy("appointment.view")
def appointment_invitation_download(request, pk):
    appointment = _appointment_for(request, pk, "appointment.view")
    case = appointment.case
    label = f"the {appointment.get_kind_display().lower()} calendar invitation"
    released = outbound.outbound_release(
        content=appointment_invitation(appointment),
        audience=outbound.audience_for(request.user),
        channel="download",
        concerning=[case],
        user=request.user,
        label=label,
    )
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        record=case,
        detail={"document": f"{appointment.kind} invitation", "appointment": appointment.pk},
    )
    method = "CANCEL" if appointment.status == Appointment.Status.CANCELLED else "REQUEST"
    return released.response(
        content_type=f"text/calendar; charset=utf-8; method={method}",
        filename=f"{appointment.kind}-{case.reference}-{appointment.pk}.ics",
    )


@require_http_methods(["GET", "POST"])
@access.policy("appointment.schedule")
def session_reminders(request, pk):
    """Start or stop the client's session reminders by text message."""
    case = case_get_for_user(user=request.user, pk=pk, action="case.work")
    access.require(request.user, "appointment.schedule", case)
    live = SessionReminderOptIn.objects.filter(case=case, stopped_at__isnull=True).first()
    form = forms.SessionRemindersForm(request.POST if request.POST.get("form") == "start" else None)
    if request.POST.get("form") == "stop" and live is not None:
        reminders.session_reminders_stop(
            opt_in=live, user=request.user, how=SessionReminderOptIn.StoppedHow.PRACTITIONER
        )
        messages.success(request, "Session reminders stopped.")
        return redirect("case-sessions", pk=case.pk)
    if request.POST.get("form") == "start" and submit(
        request,
        form,
        lambda d: reminders.session_reminders_start(case=case, user=request.user, **d),
        "Session reminders started. The client gets a text the day before each planned session and on its morning.",
    ):
        return redirect("case-sessions", pk=case.pk)
    _audit_case_view(request, case)
    return render(
        request,
        "diary/session_reminders.html",
        {
            "case": case,
            "form": form,
            "live": live,
            "sent": list(SessionReminder.objects.filter(appointment__case=case).select_related("appointment")[:20]),
            "errors": error_summary(form),
        },
    )


def _answer(text: str, status: int) -> HttpResponse:
    # A status word for Notify's servers, not a document: the guard has nothing to check.
    return outbound.status_answer(HttpResponse(text + "\n", content_type="text/plain; charset=utf-8", status=status))


@csrf_exempt  # a server-to-server call, authenticated by its bearer token instead of a session
@require_http_methods(["POST"])
@access.public
def notify_received_text(request):
    """A text a client sent back, from GOV.UK Notify (authenticated by the bearer token in
    Notify's callback settings, NOTIFY_CALLBACK_TOKEN). STOP ends their session reminders."""
    expected = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    if not expected or not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        return _answer("unauthorised", 401)
    try:
        received = json.loads(request.body)
    except ValueError:
        return _answer("not json", 400)
    if not isinstance(received, dict):
        return _answer("not a received text", 400)
    reminders.session_reminders_reply(
        from_number=str(received.get("source_number", "")), text=str(received.get("message", ""))
    )
    return _answer("ok", 200)
