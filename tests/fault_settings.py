"""Settings for the processes the fault tests start (a Celery worker): the test settings,
with real SMTP and real publishing, and log lines at INFO."""

import os

from eip.settings.test import *  # noqa: F403
from eip.settings.test import LOGGING

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_USE_TLS = False
LOGGING["root"]["level"] = "INFO"
