"""What each role sees first: the things it needs to act on. The core's own panels are here;
each pathway app adds its panels with home_panel() from its AppConfig.ready()."""

from collections.abc import Callable

from eip.audit.selectors import audit_event_search
from eip.notifications.services import notification_list_for_user
from eip.people.models import Role
from eip.people.selectors import boroughs_needing_setup

# user -> what the panel adds to the home page's context ({} when it has nothing for them).
HOME_PANELS: list[Callable[[object], dict]] = []


def home_panel(panel: Callable[[object], dict]) -> Callable[[object], dict]:
    """Add a panel to every role's home page (the panel decides whom it is for)."""
    HOME_PANELS.append(panel)
    return panel


def home_for(user) -> dict:
    context = {
        "role_template": f"eip/home/{user.role}.html",
        "notifications": list(notification_list_for_user(user=user).filter(read_at__isnull=True)[:5]),
    }
    if user.role == Role.ADMINISTRATOR:
        context["boroughs_needing_setup"] = list(boroughs_needing_setup())
    if user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        context["recent_events"] = list(audit_event_search()[:10])
    if user.borough_id:
        context["borough"] = user.borough
    for panel in HOME_PANELS:
        context.update(panel(user))
    return context
