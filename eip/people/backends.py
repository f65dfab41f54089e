from django.conf import settings
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
