"""What each role sees first: the things it needs to act on."""

from django.utils import timezone

from eip import access
from eip.audit.selectors import audit_event_search
from eip.notifications.services import notification_list_for_user
from eip.people.models import Role
from eip.people.selectors import boroughs_needing_setup
from referrals.selectors import referral_counts_for_user, referral_list_for_user


def home_for(user) -> dict:
    context = {
        "role_template": f"eip/home/{user.role}.html",
        "notifications": list(notification_list_for_user(user=user).filter(read_at__isnull=True)[:5]),
    }
    if user.role == Role.ADMINISTRATOR:
        context["boroughs_needing_setup"] = list(boroughs_needing_setup())
    if user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        context["recent_events"] = list(audit_event_search()[:10])
    if access.allowed(user, "emergency_access.review"):
        from cases.selectors import emergency_access_counts

        context["emergency_access"] = emergency_access_counts()
    if user.borough_id:
        context["borough"] = user.borough
    if access.allowed(user, "referral.list"):
        context["referral_counts"] = referral_counts_for_user(user=user)
    if user.role == Role.PRACTITIONER:
        from cases.selectors import caseload_for_user, due_items

        caseload = list(caseload_for_user(user=user))
        context["open_cases"] = len(caseload)
        context["cases_overdue"] = sum(1 for case in caseload if any(i.overdue for i in due_items(case)))
    if user.role == Role.HOUSING_SPOC:
        from accommodation.models import AccommodationRequest

        context["housing_waiting"] = AccommodationRequest.objects.filter(
            borough_id=user.borough_id, status="requested"
        ).count()
    if access.allowed(user, "fund.view"):
        from accommodation.models import Fund, Placement
        from accommodation.services import fund_position

        fund = Fund.objects.covering(timezone.localdate()).first()
        if fund is not None:
            context["fund"] = fund
            context["fund_position"] = fund_position(fund)
            context["placements_waiting"] = Placement.objects.filter(status="proposed").count()
    if user.role == Role.SOCIAL_WORKER:
        context["recent_referrals"] = list(referral_list_for_user(user=user).order_by("-created_at")[:5])
    return context
