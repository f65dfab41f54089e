"""gunicorn's configuration for EIP (deploy/systemd/eip-web.service runs it).

Reload gracefully with `systemctl reload eip-web` (SIGHUP): gunicorn starts workers on the new
code and lets the old ones finish their requests before they stop. Settings come from the
environment file (/etc/eip/eip.env); see README, Configuration.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each serves one request at a time; the usual rule is two per CPU plus one.
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A request that takes longer than this is cut off and its worker replaced. The app's own
# limits are far shorter (database statements 30 s, a hung database answers 503 in seconds).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On reload or stop, workers get this long to finish what they are doing.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Replace each worker after a while, so a slow leak can never grow for ever.
max_requests = 2000
max_requests_jitter = 200
# The proxy in front sets X-Forwarded-Proto; trust it only from these addresses.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The app writes one JSON line per request itself (eip/logs.py); gunicorn's own messages go
# to standard error, i.e. the journal.
accesslog = None
errorlog = "-"
loglevel = "info"
# Each worker imports the app itself, so a reload (SIGHUP) picks up new code.
preload_app = False
