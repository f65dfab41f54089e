"""The case-work rules, from an accepted referral to closure. Every step writes a timeline
event and an audit record, and refuses what the programme forbids with a plain reason."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from eip import access
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.notifications.services import (
    notification_cancel,
    notification_send_now,
)

from . import kernel
from .duties import MEETING_REMINDER, meeting_reminder_schedule
from .kernel import (
    MARAC_DASH_THRESHOLD,
    CaseError,
    CaseIncomplete,
    case_event_record,
    case_lock,
    stage_require,
    stale_page_check,
)
from .models import (
    Case,
    CaseEvent,
    Consent,
    Consultation,
    Disclosure,
    InterventionSession,
    OnwardReferral,
    PartnerContact,
    ProfessionalsMeeting,
    RiskAction,
    RiskPlan,
)

St = Case.Stage


def _clean_and_save(instance):
    try:
        instance.full_clean()
    except ValidationError as error:
        raise CaseIncomplete({field: " ".join(messages) for field, messages in error.message_dict.items()}) from None
    instance.save()
    return instance


def _link(case):
    return reverse("case-detail", args=[case.pk])


# --- opening -----------------------------------------------------------------------------


@transaction.atomic
def case_open(*, referral, practitioner, user) -> Case:
    """Open the case for an accepted referral. The referring social worker is granted the
    case (they see the cases that came from their referrals)."""
    case = Case.objects.create(
        referral=referral,
        person=referral.person,
        borough=referral.borough,
        referrer=referral.referrer,
        practitioner=practitioner,
        opened_at=timezone.now(),
    )
    access.grant(referral.referrer, "cases.view_case", case)
    CaseEvent.objects.create(
        case=case, actor=user, kind="opened", summary=f"Case opened from referral {referral.reference}"
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATED,
        record=case,
        detail={"referral": referral.reference, "practitioner": practitioner.pk},
    )
    if referral.dash_score is not None and referral.dash_score >= MARAC_DASH_THRESHOLD:
        risk_actions_raise(
            case=case,
            user=user,
            reason=f"DASH score of {referral.dash_score} at referral (MARAC threshold {MARAC_DASH_THRESHOLD})",
        )
    return case


# --- consultation and plan ---------------------------------------------------------------


@transaction.atomic
def consultation_schedule(*, case, user, scheduled_at, modality, attendees) -> Consultation:
    case = case_lock(case)
    stage_require(case, [St.AWAITING_CONSULTATION], "arrange a case consultation")
    consultation = _clean_and_save(
        Consultation(case=case, scheduled_at=scheduled_at, modality=modality, attendees=attendees, recorded_by=user)
    )
    case_event_record(
        case,
        user,
        "consultation_scheduled",
        f"Case consultation arranged for {timezone.localtime(scheduled_at):%-d %B %Y at %H:%M} "
        f"({consultation.get_modality_display().lower()})",
    )
    return consultation


@transaction.atomic
def consultation_record_outcome(*, consultation, user, outcome, not_suitable_reason="", notes=""):
    case = case_lock(consultation.case)
    stage_require(case, [St.AWAITING_CONSULTATION], "record a consultation outcome")
    errors = {}
    if outcome not in Consultation.Outcome.values:
        errors["outcome"] = "Select whether the case is suitable for the intensive pathway"
    if outcome == Consultation.Outcome.NOT_SUITABLE and not not_suitable_reason:
        errors["not_suitable_reason"] = "Select why the case is not suitable"
    if errors:
        raise CaseIncomplete(errors)
    consultation.held, consultation.outcome = True, outcome
    consultation.not_suitable_reason = not_suitable_reason if outcome == "not_suitable" else ""
    consultation.outcome_notes = notes
    _clean_and_save(consultation)
    if outcome == Consultation.Outcome.SUITABLE:
        case.stage = St.AWAITING_CONSENT
        summary = "Case consultation held: suitable for the intensive pathway. Consent needed."
    else:
        case.stage, case.closure_reason, case.closed_at = St.NOT_SUITABLE, "unsuitable", timezone.now()
        summary = f"Case consultation held: not suitable ({consultation.get_not_suitable_reason_display().lower()})"
    case.version += 1
    case.save()
    case_event_record(case, user, "consultation_held", summary)
    return case


@transaction.atomic
def risk_plan_revise(
    *,
    case,
    user,
    risks,
    protective_factors="",
    actions=(),
    safety_planning="",
    contingency="",
    change_note="",
    based_on_version: int | None = None,
) -> RiskPlan:
    """Write a new version of the Risk Management and Intervention Plan. Earlier versions
    are kept unchanged. With `based_on_version` (the plan version the page showed, 0 for
    none), a revision typed over an older plan is refused rather than silently replacing a
    newer one as the current plan."""
    case = case_lock(case)
    if not case.is_open:
        raise CaseError("The case is closed: its plan can no longer be changed.")
    errors = {}
    if not risks.strip():
        errors["risks"] = "Describe the risks"
    for number, action in enumerate(actions, 1):
        if not (action.get("action") and action.get("owner") and action.get("due")):
            errors[f"actions-{number - 1}-action"] = f"Give action {number} a description, an owner and a date"
    latest = case.risk_plans.order_by("-version").first()
    stale_page_check(
        current_version=latest.version if latest else 0,
        expected_version=based_on_version,
        message="Someone else saved a newer version of the plan while you were editing. Your changes have not "
        "been saved: read the current plan and enter them again.",
    )
    if latest and not change_note.strip():
        errors["change_note"] = "Say what changed in this version"
    if errors:
        raise CaseIncomplete(errors)
    plan = _clean_and_save(
        RiskPlan(
            case=case,
            version=(latest.version + 1) if latest else 1,
            risks=risks.strip(),
            protective_factors=protective_factors.strip(),
            actions=[{**a, "due": str(a["due"])} for a in actions],
            safety_planning=safety_planning.strip(),
            contingency=contingency.strip(),
            written_by=user,
            change_note=change_note.strip(),
        )
    )
    case_event_record(
        case, user, "plan_revised", f"Risk Management and Intervention Plan version {plan.version} written"
    )
    return plan


# --- consent -----------------------------------------------------------------------------


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
    consent = _clean_and_save(
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
    _clean_and_save(consent)
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
        link=_link(case),
        message=f"Consent has been withdrawn on case {case.reference}. The intervention is paused.",
    )
    return case


# --- intervention ------------------------------------------------------------------------


def intervention_blockers(case) -> list[str]:
    blockers = []
    consents = live_consents(case)
    if "client" not in consents:
        blockers.append("Record the client's consent.")
    if "partner" not in consents:
        blockers.append("Record the partner's consent.")
    if not case.risk_plans.exists():
        blockers.append("Write the Risk Management and Intervention Plan.")
    return blockers


@transaction.atomic
def intervention_start(*, case, user, started_on: date) -> Case:
    case = case_lock(case)
    stage_require(case, [St.AWAITING_CONSENT], "start the intervention")
    blockers = intervention_blockers(case)
    if blockers:
        raise CaseError("The intervention cannot start yet. " + " ".join(blockers))
    case.stage = St.INTERVENTION
    case.intervention_started_on = case.intervention_started_on or started_on
    case.version += 1
    case.save()
    last = case.meetings.order_by("-held_on").values_list("held_on", flat=True).first()
    since = max(filter(None, [last, started_on]))
    meeting_reminder_schedule(case=case, due=since + timedelta(days=settings.EIP_MEETING_INTERVAL_DAYS), since=since)
    kernel.intervention_started(case)  # assessments schedules the intake and four-week reminders
    case_event_record(case, user, "intervention_started", f"Intervention started on {started_on:%-d %B %Y}")
    return case


@transaction.atomic
def session_record(*, case, user, held_on, modality, duration_minutes, attendance, topics, notes):
    case = case_lock(case)
    stage_require(case, [St.INTERVENTION, St.EXIT], "record a session")
    if attendance == InterventionSession.Attendance.ATTENDED and not duration_minutes:
        # The monitoring report counts intervention hours: an attended session has a length.
        raise CaseIncomplete({"duration_minutes": "Enter how long the session lasted"})
    session = _clean_and_save(
        InterventionSession(
            case=case,
            held_on=held_on,
            modality=modality,
            duration_minutes=duration_minutes,
            attendance=attendance,
            topics=list(topics),
            notes=notes,
            recorded_by=user,
        )
    )
    case_event_record(
        case,
        user,
        "session",
        f"Session on {held_on:%-d %B}: {session.get_attendance_display().lower()} "
        f"({session.get_modality_display().lower()})",
    )
    return session


@transaction.atomic
def accessibility_update(
    *, case, user, adaptations, interpreter_used, interpreter_language, expected_version: int | None = None
) -> Case:
    """Replace the accessibility details. Forms pass the `expected_version` their page showed."""
    case = case_lock(case, expected_version=expected_version)
    case.accessibility_adaptations = adaptations
    case.interpreter_used, case.interpreter_language = interpreter_used, interpreter_language
    case.version += 1
    case.save()
    case_event_record(case, user, "accessibility", "Accessibility adaptations updated")
    return case


@transaction.atomic
def meeting_record(
    *,
    case,
    user,
    held_on,
    attendees,
    risk_updates="",
    actions="",
    progress_update="",
    send_progress_update=False,
) -> ProfessionalsMeeting:
    case = case_lock(case)
    stage_require(case, Case.ACTIVE_STAGES, "record a professionals meeting")
    if send_progress_update and not progress_update.strip():
        raise CaseIncomplete({"progress_update": "Write the progress update to send to the referrer"})
    meeting = _clean_and_save(
        ProfessionalsMeeting(
            case=case,
            held_on=held_on,
            attendees=attendees,
            risk_updates=risk_updates,
            actions=actions,
            progress_update=progress_update.strip(),
            recorded_by=user,
        )
    )
    latest = case.meetings.order_by("-held_on").values_list("held_on", flat=True).first()
    if case.stage in Case.MEETING_STAGES:
        due = latest + timedelta(days=settings.EIP_MEETING_INTERVAL_DAYS)
        # Keeps the reminder of the week now due if it is unchanged (an older meeting recorded late).
        notification_cancel(subject=case, kind=MEETING_REMINDER, but_occurrence=due)
        meeting_reminder_schedule(case=case, due=due, since=latest)
    if case.next_meeting_at and timezone.localtime(case.next_meeting_at).date() <= held_on:
        case.next_meeting_at = None
        case.save(update_fields=["next_meeting_at"])
    case_event_record(case, user, "meeting", f"Professionals meeting held on {held_on:%-d %B}")
    if send_progress_update:
        meeting_send_progress_update(meeting=meeting, user=user)
    return meeting


def meeting_send_progress_update(*, meeting, user):
    case = meeting.case
    notification_send_now(
        recipients=[case.referrer],
        kind="case.progress_update",
        key=f"case:{case.pk}:progress:{meeting.pk}",
        subject=case,
        link=_link(case),
        message=f"Progress update on case {case.reference} after the professionals meeting of "
        f"{meeting.held_on:%-d %B}:\n\n{meeting.progress_update}",
    )
    meeting.progress_update_sent_at = timezone.now()
    meeting.save(update_fields=["progress_update_sent_at"])
    case_event_record(case, user, "progress_update", "Progress update sent to the referrer")


@transaction.atomic
def meeting_arrange(*, case, user, at: datetime, expected_version: int | None = None) -> Case:
    """Set the next meeting. Forms pass the `expected_version` their page showed."""
    case = case_lock(case, expected_version=expected_version)
    stage_require(case, Case.ACTIVE_STAGES, "arrange a professionals meeting")
    case.next_meeting_at = at
    case.version += 1
    case.save()
    case_event_record(
        case,
        user,
        "meeting_arranged",
        f"Professionals meeting arranged for {timezone.localtime(at):%-d %B %Y at %H:%M}",
    )
    return case


# --- risk --------------------------------------------------------------------------------


def risk_actions_raise(*, case, user, reason) -> list[RiskAction]:
    """Open IDVA and MARAC referral actions on the case, unless they are already open."""
    raised = []
    open_kinds = set(case.risk_actions.filter(done_on__isnull=True).values_list("kind", flat=True))
    for kind in RiskAction.Kind.values:
        if kind not in open_kinds:
            raised.append(RiskAction.objects.create(case=case, kind=kind, reason=reason[:300], raised_by=user))
    if raised:
        case_event_record(
            case,
            user,
            "risk_escalated",
            f"Risk escalated: {reason[:200]}. IDVA and MARAC referrals needed.",
            partner_related=True,
        )
        notification_send_now(
            recipients=[case.practitioner],
            kind="case.risk_escalated",
            key=f"case:{case.pk}:escalated:{raised[0].pk}",
            subject=case,
            link=_link(case),
            message=f"Risk has escalated on case {case.reference}: refer to the high-risk IDVA service and to MARAC.",
        )
    return raised


@transaction.atomic
def disclosure_record(*, case, user, disclosed_on, description, escalate) -> Disclosure:
    case = case_lock(case)
    disclosure = _clean_and_save(
        Disclosure(case=case, disclosed_on=disclosed_on, description=description, escalate=escalate, recorded_by=user)
    )
    case_event_record(
        case, user, "disclosure", f"New disclosure recorded ({disclosed_on:%-d %B})", partner_related=True
    )
    if escalate:
        risk_actions_raise(case=case, user=user, reason=f"New disclosure on {disclosed_on:%-d %B %Y}")
    return disclosure


@transaction.atomic
def risk_action_complete(*, action, user, done_on, notes) -> RiskAction:
    case = case_lock(action.case)
    action = RiskAction.objects.select_for_update().get(pk=action.pk)
    if action.done_on:
        raise CaseError("This action is already done.")
    if not notes.strip():
        raise CaseIncomplete({"notes": "Say what was done, for example the date of the MARAC"})
    action.done_on, action.done_notes = done_on, notes.strip()
    action.save()
    case_event_record(case, user, "risk_action_done", f"{action.get_kind_display()}: done", partner_related=True)
    return action


# --- onward referrals --------------------------------------------------------------------


@transaction.atomic
def onward_referral_record(
    *, case, user, service, service_other="", made_on, status="made", outcome=""
) -> OnwardReferral:
    case = case_lock(case)
    if service == OnwardReferral.Service.OTHER and not service_other.strip():
        raise CaseIncomplete({"service_other": "Name the service"})
    held = case.consultations.filter(held=True).exists()
    onward = _clean_and_save(
        OnwardReferral(
            case=case,
            service=service,
            service_other=service_other,
            made_on=made_on,
            status=status,
            outcome=outcome,
            following_consultation=held,
            recorded_by=user,
            started_on=made_on if status in ("accepted", "engaged") else None,
        )
    )
    case_event_record(
        case,
        user,
        "onward_referral",
        f"Onward referral to {onward.get_service_display()} made",
        partner_related=onward.partner_related,
    )
    return onward


@transaction.atomic
def onward_referral_update(
    *, onward, user, status, outcome, on: date | None = None, expected_version: int | None = None
) -> OnwardReferral:
    case = case_lock(onward.case)
    onward = OnwardReferral.objects.select_for_update().get(pk=onward.pk)
    stale_page_check(
        current_version=onward.version,
        expected_version=expected_version,
        message=f"Someone else updated the {onward.get_service_display()} referral while you were editing. "
        "Your change has not been saved: check its current status and enter it again.",
    )
    onward.status, onward.outcome = status, outcome
    onward.version += 1
    if status in ("accepted", "engaged") and onward.started_on is None:
        onward.started_on = on or timezone.localdate()
    _clean_and_save(onward)
    case_event_record(
        case,
        user,
        "onward_referral",
        f"{onward.get_service_display()}: {onward.get_status_display().lower()}",
        partner_related=onward.partner_related,
    )
    return onward


def weeks_waiting(onward: OnwardReferral, today: date | None = None) -> int | None:
    """Weeks a case has been held waiting for the service to take the person on."""
    if onward.status in ("declined",):
        return None
    end = onward.started_on or today or timezone.localdate()
    return (end - onward.made_on).days // 7


# --- partner support (restricted) --------------------------------------------------------


@transaction.atomic
def partner_contact_record(*, case, user, contacted_on, by, notes) -> PartnerContact:
    case = case_lock(case)
    contact = _clean_and_save(
        PartnerContact(case=case, contacted_on=contacted_on, by=by, notes=notes, recorded_by=user)
    )
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


# --- exit and closure --------------------------------------------------------------------


@transaction.atomic
def exit_start(*, case, user) -> Case:
    case = case_lock(case)
    stage_require(case, [St.INTERVENTION], "start the exit stage")
    case.stage = St.EXIT
    case.exit_started_on = timezone.localdate()
    case.version += 1
    case.save()
    kernel.exit_started(case)  # assessments schedules the exit reminders
    case_event_record(case, user, "exit_started", "Exit stage started: exit assessments and onward plan due")
    return case


CLOSURE_STAGE = {
    "completed": St.CLOSED,
    "higher_risk_service": St.CLOSED,
    "dropped_out": St.DISENGAGED,
    "did_not_engage": St.DISENGAGED,
    "unsuitable": St.NOT_SUITABLE,
}


@transaction.atomic
def case_close(
    *,
    case,
    user,
    reason,
    exit_summary,
    onward_plan,
    no_exit_assessment_reason="",
    expected_version: int | None = None,
) -> Case:
    """Close the case with its exit summary and onward plan. Forms pass the `expected_version`
    their page showed, so a closure typed against an out-of-date case is refused."""
    case = case_lock(case)
    if not case.is_open:
        raise CaseError("The case is already closed.")
    stale_page_check(current_version=case.version, expected_version=expected_version)
    errors = {}
    if reason not in Case.ClosureReason.values:
        errors["reason"] = "Select why the case is closing"
    elif reason == "completed" and case.stage != St.EXIT:
        errors["reason"] = "A case can close as completed only from the exit stage"
    if not exit_summary.strip():
        errors["exit_summary"] = "Write the exit summary"
    if not onward_plan.strip():
        errors["onward_plan"] = "Write the onward plan, or say there is none"
    open_actions = [a.get_kind_display() for a in case.risk_actions.filter(done_on__isnull=True)]
    if open_actions:
        errors["risk_actions"] = (
            "Finish the open risk actions before closing: "
            + "; ".join(open_actions)
            + ". Record them as done on the Risk page."
        )
    if not kernel.exit_assessments_done(case) and not no_exit_assessment_reason.strip():
        errors["no_exit_assessment_reason"] = "Complete the exit assessments, or say why they could not be done"
    if errors:
        raise CaseIncomplete(errors)
    case.stage = CLOSURE_STAGE[reason]
    case.closure_reason, case.exit_summary, case.onward_plan = (
        reason,
        exit_summary.strip(),
        onward_plan.strip(),
    )
    case.no_exit_assessment_reason = no_exit_assessment_reason.strip()
    case.closed_at = timezone.now()
    case.next_meeting_at = None
    case.version += 1
    case.save()
    notification_cancel(subject=case)
    case_event_record(case, user, "closed", f"Case closed: {case.get_closure_reason_display().lower()}")
    notification_send_now(
        recipients=[case.referrer],
        kind="case.closed",
        key=f"case:{case.pk}:closed",
        subject=case,
        link=_link(case),
        message=f"Case {case.reference} has been closed ({case.get_closure_reason_display().lower()}).",
    )
    return case


def invitation_send(*, case, user, what: str) -> None:
    """Email the calendar invitation for the consultation or the next meeting to the
    practitioner and the referring social worker (queued; a broker fault never reaches the user)."""
    from eip.notifications.publish import publish_after_response

    from .tasks import invitation_email

    transaction.on_commit(lambda: publish_after_response(invitation_email, case.pk, what))
    case_event_record(
        case,
        user,
        "invitation_sent",
        f"Calendar invitation for the {what} sent to {case.practitioner.full_name} and {case.referrer.full_name}",
    )
