"""Calendar invitations for the consultation and the next meeting."""

from django.db import transaction

from ..kernel import case_event_record


def invitation_send(*, case, user, what: str) -> None:
    """Email the calendar invitation for the consultation or the next meeting to the
    practitioner and the referring social worker (queued; a broker fault never reaches the user)."""
    from eip.notifications.publish import publish_after_response

    from ..tasks import invitation_email

    transaction.on_commit(lambda: publish_after_response(invitation_email, case.pk, what))
    case_event_record(
        case,
        user,
        "invitation_sent",
        f"Calendar invitation for the {what} sent to {case.practitioner.full_name} and {case.referrer.full_name}",
    )
