"""Session reminders to the client by text message (issue 17): the client opts in (recorded
with when and how they asked), and gets a text the day before each planned session and on its
morning, through GOV.UK Notify's fixed templates. Before any text, the number is checked
against the partner's and children's details by the outbound guard (any format of the same
number counts), and refused if it matches. The wording is discreet: the time, the place or
"video link", the practitioner's first name and a number to call; never the programme's name
or anything about abuse or the partner, as the phone may be shared. A STOP reply or the
practitioner ends them; every text, sent or refused, is on the case timeline."""

import logging
import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.kernel import CaseError, CaseIncomplete, case_event_record, case_lock
from cases.models import Case, Modality
from eip import outbound
from eip.notifications.duties import recurring_duty
from eip.notifications.govuk_notify import sms_send

from .models import Appointment, SessionReminder, SessionReminderOptIn

logger = logging.getLogger(__name__)

W = SessionReminder.Which
TEMPLATES = {W.DAY_BEFORE: "session_reminder_day_before_sms", W.MORNING: "session_reminder_morning_sms"}
# The day-before text at 10:00, the morning text at 08:00 (London), and only before the session.
SEND_AT = {W.DAY_BEFORE: time(10), W.MORNING: time(8)}
# Words a reminder never carries, whatever was typed in the place: the phone may be shared.
NEVER_SAY = re.compile(r"\b(domestic|abuse|abusive|violence|perpetrator|victim|partner|eip|early intervention)\b", re.I)


def _refusal(case: Case, phone: str) -> str:
    """Why texts may not go to `phone` on this case ("" if they may)."""
    normalised = outbound.normalise_phone(phone)
    if not normalised or not normalised.startswith("+447"):
        return "Enter a UK mobile number, like 07700 900123"
    findings = outbound.scan([("the mobile number", phone), ("the mobile number", normalised)], [case.referral_id])
    if findings:
        return f"This is {findings[0].what}, not the client's: reminders cannot go to it"
    return ""


@transaction.atomic
def session_reminders_start(*, case: Case, user, phone: str, asked_on, asked_how: str) -> SessionReminderOptIn:
    case = case_lock(case)
    if not case.is_open:
        raise CaseError("Session reminders can only start on an open case.")
    if SessionReminderOptIn.objects.filter(case=case, stopped_at__isnull=True).exists():
        raise CaseError("Session reminders are already on for this case. Stop them first to change the number.")
    errors = {}
    refusal = _refusal(case, phone)
    if refusal:
        errors["phone"] = refusal
    if asked_on and asked_on > timezone.localdate():
        errors["asked_on"] = "The date the client asked must be today or in the past"
    if not asked_how.strip():
        errors["asked_how"] = "Say how the client asked, for example at the session of 3 December"
    if errors:
        raise CaseIncomplete(errors)
    opt_in = SessionReminderOptIn.objects.create(
        case=case,
        phone=phone.strip(),
        phone_normalised=outbound.normalise_phone(phone),
        asked_on=asked_on,
        asked_how=asked_how.strip(),
        recorded_by=user,
    )
    case_event_record(
        case, user, "session_reminders", "Session reminders by text message started at the client's request"
    )
    return opt_in


@transaction.atomic
def session_reminders_stop(*, opt_in: SessionReminderOptIn, user=None, how: str) -> SessionReminderOptIn:
    opt_in = SessionReminderOptIn.objects.select_for_update().select_related("case").get(pk=opt_in.pk)
    if opt_in.stopped_at is not None:
        return opt_in
    opt_in.stopped_at, opt_in.stopped_how, opt_in.stopped_by = timezone.now(), how, user
    opt_in.save(update_fields=["stopped_at", "stopped_how", "stopped_by"])
    by = "the client replied STOP" if how == SessionReminderOptIn.StoppedHow.REPLIED_STOP else "by the practitioner"
    case_event_record(opt_in.case, user, "session_reminders", f"Session reminders stopped: {by}")
    return opt_in


def session_reminders_reply(*, from_number: str, text: str) -> int:
    """A text the client sent back (Notify's received-text callback): STOP ends every live
    opt-in for that number. Returns how many were stopped."""
    if text.strip().upper() not in ("STOP", "STOP."):
        return 0
    normalised = outbound.normalise_phone(from_number or "")
    if not normalised:
        return 0
    stopped = 0
    for opt_in in SessionReminderOptIn.objects.filter(phone_normalised=normalised, stopped_at__isnull=True):
        session_reminders_stop(opt_in=opt_in, how=SessionReminderOptIn.StoppedHow.REPLIED_STOP)
        stopped += 1
    return stopped


def _due_at(which: str, starts_at: datetime) -> datetime:
    day = timezone.localtime(starts_at).date()
    if which == W.DAY_BEFORE:
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, SEND_AT[which]))


def _personalisation(appointment: Appointment) -> dict:
    starts = timezone.localtime(appointment.starts_at)
    if appointment.modality == Modality.VIDEO:
        place = "video link"
    elif appointment.modality == Modality.TELEPHONE:
        place = "a phone call"
    else:
        place = appointment.place or "the usual place"
    practitioner = appointment.case.practitioner.full_name.split()
    return {
        "day": f"{starts:%A %-d %B}",
        "time": f"{starts:%-I:%M%p}".lower().replace(":00", ""),
        "place": place,
        "name": practitioner[0] if practitioner else "",
        "phone": settings.EIP_SESSION_REMINDER_PHONE,
    }


def _send(reminder: SessionReminder) -> None:
    """After the reminder row is committed: check, send, and put it on the case."""
    appointment = reminder.appointment
    case = appointment.case
    opt_in = reminder.opt_in
    personalisation = _personalisation(appointment)
    refusal = _refusal(case, opt_in.phone)
    words = " ".join(personalisation.values())
    if not refusal and NEVER_SAY.search(words):
        refusal = "the place typed for the session has words a reminder must never carry"
    if not refusal:
        try:
            outbound.outbound_release(
                content=[("text message", words)],
                audience="client",
                channel="sms",
                concerning=[case],
                label="a session reminder",
            )
        except outbound.OutboundRefused:
            refusal = "the outbound guard found third-party details in it"
    day = personalisation["day"]
    when = reminder.get_which_display()
    if refusal:
        reminder.status, reminder.reason = SessionReminder.Status.REFUSED, refusal[:300]
        reminder.save(update_fields=["status", "reason"])
        case_event_record(
            case, None, "session_reminder", f"Session reminder for {day} ({when}) not sent: {refusal}"[:300]
        )
        return
    try:
        message = sms_send(
            to=opt_in.phone_normalised,
            template=TEMPLATES[reminder.which],
            personalisation=personalisation,
            subject=case,
        )
    except Exception:
        logger.exception("Session reminder %s could not be sent.", reminder.pk)
        reminder.status = SessionReminder.Status.FAILED
        reminder.save(update_fields=["status"])
        case_event_record(case, None, "session_reminder", f"Session reminder for {day} ({when}) could not be sent")
        return
    reminder.message = message
    reminder.save(update_fields=["message"])
    case_event_record(case, None, "session_reminder", f"Session reminder text sent for {day} ({when})")


@recurring_duty("diary.session_reminders")
def session_reminders_send_due(*, now: datetime) -> int:
    """Every sweep: the reminders due now for planned sessions of clients who opted in. Each is
    recorded (unique per session, moment and time) before it is sent, so two sweepers never
    send one twice; the texts go after that record is committed."""
    opt_ins = {
        o.case_id: o
        for o in SessionReminderOptIn.objects.filter(stopped_at__isnull=True, case__stage__in=Case.ACTIVE_STAGES)
    }
    if not opt_ins:
        return 0
    planned = Appointment.objects.filter(
        kind=Appointment.Kind.SESSION,
        status=Appointment.Status.PLANNED,
        case_id__in=list(opt_ins),
        starts_at__gt=now,
        starts_at__lte=now + timedelta(days=2),
    ).select_related("case__referral", "case__practitioner")
    created = 0
    for appointment in planned:
        for which in (W.DAY_BEFORE, W.MORNING):
            due = _due_at(which, appointment.starts_at)
            # Due, and still in time: a day-before text the next day would be a morning text.
            if not due <= now < due + (timedelta(hours=14) if which == W.DAY_BEFORE else timedelta(hours=12)):
                continue
            try:
                with transaction.atomic():
                    reminder = SessionReminder.objects.create(
                        appointment=appointment,
                        which=which,
                        starts_at=appointment.starts_at,
                        opt_in=opt_ins[appointment.case_id],
                        at=now,
                    )
            except IntegrityError:
                continue  # another sweeper has it
            transaction.on_commit(lambda reminder=reminder: _send(reminder))
            created += 1
    return created
