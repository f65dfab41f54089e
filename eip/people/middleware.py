import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login

from eip.people.backends import ACCOUNT_BACKEND
from eip.people.two_factor import second_factor_passed

SIGNED_IN_AT = "eip_signed_in_at"
# What sessions signed in before eip.people.backends.AccountBackend name as their backend.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class SessionBackendMiddleware:
    """A session signed in by Django's ModelBackend, before AccountBackend took its place, is
    moved to AccountBackend rather than ended: Django signs out any session whose backend
    is no longer listed, and the deploy would have lost the unsaved work of everyone signed in.
    No such session outlives its deploy by more than EIP_SESSION_ABSOLUTE_SECONDS: this can go
    in the release after."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(BACKEND_SESSION_KEY) == MODEL_BACKEND:
            request.session[BACKEND_SESSION_KEY] = ACCOUNT_BACKEND
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """End a session a fixed time after sign-in, however active it has been: a shared or
    stolen session cannot be kept alive for ever."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(SIGNED_IN_AT, int(time.time()))
            if time.time() - started > settings.EIP_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


# Pages a signed-in person may reach before the second factor: setting it up, using it, and
# signing out.
TWO_FACTOR_OPEN = ("/two-factor/", "/sign-out/", "/static/")


class TwoFactorMiddleware:
    """With two-factor sign-in required, a signed-in person who has not passed the second
    factor this session (EIP's own, or their identity provider's at a council sign-in) sees
    only the two-factor pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.EIP_REQUIRE_TWO_FACTOR
            and user.is_authenticated
            and not request.path.startswith(TWO_FACTOR_OPEN)
            and not second_factor_passed(request=request)
        ):
            from django.shortcuts import redirect
            from django_otp import devices_for_user

            has_device = any(True for _ in devices_for_user(user, confirmed=True))
            target = "two-factor-verify" if has_device else "two-factor-setup"
            from django.urls import reverse

            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
