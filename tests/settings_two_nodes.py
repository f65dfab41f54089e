"""Production settings for the two-node test, except that static files are served from the
source tree (no collectstatic: the production smoke test proves that step)."""

from eip.settings.production import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None
