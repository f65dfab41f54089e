"""The weekly professionals meetings with the social worker: recorded, and the progress
update sent to the referrer. Meetings are planned ahead in the diary, which records a planned
one as held through meeting_record."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from eip.notifications.services import notification_cancel

from ..duties import MEETING_REMINDER, meeting_reminder_schedule
from ..kernel import CaseIncomplete, case_event_record, case_lock, stage_require
from ..models import Case, ProfessionalsMeeting
from ..progress_updates import progress_update_send
from ._common import clean_and_save


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
    meeting = clean_and_save(
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
    case_event_record(case, user, "meeting", f"Professionals meeting held on {held_on:%-d %B}")
    if send_progress_update:
        meeting_send_progress_update(meeting=meeting, user=user)
    return meeting


def meeting_send_progress_update(*, meeting, user):
    """Tell the referrer there is an update. The e-mail carries the case reference and a link to
    the meeting on the case's meetings tab, never the update's words: those stay inside EIP,
    where reading them needs the referrer's sign-in and is audited."""
    case = meeting.case
    progress_update_send(
        case=case,
        key=f"case:{case.pk}:progress:{meeting.pk}",
        link=f"{reverse('case-meetings', args=[case.pk])}#meeting-{meeting.pk}",
        message=f"There is a new progress update on case {case.reference} from the professionals meeting of "
        f"{meeting.held_on:%-d %B}. Sign in to EIP to read it.",
    )
    meeting.progress_update_sent_at = timezone.now()
    meeting.save(update_fields=["progress_update_sent_at"])
    case_event_record(case, user, "progress_update", "Progress update sent to the referrer")
