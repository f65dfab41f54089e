"""The benchmark's configuration: the local settings with debug off, on a PostgreSQL database
of its own, with a no-op broker (reminder delivery is not what is measured)."""

import os

# Generating 100k cases runs COPY statements far longer than a web request's statement timeout.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")

from eip.settings.local import *  # noqa: E402, F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ROOT_URLCONF = "benchmarks.urls"
CELERY_BROKER_URL = "memory://"
EIP_EMAIL_TRANSPORT = "django.core.mail.backends.locmem.EmailBackend"
EIP_ALLOW_DEMO_DATA = True
EIP_REQUIRE_TWO_FACTOR = False
# Keep the measured requests free of log formatting.
LOGGING["root"]["level"] = os.environ.get("EIP_LOG_LEVEL", "WARNING")  # noqa: F405
