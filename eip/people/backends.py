from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied


class PasswordSignInSwitch:
    """With EIP_PASSWORD_SIGN_IN off (everyone signs in through the identity provider), no
    password signs anyone in, wherever it is typed: the sign-in page and the admin site alike."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is not None and not settings.EIP_PASSWORD_SIGN_IN:
            raise PermissionDenied
        return None

    def get_user(self, user_id):
        return None


class AccountBackend(ModelBackend):
    """Django's ModelBackend (passwords, inactive accounts refused, model permissions), loading
    the signed-in person with their borough: every page's header names it, which cost a query
    of its own on every page for everyone who has one."""

    def get_user(self, user_id):
        accounts = get_user_model()._default_manager
        try:
            user = accounts.select_related("borough").get(pk=user_id)
        except accounts.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


# The backend a session names, as AUTHENTICATION_BACKENDS lists it; sessions signed in before
# it existed name Django's ModelBackend (eip.people.middleware.SessionBackendMiddleware).
ACCOUNT_BACKEND = "eip.people.backends.AccountBackend"
