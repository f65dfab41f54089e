"""Answers for each instrument, and a fixture-friendly way to re-seed the DASH questions and
viability markers (transactional tests empty the tables the migration seeded)."""

import importlib

from django.apps import apps

from assessments.instruments import NEEDS_AREAS, SOAG_CATEGORIES

seed_migration = importlib.import_module("assessments.migrations.0002_seed_dash_questions_and_viability_markers")


def seed_configuration():
    seed_migration.seed(apps, None)


def soag(**ratings):
    return {code: {"rating": ratings.get(code, "none"), "notes": ""} for code, _ in SOAG_CATEGORIES}


def needs(practitioner: list[int], user: list[int] | None = None):
    user = user or practitioner
    return {
        code: {"practitioner_score": practitioner[i], "user_score": user[i], "notes": ""}
        for i, (code, _, _) in enumerate(NEEDS_AREAS)
    }


def dash(yes: int, source="victim"):
    return {f"dash-{n}": {"rating": "yes" if n <= yes else "no", "source": source} for n in range(1, 25)}


def viability(level="moderate"):
    return {f"marker-{n}": {"rating": level, "notes": ""} for n in range(1, 21)}
