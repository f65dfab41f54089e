"""`make run` gives a new machine SQLite and no Redis. The suite runs on PostgreSQL, so pages that
read with hand-written SQL (for speed) are walked here on SQLite too, as every demo login. The same
walk follows each kind of link and form a page offers its login: none may refuse them (403)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_page_a_demo_login_reaches_works_on_the_embedded_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("EIP_REQUIRE_SERVICES", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DJANGO_SETTINGS_MODULE="eip.settings.local")
    walked = subprocess.run(
        [sys.executable, "-m", "tests.embedded_walk"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = walked.stdout[-4000:]
    assert walked.returncode == 0, summary + walked.stderr[-4000:]
    # The walk reached the pages people work in, not just the sign-in redirect.
    pages = int(summary.split("pages walked: ")[1].split(";")[0])
    assert pages > 300, summary
    # The links and forms offered were followed too, not only the pages the walk queued.
    offers = int(summary.split("links and forms checked: ")[1].split(";")[0])
    assert offers > pages, summary
    assert "failures: 0" in summary
