"""A short load test: gunicorn on loopback against a benchmark database, driven by a mix of
signed-in practitioners and social workers for a bounded time.

    python -m benchmarks.load [--cases 10000] [--seconds 20] [--clients 8] [--workers 2]

Needs the database `python -m benchmarks.run --sizes N` made. Each simulated person has a real
session; practitioners open their caseload, the inbox and their cases, social workers their
referrals, the cases from them and the referral form. It prints requests per second, the error
rate (anything but 200) and latency per role.
"""

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
os.environ.setdefault("EIP_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/eip_bench")


def _database_url(cases: int) -> str:
    return f"{os.environ['EIP_BENCH_DATABASE_URL']}_{cases}"


def _sessions(people: int) -> list[tuple[str, str, list[str]]]:
    """(role, session cookie, paths) for each simulated person."""
    import django

    django.setup()
    from django.test import Client

    from cases.models import Case
    from eip.people.models import Role, User

    by_role = []
    for role, paths_for in (
        (
            Role.PRACTITIONER,
            lambda u: (
                ["/cases/", "/referrals/", "/home/"]
                + [
                    f"/cases/{pk}/"
                    for pk in Case.objects.filter(practitioner=u, stage="intervention").values_list("pk", flat=True)[:5]
                ]
            ),
        ),
        (
            Role.SOCIAL_WORKER,
            lambda u: (
                ["/referrals/", "/cases/", "/referrals/new/"]
                + [f"/cases/{pk}/" for pk in Case.objects.filter(referrer=u).values_list("pk", flat=True)[:5]]
            ),
        ),
    ):
        sessions = []
        for user in User.objects.filter(role=role, email__startswith="bench.").order_by("pk")[: (people + 1) // 2]:
            client = Client()
            client.force_login(user, backend="eip.people.backends.AccountBackend")
            sessions.append((role.label, client.cookies["sessionid"].value, paths_for(user)))
        by_role.append(sessions)
    # Alternate the roles, so any number of simulated people is an even mix.
    return [session for pair in zip(*by_role, strict=False) for session in pair]


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/sign-in/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10000, help="which benchmark database")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8, help="concurrent simulated people")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--output", default="benchmarks/results/load.md")
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = _database_url(args.cases)
    people = _sessions(max(2, args.clients))
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "eip.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"},
    )
    try:
        _wait_for(args.port)
        results: list[tuple[str, int, float]] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def simulate(index: int):
            rng = random.Random(index)
            role, cookie, paths = people[index % len(people)]
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            while time.monotonic() < stop_at:
                path = rng.choice(paths)
                started = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    status = 0
                    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                with lock:
                    results.append((role, status, time.perf_counter() - started))

        threads = [threading.Thread(target=simulate, args=(i,)) for i in range(args.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)

    errors = sum(1 for _, status, _ in results if status != 200)
    lines = [
        f"Load test: gunicorn with {args.workers} workers on loopback, {args.clients} simulated people "
        f"(practitioners and social workers), {args.seconds:.0f} s, {args.cases:,} cases.",
        "",
        "| who | requests | median ms | p95 ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for role in sorted({r for r, _, _ in results}):
        times = sorted(t for r, _, t in results if r == role)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        lines.append(f"| {role} | {len(times)} | {statistics.median(times) * 1000:.0f} | {p95 * 1000:.0f} |")
    lines += [
        "",
        f"{len(results) / elapsed:.1f} requests per second; error rate {errors / max(len(results), 1):.2%} "
        f"({errors} of {len(results)}).",
    ]
    output = "\n".join(lines) + "\n"
    print(output)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(output)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
