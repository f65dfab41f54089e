"""Progress updates to the referrer (a meeting's update, a note shared with them). How each
reaches the social worker follows their one choice for "a progress update on a case you
referred" (eip.notifications.preferences): by e-mail straight away (the default), in the daily
e-mail, bundled into the weekly summary of the case (referrer_updates), or not by e-mail at all.
Whatever they chose, the update is in their notifications in EIP. The e-mail, when there is
one, carries the case reference and a link, never the update's words."""

from eip.notifications.preferences import notification_preference
from eip.notifications.services import notification_send_now

PROGRESS_UPDATE = "case.progress_update"
# The choice of its own the progress-update kind offers: bundled into the weekly summary.
WEEKLY = "weekly"
# An update for a referrer who chose the weekly summary: shown in EIP now and never e-mailed on
# its own (the weekly summary lists it), so it is a kind of its own whose only choice is in-app.
PROGRESS_UPDATE_IN_WEEKLY_SUMMARY = "case.progress_update_weekly"


def progress_update_send(*, case, key: str, link: str, message: str):
    """Tell the case's referrer about a progress update, as they chose. Call inside the
    transaction that records the update."""
    weekly = notification_preference(user=case.referrer, kind=PROGRESS_UPDATE) == WEEKLY
    return notification_send_now(
        recipients=[case.referrer],
        kind=PROGRESS_UPDATE_IN_WEEKLY_SUMMARY if weekly else PROGRESS_UPDATE,
        key=key,
        subject=case,
        link=link,
        message=message,
    )
