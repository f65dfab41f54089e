"""Settings shared by every environment. Everything that differs between machines comes
from the environment (12-factor); see the configuration table in README.md."""

import ipaddress
import os
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("EIP_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or CIDR networks; a mistake stops start-up, not a request."""
    values = env_list(name)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as error:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an IP address or network") from error
    return values


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
    "django_filters",
    "eip.people",
    # Passkeys; after eip.people, as its models read the user model (eip/people/passkeys.py).
    "django_otp_webauthn",
    "eip.audit",
    "eip.notifications",
    "referrals",
    "cases",
    "assessments",
    "accommodation",
    "evaluation",
    "partner_outcomes",
    "case_notes",
    "case_documents",
    "data_protection",
    "diary",
    "risk_packs",
    "referrer_updates",
]

MIDDLEWARE = [
    # Outermost: the request id and the one log line per request, whatever answered it.
    "eip.logs.RequestLogMiddleware",
    # Before anything reads a body (CSRF, sessions, forms).
    "eip.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sees every response made below it, including redirects, lockouts and error pages.
    "eip.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Before the session's user is loaded.
    "eip.people.middleware.SessionBackendMiddleware",
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
                "eip.context_processors.session_timeout",
            ],
            "builtins": ["eip.money"],
        },
    },
]

# Time limits on the database: a hung database costs a request a few seconds and a "service
# unavailable" page, never a worker (eip/db/postgresql). 0 turns the statement timeout off
# (migrate on a large database does, see README).
EIP_DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
EIP_DATABASE_STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "30000"))
# The evaluator's assessments file streams from one long COPY (evaluation/export_copy.py): a
# limit of its own, long enough for any export, so a stuck one still lets its connection go.
EIP_EXPORT_STATEMENT_TIMEOUT_MS = int(os.environ.get("EXPORT_STATEMENT_TIMEOUT_MS", str(60 * 60 * 1000)))


def database(url: str) -> dict:
    config = dj_database_url.parse(
        url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    if config["ENGINE"].endswith("postgresql"):
        config["ENGINE"] = "eip.db.postgresql"
        # Web requests run many small queries: PostgreSQL's JIT compilation and parallel workers
        # cost more to start (measured: 10-20 ms a query on the monthly report) than they save.
        options = os.environ.get("EIP_POSTGRES_OPTIONS", "-c jit=off -c max_parallel_workers_per_gather=0")
        if EIP_DATABASE_STATEMENT_TIMEOUT_MS:
            options += f" -c statement_timeout={EIP_DATABASE_STATEMENT_TIMEOUT_MS}"
        config.setdefault("OPTIONS", {}).update(options=options.strip(), connect_timeout=EIP_DATABASE_CONNECT_TIMEOUT)
    return config


DATABASES = {"default": database(os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'eip.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # Refuses every password while password sign-in is off (EIP_PASSWORD_SIGN_IN), admin site included.
    "eip.people.backends.PasswordSignInSwitch",
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the signed-in person with their borough.
    "eip.people.backends.AccountBackend",
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
# The idle sign-out warning opens this long before the idle sign-out (GOV.UK: 2 minutes).
EIP_SESSION_WARNING_SECONDS = int(os.environ.get("EIP_SESSION_WARNING_SECONDS", 2 * 60))
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
# Every spelling of an address (capitals, spaces) counts against the one account it signs in to.
AXES_USERNAME_CALLABLE = "eip.people.lockout.lockout_username"
# Failed sign-ins are logged with the same client address as the audit trail.
AXES_CLIENT_IP_CALLABLE = "eip.audit.middleware.client_ip_of"
# Lock accounts, not addresses: a council's social workers share one outgoing IP address,
# and locking it would lock out a whole borough. Per-address rate limits belong at the proxy.
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",
    # django-otp-webauthn refuses an http:// EIP_BASE_URL other than localhost (the local demo's
    # 127.0.0.1). Browsers refuse passkeys there themselves; the app and code still work.
    "otp_webauthn.E031",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Uploaded documents (e.g. written agreements). Never served directly: each download goes
# through a view that asks the permission policy.
# Always an absolute path: an empty or relative MEDIA_ROOT is read from the directory the process
# starts in, which put uploads into the source tree (referrals/agreements/) once.
MEDIA_ROOT = BASE_DIR / (os.environ.get("EIP_MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media-not-served/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# On local disk, documents are readable by the service's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# A request body larger than this is refused from its Content-Length, before it is read: a
# document (10 MB at most) and its form fit. Keep it below the proxy's limit (deploy/nginx: 12m)
# so people see the app's page saying what to do, not the proxy's.
EIP_MAX_REQUEST_BYTES = int(os.environ.get("EIP_MAX_REQUEST_BYTES", 11 * 1024 * 1024))

# Where uploaded documents are kept: "filesystem" (MEDIA_ROOT; one web server) or "s3" (an
# S3-compatible bucket that every web server and worker shares). The bucket is private and every
# object is encrypted at rest; nothing is ever served from the bucket directly: each download is
# read by the app after the permission check and the audit (eip/uploads.py).
EIP_STORAGE = os.environ.get("EIP_STORAGE", "filesystem")


def document_storage(kind: str) -> dict:
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"EIP_STORAGE: {kind!r} is neither 'filesystem' nor 's3'")
    from botocore.config import Config

    bucket = os.environ.get("EIP_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("EIP_S3_BUCKET must be set when EIP_STORAGE is s3")
    encryption = os.environ.get("EIP_S3_ENCRYPTION", "AES256")
    if encryption not in {"AES256", "aws:kms"}:
        raise ImproperlyConfigured("EIP_S3_ENCRYPTION: 'AES256' (the store's keys) or 'aws:kms' (EIP_S3_KMS_KEY_ID)")
    object_parameters = {"ServerSideEncryption": encryption}
    if encryption == "aws:kms" and os.environ.get("EIP_S3_KMS_KEY_ID"):
        object_parameters["SSEKMSKeyId"] = os.environ["EIP_S3_KMS_KEY_ID"]
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # Empty: Amazon S3 itself; otherwise another S3-compatible store (MinIO, Ceph ...).
            "endpoint_url": os.environ.get("EIP_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("EIP_S3_REGION") or None,
            # Keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the machine's role.
            "object_parameters": object_parameters,
            # No public ACL is ever set: objects inherit the private bucket's owner-only access.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            # A download larger than this is buffered on disk, not in memory.
            "max_memory_size": 1024 * 1024,
            # A store that hangs costs a request seconds, never a worker.
            "client_config": Config(
                connect_timeout=int(os.environ.get("EIP_S3_CONNECT_TIMEOUT", "3")),
                read_timeout=int(os.environ.get("EIP_S3_READ_TIMEOUT", "10")),
                retries={"max_attempts": 2, "mode": "standard"},
                signature_version="s3v4",
            ),
        },
    }


STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("EIP_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": document_storage(EIP_STORAGE),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Every e-mail leaves through the outbound guard's backend, which sends only messages that
# eip.outbound released; EIP_EMAIL_TRANSPORT (the EMAIL_BACKEND variable) delivers them.
EIP_EMAIL_TRANSPORT = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_BACKEND = "eip.outbound.ReleasedOnlyEmailBackend"
# A mail server that accepts and never answers must not hold a worker: seconds per SMTP call.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# GOV.UK Notify: with an API key, e-mail and text messages go through it (eip/notifications/
# govuk_notify.py); without one (make run, tests) a local backend keeps them.
NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT = int(os.environ.get("NOTIFY_TIMEOUT", "10"))
# The token Notify sends with delivery receipts (its callback settings); none refuses them all.
NOTIFY_CALLBACK_TOKEN = os.environ.get("NOTIFY_CALLBACK_TOKEN", "")
# Template ids from the Notify service. "email" has ((subject)) and ((body)); the session reminders'
# fixed wording is in the Notify template itself.
NOTIFY_TEMPLATES = {
    "email": os.environ.get("NOTIFY_TEMPLATE_EMAIL", ""),
    "session_reminder_day_before_sms": os.environ.get("NOTIFY_TEMPLATE_SESSION_DAY_BEFORE_SMS", ""),
    "session_reminder_morning_sms": os.environ.get("NOTIFY_TEMPLATE_SESSION_MORNING_SMS", ""),
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "EIP <no-reply@eip.invalid>")
# Where people reach the app: every absolute link in an email (notifications, password reset)
# starts with it, never with the Host header of a request.
EIP_BASE_URL = os.environ.get("EIP_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

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
# No task runs for ever: past the soft limit it is interrupted (and can tidy up), past the hard
# limit its process is replaced. Tasks that need longer say so (retention, the monthly report).
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "120"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "150"))
# Worker processes per Celery worker (default: one per CPU).
CELERY_WORKER_CONCURRENCY = int(os.environ.get("CELERY_WORKER_CONCURRENCY", "0")) or None
# How often beat asks the database for due reminders.
EIP_REMINDER_SWEEP_SECONDS = int(os.environ.get("EIP_REMINDER_SWEEP_SECONDS", "60"))

# Working hours for deadlines: a referral received after this hour counts from the
# next working day.
EIP_WORKING_DAY_END_HOUR = 17

# EIP_LOG_FORMAT: "json" (one object per line, production's default) or "plain" (eip/logs.py).
EIP_LOG_FORMAT = os.environ.get("EIP_LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "eip.logs.JsonFormatter"},
    },
    # Tracebacks keep their frames but not exception messages, which can hold personal data.
    "filters": {"withhold_exception_messages": {"()": "eip.logs.WithholdExceptionMessages"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if EIP_LOG_FORMAT == "json" else "plain",
            "filters": ["withhold_exception_messages"],
        }
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
# The number a client's session reminder gives to call (the delivery partner's team line).
EIP_SESSION_REMINDER_PHONE = os.environ.get("EIP_SESSION_REMINDER_PHONE", "020 7946 0000")
EIP_CALENDAR_DOMAIN = os.environ.get("EIP_CALENDAR_DOMAIN", "eip.invalid")
# Break the glass: grants a social worker may take in any 30 days before a supervisor must
# approve each further one (0: every request waits for approval). Three covers a rare
# out-of-hours emergency about once a week; more than that is a pattern a supervisor should see first.
EIP_BREAK_GLASS_LIMIT_PER_30_DAYS = int(os.environ.get("EIP_BREAK_GLASS_LIMIT_PER_30_DAYS", "3"))
# Working days within which a supervisor marks each grant justified or not.
EIP_BREAK_GLASS_REVIEW_WORKING_DAYS = 2

# Accommodation (the fund's phases are records an administrator opens in the admin).
# The programme went live in August 2020 (SCIE evaluation): phase 1 of the fund runs from then.
EIP_PROGRAMME_STARTED_ON = date(2020, 8, 1)
EIP_PLACEMENT_MAX_DAYS = 28
# Whether a placement that ended before its planned end gives its place back to the fund. The
# programme counts people, not stays (up to 10 people), so by default someone housed once keeps
# counting; its unused money is released either way.
EIP_EARLY_END_FREES_PLACE = os.environ.get("EIP_EARLY_END_FREES_PLACE", "") == "1"
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
# The reverse proxies in front of the app (addresses or CIDR networks, comma-separated). Only
# from these is X-Forwarded-For believed for the audit trail; empty: it is ignored.
EIP_TRUSTED_PROXIES = env_networks("EIP_TRUSTED_PROXIES")
# Sessions also end this long after sign-in, however active (absolute lifetime).
EIP_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("EIP_SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60))

# Two-factor sign-in (TOTP, with recovery codes) for every role. On in production; the local
# demo and most tests switch it off so their logins stay one step (its own tests switch it on).
EIP_REQUIRE_TWO_FACTOR = env_bool("EIP_REQUIRE_TWO_FACTOR", True)
OTP_TOTP_ISSUER = "EIP case management"
# Keys and recovery codes are never displayed after set-up, wherever django-otp would.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Passkeys (WebAuthn, django-otp-webauthn) as a second factor beside the app, never instead of
# the password. The relying party is the service's own address, EIP_BASE_URL: a passkey
# works only on that host, which is what makes it phishing-resistant. Browsers offer passkeys
# only on https:// addresses and on http://localhost.
OTP_WEBAUTHN_CREDENTIAL_MODEL = "people.Passkey"
OTP_WEBAUTHN_ATTESTATION_MODEL = "people.PasskeyAttestation"
OTP_WEBAUTHN_HELPER_CLASS = "eip.people.passkeys.PasskeyHelper"
OTP_WEBAUTHN_RP_ID = urlsplit(EIP_BASE_URL).hostname
OTP_WEBAUTHN_RP_NAME = "EIP case management"
OTP_WEBAUTHN_ALLOWED_ORIGINS = ["{0.scheme}://{0.netloc}".format(urlsplit(EIP_BASE_URL))]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# Retention, per record type, in days (eip.retention): closed cases and declined referrals are
# anonymised, drafts never sent are deleted, by a nightly task. Six years after closure follows
# the usual practice for adult social care records; set each from the environment.
EIP_RETENTION_DAYS = {
    "closed_case": int(os.environ.get("EIP_RETAIN_CLOSED_CASE_DAYS", 6 * 365)),
    "declined_referral": int(os.environ.get("EIP_RETAIN_DECLINED_REFERRAL_DAYS", 2 * 365)),
    "draft_referral": int(os.environ.get("EIP_RETAIN_DRAFT_REFERRAL_DAYS", 90)),
}

# Single sign-on with an organisation's OpenID Connect identity provider (e.g. a council's
# Microsoft Entra ID), through mozilla-django-oidc (eip/people/sso.py). Off unless the issuer, client
# id and client secret are all set. Accounts are never created by it: an administrator creates
# the account (role, borough) in EIP, and the first council sign-in links it by verified email.
# Exactly as the provider writes it in its tokens (`iss`), trailing slash and all.
EIP_OIDC_ISSUER = os.environ.get("EIP_OIDC_ISSUER", "").strip()
# Where the provider's discovery document is, if not at the issuer's /.well-known/openid-configuration.
EIP_OIDC_DISCOVERY_URL = os.environ.get("EIP_OIDC_DISCOVERY_URL", "").strip()
OIDC_RP_CLIENT_ID = os.environ.get("EIP_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("EIP_OIDC_CLIENT_SECRET", "")
EIP_SSO_ENABLED = bool(EIP_OIDC_ISSUER and OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET)
# The button on the sign-in page says "Sign in with <this>".
EIP_OIDC_PROVIDER_NAME = os.environ.get("EIP_OIDC_PROVIDER_NAME", "your council account")
OIDC_RP_SCOPES = os.environ.get("EIP_OIDC_SCOPES", "openid email profile")
# Addresses in these domains are the organisation's own (it controls its mailboxes), so an
# identity provider that does not send `email_verified` (Entra ID) is believed for them. Empty:
# only an address the provider marks `email_verified: true` links an account.
EIP_OIDC_EMAIL_DOMAINS = [domain.lower().lstrip("@") for domain in env_list("EIP_OIDC_EMAIL_DOMAINS")]
# `amr` values that count as a second factor passed at the identity provider (RFC 8176); without
# one of them, EIP asks for its own second factor as after a password.
EIP_OIDC_MFA_AMR = env_list("EIP_OIDC_MFA_AMR", "mfa")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
# Seconds per call to the identity provider (discovery, token, keys, userinfo).
OIDC_TIMEOUT = int(os.environ.get("EIP_OIDC_TIMEOUT", "5"))
OIDC_VERIFY_SSL = True
# Password sign-in beside single sign-on (people without a council account need it); off only
# where everyone signs in through the identity provider.
EIP_PASSWORD_SIGN_IN = env_bool("EIP_PASSWORD_SIGN_IN", True)
