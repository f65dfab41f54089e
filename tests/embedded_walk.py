"""Walk every page a demo login can reach by its links, on the embedded default `make run` gives
a new machine (SQLite, no Redis), and report any page that fails, and any link or form a page
offers that login which then refuses them (403).

    DATABASE_URL=sqlite:////tmp/walk/db.sqlite3 python -m tests.embedded_walk

Pages read with hand-written SQL for speed get their values back from SQLite as text, not dates
and times: a page that works on PostgreSQL can fail here, and the test suite runs on PostgreSQL.
Each link and form a page offers is followed, or posted to (empty, in a transaction rolled
back), once per URL pattern for each login: whether a role may use a page does not depend on
which case it is for, and following every one would take minutes.
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
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from eip.people.models import User  # noqa: E402

# Links that end the session or leave the pages people work in.
SKIP = ("/sign-out/", "/static/", "/admin/", "/media/")
PAGES_PER_LOGIN = int(os.environ.get("EIP_WALK_PAGES", "150"))
VARIANTS_PER_PATH = 3  # a list's pages, sorts and filters: the first few show whether it works
LINK = re.compile(r'href="(/(?!/)[^"#]*)')  # same site: not //elsewhere
FORM = re.compile(r"<form\b[^>]*>")
ATTRIBUTE = re.compile(r'\b(method|action)="([^"]*)"')


def offered(page: str, body: str) -> set[tuple[str, str]]:
    """The same-site links (GET) and forms (their method) a page offers, as (method, URL)."""
    found = {("GET", html.unescape(link)) for link in LINK.findall(body)}
    for form in FORM.findall(body):
        attributes = dict(ATTRIBUTE.findall(form))
        action = html.unescape(attributes.get("action", "")) or page  # no action: the page itself
        if action.startswith("/") and not action.startswith("//"):
            found.add((attributes.get("method", "get").upper(), action))
    return {(method, url) for method, url in found if not urlsplit(url).path.startswith(SKIP)}


def pattern(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).route
    except Resolver404:
        return None


def signed_in(user, client: Client) -> Client:
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    return client


def post_answer(user, url: str) -> int:
    """What posting an empty form to `url` answers this login; nothing it does is kept."""
    client = signed_in(user, Client())  # its own session: a post must not change the walk's
    with transaction.atomic():
        try:
            status = client.post(url).status_code
        except Exception:  # noqa: BLE001 - an empty form may break a page past its permission check
            status = 500
        transaction.set_rollback(True)
    return status


def walk(user) -> tuple[list[str], Counter, int]:
    client = signed_in(user, Client(raise_request_exception=True))
    queue, seen, variants = ["/"], {"/"}, Counter()
    failures, answers = [], Counter()
    offers: dict[tuple[str, str], str] = {}  # (method, URL) -> the first page offering it
    answered: dict[tuple[str, str], int] = {}  # (method, URL) -> the status it answered

    def get(url: str):
        try:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        except Exception as error:  # noqa: BLE001 - every failure is reported, with its page
            failures.append(f"{user.role} {user.email} GET {url}: {type(error).__name__}")
            return None, b""
        answers[response.status_code] += 1
        answered["GET", url] = response.status_code
        if response.status_code >= 500:
            failures.append(f"{user.role} {user.email} GET {url}: {response.status_code}")
        return response, body

    while queue and sum(answers.values()) < PAGES_PER_LOGIN:
        url = queue.pop(0)
        response, body = get(url)
        if response is None:
            continue
        if response.status_code >= 500:
            failures.append(f"{user.role} {user.email} GET {url}: {response.status_code}")
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            target = response["Location"]
            if target not in seen and not urlsplit(target).path.startswith(SKIP):
                seen.add(target)
                queue.append(target)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for method, link in sorted(offered(url, body.decode("utf-8", "replace"))):
            offers.setdefault((method, link), url)
            path = urlsplit(link).path
            if method != "GET" or link in seen or variants[path] >= VARIANTS_PER_PATH:
                continue
            seen.add(link)
            variants[path] += 1
            queue.append(link)
    # Every kind of link or form offered, whether or not the walk got to it: one of each.
    tried = {(method, pattern(url)) for method, url in answered}
    for method, url in offers:
        if (method, pattern(url)) in tried:
            continue
        tried.add((method, pattern(url)))
        if method == "GET":
            get(url)
        else:
            answered[method, url] = post_answer(user, url)
    refused = [
        f"{user.role} {user.email} {page} offers {method} {url} which answers 403"
        for (method, url), page in offers.items()
        if answered.get((method, url)) == 403
    ]
    checked = sum(1 for offer in offers if offer in answered)
    return failures + refused, answers, checked


def main() -> int:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("demo_data", quiet_logins=True)
    failures, total, links = [], Counter(), 0
    for user in User.objects.filter(is_active=True).order_by("role", "email"):
        found, answers, checked = walk(user)
        failures += found
        total += answers
        links += checked
        print(f"{user.role:<22} {sum(answers.values()):4d} pages  {dict(sorted(answers.items()))}", flush=True)
    print(f"pages walked: {sum(total.values())}; links and forms checked: {links}; failures: {len(failures)}")
    for failure in failures:
        print("FAILED", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
