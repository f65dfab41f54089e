"""The embedded default for `make run` on a developer's machine: SQLite, the server-less
Celery broker, e-mail printed to the console."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
# A fixed key is fine here and only here: production refuses to start without its own.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "local-development-only-not-for-production")  # noqa: S105
STORAGES = {
    "default": STORAGES["default"],  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
    # The web server, worker and beat share the file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }

# No collected static files outside production: the finders serve them.
STATIC_ROOT = None

EIP_PSEUDONYM_KEY = os.environ.get("EIP_PSEUDONYM_KEY", "not-secret-local-and-test-pseudonym-key")

EIP_REQUIRE_TWO_FACTOR = env_bool("EIP_REQUIRE_TWO_FACTOR", False)
