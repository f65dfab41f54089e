"""Settings for the test suite. Tests use real PostgreSQL and Redis when they are
reachable (and `.ci/run` makes them required); SQLite and no broker otherwise."""

import os
import socket
import tempfile
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import database, env_bool


def redis_database_for_worker(url: str, worker: int) -> str:
    """The Redis URL with its database number counted down by `worker` (wrapping at 0)."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(database - worker) % 16}"))


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# The test settings only.
SECRET_KEY = "test-only-secret-key"  # noqa: S105  # nosec B105
DEBUG = False
ALLOWED_HOSTS = ["*"]

if "DATABASE_URL" not in os.environ and _reachable("127.0.0.1", 5432):
    DATABASES = {"default": database("postgres://postgres@127.0.0.1:5432/eip")}

if "CELERY_BROKER_URL" not in os.environ and "REDIS_URL" not in os.environ:
    if _reachable("127.0.0.1", 6379):
        CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    else:
        CELERY_BROKER_URL = "memory://"

# Under pytest-xdist each worker (gw0, gw1, ...) has its own test database (pytest-django adds
# the suffix) and its own Redis database, counting down from the configured one (CI: 15, 14, ...),
# so no worker reads another's queue. A CELERY_BROKER_URL given outright is used as it is: the
# fault tests hand their workers the URL this process chose.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw") and "CELERY_BROKER_URL" not in os.environ:
    if CELERY_BROKER_URL.startswith("redis://"):  # noqa: F405
        CELERY_BROKER_URL = redis_database_for_worker(CELERY_BROKER_URL, int(_xdist_worker[2:]))  # noqa: F405

# Unit tests run tasks in-process; the tests of the broker itself send for real.
CELERY_TASK_ALWAYS_EAGER = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EIP_EMAIL_TRANSPORT = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
AXES_ENABLED = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# No collected static files outside production: the finders serve them.
STATIC_ROOT = None

MEDIA_ROOT = tempfile.mkdtemp(prefix="eip-test-media-")

EIP_PSEUDONYM_KEY = os.environ.get("EIP_PSEUDONYM_KEY", "not-secret-local-and-test-pseudonym-key")

EIP_REQUIRE_TWO_FACTOR = env_bool("EIP_REQUIRE_TWO_FACTOR", False)
