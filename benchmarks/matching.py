"""Benchmark: finding the person a new referral is about among N people on record.

    python -m benchmarks.matching --people 100000 [--reps 60] [--reuse] [--check]

Loads N people with realistic, colliding names (a few hundred common first names and
surnames, so thousands share each), dates of birth over 55 years, phones and postcodes, with
their blocking keys, into its own database (eip_bench_matching_<N>) by COPY; then times
referrals.matching.person_candidates() for probes that are mistyped copies of people on record
(transliterated, swapped, a digit off) and for strangers. `--check` fails above 50 ms median.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import run as bench  # sets up Django on the benchmark database
from benchmarks.generate import Table
from eip.people.models import Borough
from referrals import matching
from referrals.models import Person, PersonMatchKey

TARGET_MS = 50
FIRST = (
    "Mohammed Muhammad Ali Ahmed Adam Daniel David James John Michael Robert Thomas William Joseph Samuel "
    "Oliver Harry Jack George Charlie Jacob Noah Leo Oscar Archie Ethan Lucas Mason Liam Aaron Ryan Kyle "
    "Jamal Kofi Kwame Chidi Emeka Tunde Femi Ibrahim Yusuf Omar Hassan Hussain Imran Bilal Arjun Raj Sanjay "
    "Vikram Piotr Tomasz Marek Andrei Aleksandr Sergei Dmitri Ivan Oleksandr Mykola Wei Jun Minh Anh Sean "
    "Patrick Connor Declan Stephen Steven Mark Paul Peter Andrew Christopher Matthew Anthony Kevin Gary"
).split()
LAST = (
    "Smith Jones Williams Brown Taylor Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright "
    "Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill "
    "Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker "
    "Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy "
    "Miller Cox Richards Khan Ahmed Hussain Ali Begum Rahman Islam Akhtar Iqbal Shah Mahmood Chowdhury Singh "
    "Kaur Sharma Gupta Okafor Adeyemi Mensah Owusu Boateng Nwosu Kowalski Nowak Wisniewski Popescu Ivanov "
    "Petrov Kovalenko Shevchenko Nguyen Tran Chen Wang Zhang Li Liu Byrne Ryan Doyle Fairweather-Brown Smith-Jones"
).split()
POSTCODES = [
    f"{area}{d} {n}{a}{b}"
    for area in ("N", "E", "SE", "SW", "NW", "W")
    for d in range(1, 21)
    for n in range(1, 10)
    for a in "AB"
    for b in "DE"
]


def load(people: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = timezone.now()
    boroughs = list(Borough.objects.order_by("pk").values_list("pk", flat=True))
    persons, keys = Table(Person, now), Table(PersonMatchKey, now)
    for i in range(people):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 55 * 365))
        identity = matching.Identity(first, last, born, f"07{rng.randint(100000000, 999999999)}", rng.choice(POSTCODES))
        person_id = persons.add(
            first_name=first, last_name=last, date_of_birth=born, borough_id=boroughs[i % len(boroughs)]
        )
        for key in matching.identity_keys(identity):
            keys.add(person_id=person_id, key=key)
        if i % 20000 == 19999:
            print(f"  {i + 1:,} people", flush=True)
    persons.flush()
    keys.flush()


def probes(rng: random.Random, count: int) -> list[matching.Identity]:
    """Mistyped copies of people on record, and strangers."""
    known = list(Person.objects.order_by("?").values_list("first_name", "last_name", "date_of_birth")[:count])
    found = []
    for n, (first, last, born) in enumerate(known):
        kind = n % 5
        if kind == 0:
            found.append(matching.Identity(last, first, born))  # swapped
        elif kind == 1:
            found.append(matching.Identity(first, last, born.replace(year=born.year + 1) if born.month != 2 else born))
        elif kind == 2:
            found.append(matching.Identity(first + "e", last, born))
        elif kind == 3:
            found.append(matching.Identity(first, last, None, f"07{rng.randint(100000000, 999999999)}"))
        else:
            found.append(matching.Identity(rng.choice(FIRST) + "x", "Zzyzx", date(2001, 1, 1)))  # a stranger
    return found


def measure(people: int, reps: int) -> dict:
    rng = random.Random(11)
    sample = probes(rng, reps)
    for probe in sample[:5]:  # warm the caches, as a running server would be
        matching.person_candidates(identity=probe)
    timings, cpu, server, queries, shown = [], [], [], set(), []
    for probe in sample:
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            found = matching.person_candidates(identity=probe)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries.add(len(captured))
        shown.append(len(found))
        server.append(sum(_server_ms(q["sql"]) for q in captured.captured_queries))
    timings.sort()
    return {
        "people": people,
        "probes": len(sample),
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        # On a shared, loaded machine wall time mostly measures waiting for a core: these two say
        # what one match costs, the Python process's CPU and PostgreSQL's own execution time.
        "python_cpu_ms": statistics.median(cpu),
        "database_ms": statistics.median(server),
        "queries": sorted(queries),
        "candidates_shown_median": statistics.median(shown),
    }


def _server_ms(sql: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)  # noqa: S608 - the ORM's own SQL, re-run
        plan = cursor.fetchone()[0][0]
    return plan["Planning Time"] + plan["Execution Time"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=60)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    name = f"{bench._base_name()}_matching_{args.people}"
    if args.reuse and bench._database_exists(name):
        bench._use(name)
    else:
        template = f"{bench._base_name()}_template"
        if not bench._database_exists(template):
            bench.make_template()
        bench._recreate(name, template=template)
        bench._use(name)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        with transaction.atomic():
            load(args.people)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"loaded {args.people:,} people in {time.perf_counter() - started:.0f} s", flush=True)
    keys = PersonMatchKey.objects.count()
    figures = measure(args.people, args.reps)
    print(
        f"matching 1 referral against {figures['people']:,} people ({keys:,} keys): "
        f"median {figures['median_ms']:.1f} ms, "
        f"p95 {figures['p95_ms']:.1f} ms (Python CPU {figures['python_cpu_ms']:.1f} ms, PostgreSQL "
        f"{figures['database_ms']:.1f} ms), queries {figures['queries']}, {figures['probes']} probes, "
        f"median candidates shown {figures['candidates_shown_median']}"
    )
    if args.check and figures["median_ms"] > TARGET_MS:
        print(f"FAIL: median above {TARGET_MS} ms", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
