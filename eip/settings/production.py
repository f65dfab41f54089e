"""Production: PostgreSQL, Redis, SMTP, HTTPS. Refuses to start without a secret key,
a database URL, a broker URL, the pseudonym key and the service's address from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return value


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
_required("DATABASE_URL")
if not (os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")):
    raise ImproperlyConfigured("CELERY_BROKER_URL or REDIS_URL must be set in production")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
EIP_PSEUDONYM_KEY = _required("EIP_PSEUDONYM_KEY")
# Every link in an e-mail (password resets included) starts with it; a default would send people
# links to a machine that is not the service.
EIP_BASE_URL = _required("EIP_BASE_URL").rstrip("/")
if not EIP_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("EIP_BASE_URL must be the service's address, e.g. https://eip.example.org")

# GOV.UK Notify when its API key is set, else SMTP.
EIP_EMAIL_TRANSPORT = os.environ.get(
    "EMAIL_BACKEND",
    "eip.notifications.govuk_notify.NotifyEmailBackend"
    if os.environ.get("NOTIFY_API_KEY")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

# One JSON object per log line unless told otherwise (EIP_LOG_FORMAT=plain).
EIP_LOG_FORMAT = os.environ.get("EIP_LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = "json" if EIP_LOG_FORMAT == "json" else "plain"  # noqa: F405

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Load balancers probe health over plain HTTP, straight to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Single sign-on: all three of issuer, client id and secret, or none; always over HTTPS.
_sso_parts = [os.environ.get(n) for n in ("EIP_OIDC_ISSUER", "EIP_OIDC_CLIENT_ID", "EIP_OIDC_CLIENT_SECRET")]
if any(_sso_parts) and not all(_sso_parts):
    raise ImproperlyConfigured("Single sign-on needs EIP_OIDC_ISSUER, EIP_OIDC_CLIENT_ID and EIP_OIDC_CLIENT_SECRET")
if EIP_SSO_ENABLED and not EIP_OIDC_ISSUER.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("EIP_OIDC_ISSUER must be an https:// address")
if not EIP_PASSWORD_SIGN_IN and not EIP_SSO_ENABLED:  # noqa: F405
    raise ImproperlyConfigured("EIP_PASSWORD_SIGN_IN=0 needs single sign-on configured, or nobody can sign in")

# Two-factor sign-in cannot be switched off in production.
EIP_REQUIRE_TWO_FACTOR = True
