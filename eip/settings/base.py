"""Settings shared by every environment. Everything that differs between machines comes
from the environment (12-factor); see the configuration table in README.md."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("EIP_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "crispy_forms",
    "crispy_forms_gds",
    "csp",
    "eip.people",
    "eip.audit",
    "eip.notifications",
    "referrals",
    "cases",
    "assessments",
    "accommodation",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "eip.audit.middleware.RequestContextMiddleware",
    "eip.people.middleware.SessionLifetimeMiddleware",
    "eip.people.middleware.TwoFactorMiddleware",
    # Refuses any file response that did not pass the outbound guard; shows its refusals.
    "eip.outbound.OutboundMiddleware",
    # Lockout must see every authentication attempt; it stays last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "eip.urls"
WSGI_APPLICATION = "eip.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "eip.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'eip.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Web requests run many small queries: PostgreSQL's JIT compilation and parallel workers
    # cost more to start (measured: 10-20 ms a query on the monthly report) than they save.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "EIP_POSTGRES_OPTIONS", "-c jit=off -c max_parallel_workers_per_gather=0"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A reset link is good for one hour.
PASSWORD_RESET_TIMEOUT = 60 * 60

# Sessions end after 30 minutes without activity (every request renews the cookie).
SESSION_COOKIE_AGE = int(os.environ.get("EIP_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-guardian: no anonymous user object; nobody anonymous sees anything.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-axes: five failed attempts for one account lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("EIP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Lock accounts, not addresses: a council's social workers share one outgoing IP address,
# and locking it would lock out a whole borough. Per-address rate limits belong at the proxy.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Uploaded documents (e.g. written agreements). Never served directly: each download goes
# through a view that asks the permission policy.
MEDIA_ROOT = Path(os.environ.get("EIP_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("EIP_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Every e-mail leaves through the outbound guard's backend, which sends only messages that
# eip.outbound released; EIP_EMAIL_TRANSPORT (the EMAIL_BACKEND variable) delivers them.
EIP_EMAIL_TRANSPORT = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_BACKEND = "eip.outbound.ReleasedOnlyEmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "EIP <no-reply@eip.invalid>")

# Celery. Without CELERY_BROKER_URL or REDIS_URL the broker is kombu's filesystem
# transport under var/, so the default run has real workers and beat but needs no server.
CELERY_FILESYSTEM_BROKER_DIR = VAR_DIR / "celery-broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or "filesystem://"
CELERY_TASK_IGNORE_RESULT = True
# A task's message is acknowledged only when the task has finished, and a worker process
# that dies mid-task (killed, out of memory) has its message put back on the queue rather
# than acknowledged: a killed worker's reminder is redelivered, never dropped. Delivery is
# idempotent (the row is locked and `sent_at` checked), so the redelivery cannot duplicate.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How often beat asks the database for due reminders.
EIP_REMINDER_SWEEP_SECONDS = int(os.environ.get("EIP_REMINDER_SWEEP_SECONDS", "60"))

# Working hours for deadlines: a referral received after this hour counts from the
# next working day.
EIP_WORKING_DAY_END_HOUR = 17

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Tracebacks keep their frames but not exception messages, which can hold personal data.
    "filters": {"withhold_exception_messages": {"()": "eip.logs.WithholdExceptionMessages"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["withhold_exception_messages"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("EIP_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # kombu names the filesystem broker's missing host on every publish; not a problem.
        "kombu.connection": {"level": "ERROR"},
    },
}

# Case work
# Working days after a case opens by which the case consultation should be held.
EIP_CONSULTATION_WORKING_DAYS = int(os.environ.get("EIP_CONSULTATION_WORKING_DAYS", "5"))
# Days between professionals meetings while a case is in intervention.
EIP_MEETING_INTERVAL_DAYS = 7
EIP_CALENDAR_DOMAIN = os.environ.get("EIP_CALENDAR_DOMAIN", "eip.invalid")

# Accommodation (the fund itself is a record an administrator edits).
EIP_PLACEMENT_MAX_DAYS = 28
# Days before a placement ends on which practitioner and housing SPOC are reminded.
EIP_PLACEMENT_REMINDER_DAYS = (7, 3, 1)

# The key for the evaluation export's pseudonymous IDs. Never leaves the server; changing it
# changes every ID the evaluator holds.
EIP_PSEUDONYM_KEY = os.environ.get("EIP_PSEUDONYM_KEY", "")

# Content-Security-Policy: scripts and styles only from the app's own static files, no inline
# script, no framing, forms post only to the app.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
# Sessions also end this long after sign-in, however active (absolute lifetime).
EIP_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("EIP_SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60))

# Two-factor sign-in (TOTP, with recovery codes) for every role. On in production; the local
# demo and most tests switch it off so their logins stay one step (its own tests switch it on).
EIP_REQUIRE_TWO_FACTOR = env_bool("EIP_REQUIRE_TWO_FACTOR", True)
OTP_TOTP_ISSUER = "EIP case management"

# Retention, per record type, in days (eip.retention): closed cases and declined referrals are
# anonymised, drafts never sent are deleted, by a nightly task. Six years after closure follows
# the usual practice for adult social care records; set each from the environment.
EIP_RETENTION_DAYS = {
    "closed_case": int(os.environ.get("EIP_RETAIN_CLOSED_CASE_DAYS", 6 * 365)),
    "declined_referral": int(os.environ.get("EIP_RETAIN_DECLINED_REFERRAL_DAYS", 2 * 365)),
    "draft_referral": int(os.environ.get("EIP_RETAIN_DRAFT_REFERRAL_DAYS", 90)),
}
