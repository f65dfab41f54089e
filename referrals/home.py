"""The referral panels of the home page (registered from ReferralsConfig.ready())."""

from eip import access
from eip.audit.services import audit_list_viewed
from eip.people.models import Role

from .duty import intake_duty_on_duty
from .models import IntakeDuty, Referral
from .selectors import referral_counts_for_user, referral_list_for_user


def referral_home_panel(user) -> dict:
    context = {}
    if access.allowed(user, "referral.list"):
        context["referral_counts"] = referral_counts_for_user(user=user)
    if user.role == Role.PRACTITIONER:
        context["on_intake_duty"] = IntakeDuty.objects.filter(practitioner=user).exists()
    if user.role == Role.SUPERVISOR:
        # New referrals go to the supervisors while nobody is on duty: say so where they look.
        context["nobody_on_intake_duty"] = not intake_duty_on_duty().exists()
    if user.role == Role.SOCIAL_WORKER:
        recent = list(referral_list_for_user(user=user).order_by("-created_at")[:5])
        context["recent_referrals"] = recent
        # A social worker's home lists their latest referrals by the client's name.
        audit_list_viewed(
            actor=user,
            model=Referral,
            ids=[referral.pk for referral in recent],
            label="Your latest referrals",
            page="home",
        )
    return context
