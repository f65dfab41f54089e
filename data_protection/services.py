"""Subject access requests: prepare the client's export, a second person reviews it, then it
is released. Every step writes a case timeline event and an audit record."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.kernel import CaseError, CaseIncomplete, case_event_record, case_lock
from cases.models import SubjectAccessRequest
from eip.notifications.services import notification_send_now
from eip.people.models import Role, User

from .selectors import content_digest, subject_access_export_html


def _locked_sar(sar) -> SubjectAccessRequest:
    return (
        SubjectAccessRequest.objects.select_for_update(of=("self",))
        .select_related("case__referral", "requested_by", "reviewed_by")
        .get(pk=sar.pk)
    )


def _sar_link(sar):
    return reverse("case-sar", args=[sar.case_id])


def _require_intact(sar):
    if content_digest(sar.content_html) != sar.content_digest:
        raise CaseError("The export has changed since it was prepared. Prepare it again.")


@transaction.atomic
def subject_access_request_prepare(*, case, user, received_on: date) -> SubjectAccessRequest:
    """Log a client's subject access request and prepare the export of their own data, with
    third-party data withheld. The export is frozen now: the supervisor reviews exactly this."""
    case = case_lock(case)
    if received_on is None:
        raise CaseIncomplete({"received_on": "Enter the date the client asked"})
    if received_on > timezone.localdate():
        raise CaseIncomplete({"received_on": "The date the client asked must be today or in the past"})
    if case.subject_access_requests.filter(status__in=SubjectAccessRequest.OPEN_STATUSES).exists():
        raise CaseError(
            "A subject access request on this case is already waiting for review or release. Finish that one first."
        )
    now = timezone.now()
    content = subject_access_export_html(case=case, received_on=received_on, generated_at=now)
    sar = SubjectAccessRequest.objects.create(
        case=case,
        requested_by=user,
        received_on=received_on,
        prepared_at=now,
        content_html=content,
        content_digest=content_digest(content),
    )
    case_event_record(
        case,
        user,
        "sar_prepared",
        f"Subject access request received {received_on:%-d %B %Y} prepared for review (due {sar.due_on:%-d %B %Y})",
        audit_detail={"subject_access_request": sar.pk},
    )
    notification_send_now(
        recipients=User.objects.filter(role=Role.SUPERVISOR, is_active=True).exclude(pk=user.pk),
        kind="case.sar_review",
        key=f"case:{case.pk}:sar:{sar.pk}:review",
        subject=case,
        link=_sar_link(sar),
        message=f"A subject access export on case {case.reference} is ready for a supervisor's review. "
        f"It is due by {sar.due_on:%-d %B %Y}.",
    )
    return sar


@transaction.atomic
def subject_access_request_review(*, sar, user, approve: bool, notes: str = "") -> SubjectAccessRequest:
    """A supervisor who did not prepare the export approves it for release, or returns it."""
    sar = _locked_sar(sar)
    if sar.status != SubjectAccessRequest.Status.PREPARED:
        raise CaseError(f"This request has already been reviewed ({sar.get_status_display().lower()}).")
    if user.role != Role.SUPERVISOR:
        raise CaseError("Only a supervisor can review a subject access export.")
    if user.pk == sar.requested_by_id:
        raise CaseError("You prepared this export, so another supervisor must review it.")
    notes = (notes or "").strip()
    if not approve and not notes:
        raise CaseIncomplete({"notes": "Say what needs to change before it can be released"})
    _require_intact(sar)
    sar.status = SubjectAccessRequest.Status.APPROVED if approve else SubjectAccessRequest.Status.RETURNED
    sar.reviewed_by, sar.reviewed_at, sar.review_notes = user, timezone.now(), notes
    sar.save()
    case_event_record(
        sar.case,
        user,
        "sar_approved" if approve else "sar_returned",
        "Subject access export approved for release" if approve else "Subject access export returned for changes",
        audit_detail={"subject_access_request": sar.pk},
    )
    notification_send_now(
        recipients=[sar.requested_by],
        kind="case.sar_reviewed",
        key=f"case:{sar.case_id}:sar:{sar.pk}:reviewed",
        subject=sar.case,
        link=_sar_link(sar),
        message=f"The subject access export on case {sar.case.reference} has been "
        + ("approved for release." if approve else "returned for changes. The supervisor's notes are on the case."),
    )
    return sar


@transaction.atomic
def subject_access_request_release(*, sar, user) -> SubjectAccessRequest:
    """Record that the approved export has been released to the client. Refused unless a
    supervisor other than the person who prepared it approved it."""
    sar = _locked_sar(sar)
    if sar.status == SubjectAccessRequest.Status.RELEASED:
        raise CaseError("This export has already been released.")
    if sar.status == SubjectAccessRequest.Status.RETURNED:
        raise CaseError("This export was returned for changes. Prepare it again.")
    if sar.status != SubjectAccessRequest.Status.APPROVED or sar.reviewed_by is None:
        raise CaseError("A supervisor must approve the export before it can be released.")
    if sar.reviewed_by_id == sar.requested_by_id or sar.reviewed_by.role != Role.SUPERVISOR:
        raise CaseError("The export must be approved by a supervisor other than the person who prepared it.")
    _require_intact(sar)
    sar.status = SubjectAccessRequest.Status.RELEASED
    sar.released_by, sar.released_at = user, timezone.now()
    sar.save()
    case_event_record(
        sar.case,
        user,
        "sar_released",
        f"Subject access export released to the client (request received {sar.received_on:%-d %B %Y})",
        audit_detail={"subject_access_request": sar.pk},
    )
    return sar
