"""Walk every page a demo login can reach by its links, on the embedded default `make run` gives
a new machine (SQLite, no Redis), and report any page that fails.

    DATABASE_URL=sqlite:////tmp/walk/db.sqlite3 python -m tests.embedded_walk

Pages read with hand-written SQL for speed get their values back from SQLite as text, not dates
and times: a page that works on PostgreSQL can fail here, and the test suite runs on PostgreSQL.
Run by tests/test_embedded_default.py in a process of its own (one database per process).
"""

import html
import os
import re
import sys
from collections import Counter
from urllib.parse import urlsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eip.settings.local")
os.environ.setdefault("EIP_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from eip.people.models import User  # noqa: E402

# Links that end the session or leave the pages people work in.
SKIP = ("/sign-out/", "/static/", "/admin/", "/media/")
PAGES_PER_LOGIN = int(os.environ.get("EIP_WALK_PAGES", "150"))
VARIANTS_PER_PATH = 3  # a list's pages, sorts and filters: the first few show whether it works
LINK = re.compile(r'href="(/[^"#]*)')


def walk(user) -> tuple[list[str], Counter]:
    client = Client(raise_request_exception=True)
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    queue, seen, variants = ["/"], {"/"}, Counter()
    failures, answers = [], Counter()
    while queue and sum(answers.values()) < PAGES_PER_LOGIN:
        url = queue.pop(0)
        try:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        except Exception as error:  # noqa: BLE001 - every failure is reported, with its page
            failures.append(f"{user.role} {user.email} GET {url}: {type(error).__name__}")
            continue
        answers[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"{user.role} {user.email} GET {url}: {response.status_code}")
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            target = response["Location"]
            if target not in seen and not urlsplit(target).path.startswith(SKIP):
                seen.add(target)
                queue.append(target)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(body.decode("utf-8", "replace")):
            link = html.unescape(link)
            path = urlsplit(link).path
            if link in seen or path.startswith(SKIP) or variants[path] >= VARIANTS_PER_PATH:
                continue
            seen.add(link)
            variants[path] += 1
            queue.append(link)
    return failures, answers


def main() -> int:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("demo_data", quiet_logins=True)
    failures, total = [], Counter()
    for user in User.objects.filter(is_active=True).order_by("role", "email"):
        found, answers = walk(user)
        failures += found
        total += answers
        print(f"{user.role:<22} {sum(answers.values()):4d} pages  {dict(sorted(answers.items()))}", flush=True)
    print(f"pages walked: {sum(total.values())}; failures: {len(failures)}")
    for failure in failures:
        print("FAILED", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
