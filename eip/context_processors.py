from django.conf import settings
from django.urls import reverse

from eip import access


def navigation(request):
    """The service navigation: only the places this user's role may go. Worked out once a
    request: a part rendered in a request context of its own
    runs the context processors again."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.role):
        return {}
    if getattr(request, "_eip_navigation", None) is None:
        request._eip_navigation = _navigation(request, user)
    return request._eip_navigation


def _navigation(request, user):
    candidates = [
        ("Home", "home", "home.view"),
        ("Referrals", "referral-list", "referral.list"),
        ("Cases", "case-list", "case.list"),
        ("Diary", "diary", "diary.view"),
        ("Accommodation requests", "housing-list", "housing.view"),
        ("Accommodation fund", "finance-overview", "fund.view"),
        ("Monitoring report", "monitoring-report", "report.view"),
        ("Evaluation data", "evaluation-export", "evaluation.export"),
        ("Notifications", "notification-list", "notification.view"),
        ("Boroughs", "borough-list", "borough.view"),
        ("Audit log", "audit-log", "audit.view"),
        ("Emergency access", "emergency-access-queue", "emergency_access.review"),
    ]
    path = request.path
    items = []
    for text, name, action in candidates:
        if action in access.ROLE_RULES and access.allowed(user, action):
            href = reverse(name)
            items.append(
                {
                    "text": text,
                    "href": href,
                    "current": path == href,
                    "active": path.startswith(href) and href != "/",
                }
            )
    from eip.notifications.services import notification_unread_count

    return {"nav_items": items, "unread_notifications": notification_unread_count(user=user)}


def session_timeout(request):
    """For the idle sign-out warning in the page layout."""
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}
    return {
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": settings.EIP_SESSION_WARNING_SECONDS,
    }
