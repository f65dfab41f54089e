"""The monitoring report's tables rebuilt from the evaluator's export alone (the four CSV files of
evaluation/export.py), for a period of whole calendar months: what an evaluator runs to check that
the export carries everything the report counts. `manage.py evaluation_tables` prints the result.

It deliberately reads nothing but the files (no database): each figure is worked out again from the
rows, with the same definitions (evaluation/report.py DEFINITIONS) and the same rounding. Two parts of
the report are not about the period's records and are left out: the time it was produced and the
position of the fund phase in force (a finance figure, not an evaluation one)."""

import csv
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from accommodation.models import MOVE_ON_PAYMENT_KINDS, AccommodationFoundElsewhere, Placement
from assessments.instruments import (
    HIGH_NEED_AT_MOST,
    NEED_AT_MOST,
    NEEDS_AREAS,
)
from cases.models import OnwardReferral
from partner_outcomes.services import summary_from_rows
from referrals.models import Gender, Team

from .models import AwaitingStart
from .report import (
    SCHEMA_VERSION,
    Period,
    demographics_table,
    mean,
    percent,
    soag_comparison,
    soag_distribution,
)

FILE_NAMES = ("referrals", "assessments", "events", "case_weeks", "partner_outcomes")


class ExportProblem(Exception):
    pass


def _group(rows, key):
    groups = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


def read_export(directory) -> dict[str, list[dict]]:
    rows = {}
    for name in FILE_NAMES:
        # As downloaded (eip-evaluation-events-2026-11-30.csv) or renamed (events.csv); the newest wins.
        found = sorted(Path(directory).glob(f"eip-evaluation-{name}-*.csv")) or [Path(directory) / f"{name}.csv"]
        path = found[-1]
        if not path.exists():
            raise ExportProblem(f"{path} is missing: download all five files of the export")
        with path.open(encoding="utf-8", newline="") as handle:
            rows[name] = list(csv.DictReader(handle))
    return rows


def _months(period: Period):
    first, last = f"{period.start:%Y-%m}", f"{period.end:%Y-%m}"
    if period.start.day != 1 or (period.end + timedelta(days=1)).day != 1:
        raise ExportProblem("the export gives months, not days: choose a period of whole calendar months")
    return first, last


def tables(export: dict[str, list[dict]], period: Period) -> dict:  # noqa: C901 - figure after figure, read beside report.py
    first, last = _months(period)

    def within(month):
        return bool(month) and first <= month <= last

    def by_end(month):
        return bool(month) and month <= last

    def before_start(month):
        return bool(month) and month < first

    referrals = export["referrals"]
    for r in referrals:
        r["received_month"] = f"{int(r['referral_year']):04d}-{int(r['referral_month']):02d}"
    received = [r for r in referrals if within(r["received_month"])]
    events = defaultdict(list)  # referral -> its events, in file order
    for e in export["events"]:
        events[e["referral_id"]].append(e)
    by_kind = defaultdict(list)
    for e in export["events"]:
        by_kind[e["event"]].append(e)
    cases = [r for r in referrals if r["status"] == "accepted"]

    # --- Table 1 ---------------------------------------------------------------------------------
    decided = [r for r in referrals if within(r["decision_month"])]
    consultations = [e for e in by_kind["consultation"] if within(e["month"])]

    def in_intervention(r):
        return by_end(r["intervention_start_month"]) and not before_start(r["closure_month"])

    intervention = [r for r in referrals if in_intervention(r)]
    closed = [r for r in referrals if within(r["closure_month"])]
    durations = [int(r["intervention_days"]) for r in closed if r["intervention_days"] != ""]
    needing = {e["referral_id"] for e in by_kind["accommodation_need"] if within(e["month"])} | {
        e["referral_id"] for e in by_kind["accommodation_request"] if within(e["month"])
    }
    disengaged = sum(1 for r in intervention if r["closure_reason"] in ("dropped_out", "did_not_engage"))
    funded = [e for e in by_kind["placement"] if within(e["month"])]
    placements = [e for e in funded if e["code"] not in MOVE_ON_PAYMENT_KINDS]
    payments = [e for e in funded if e["code"] in MOVE_ON_PAYMENT_KINDS]
    found_elsewhere = [e for e in by_kind["found_elsewhere"] if within(e["month"])]
    onward = [e for e in by_kind["onward_referral"] if within(e["month"])]
    monitoring = {
        "referrals_received": len(received),
        "assessed_suitable_for_consultation": sum(1 for r in decided if r["status"] == "accepted"),
        "assessed_unsuitable": sum(1 for r in decided if r["status"] == "declined")
        + sum(1 for e in consultations if e["code"] == "not_suitable"),
        "case_consultations_held": len(consultations),
        "receiving_intensive_intervention": len(intervention),
        "assessed_as_requiring_accommodation": len(needing),
        "received_accommodation": len({e["referral_id"] for e in funded}),
        "found_accommodation_another_way": len(found_elsewhere),
        "stopped_engaging_before_planned_end": sum(1 for r in closed if r["closure_reason"] == "dropped_out"),
        "average_intervention_weeks": mean(sum(durations), 7 * len(durations)),
        "shortest_intervention_weeks": mean(min(durations), 7) if durations else None,
        "longest_intervention_weeks": mean(max(durations), 7) if durations else None,
        "engagement_rate": percent(len(intervention) - disengaged, len(intervention)),
        "onward_referrals_following_consultation": sum(1 for e in onward if e["following_consultation"] == "yes"),
    }

    # --- suitable cases not started, reasons, accommodation needs --------------------------------
    states = Counter()
    for r in (r for r in cases if within(r["decision_month"])):
        own = events[r["referral_id"]]
        waiting = [e["code"] for e in own if e["event"] == "awaiting_start" and by_end(e["month"])]
        if by_end(r["intervention_start_month"]):
            states["started"] += 1
        elif any(e["event"] == "consultation" and e["code"] == "not_suitable" and by_end(e["month"]) for e in own):
            states["not_suitable_at_consultation"] += 1
        elif waiting:
            states[waiting[-1]] += 1
        elif by_end(r["closure_month"]):
            states["closed_before_starting"] += 1
        else:
            states["not_recorded"] += 1
    suitable_not_started = {
        "suitable": sum(states.values()),
        "started": states["started"],
        **{state: states[state] for state in AwaitingStart.State.values},
        "not_suitable_at_consultation": states["not_suitable_at_consultation"],
        "closed_before_starting": states["closed_before_starting"],
        "not_recorded": states["not_recorded"],
    }
    unsuitable_reasons = {
        "at_referral": dict(
            sorted(Counter(r["decline_reason"] or "not_recorded" for r in decided if r["status"] == "declined").items())
        ),
        "at_consultation": dict(
            sorted(Counter(e["reason"] or "not_recorded" for e in consultations if e["code"] == "not_suitable").items())
        ),
    }
    outcomes_ = Counter()
    for referral in needing:
        own = events[referral]
        if any(e["event"] == "placement" and by_end(e["month"]) for e in own):
            outcomes_["placed"] += 1
            continue
        latest = "in_process"
        for e in own:
            if e["event"] == "accommodation_need" and by_end(e["month"]):
                latest = e["code"] if not e["outcome_month"] or by_end(e["outcome_month"]) else "in_process"
        if any(e["event"] == "found_elsewhere" and by_end(e["month"]) for e in own):
            latest = "found_other"
        outcomes_[latest] += 1
    accommodation_needs = {
        "assessed_as_needing": len(needing),
        "placed_through_programme": outcomes_["placed"],
        "found_other_accommodation": outcomes_["found_other"],
        "not_needed_after_all": outcomes_["not_needed"],
        "in_process": outcomes_["in_process"],
    }

    # --- referrals, pathways, outcomes -----------------------------------------------------------
    teams = dict(Team.choices)
    referrals_by = {
        "by_borough": dict(sorted(Counter(r["borough"] for r in received).items())),
        "by_team": {teams.get(team, team): n for team, n in sorted(Counter(r["team"] for r in received).items())},
    }
    consulted = [
        r
        for r in cases
        if not before_start(r["closure_month"])
        and any(e["event"] == "consultation" and by_end(e["month"]) for e in events[r["referral_id"]])
    ]
    started = [r for r in consulted if r["intervention_start_month"]]
    pathways = {
        "consulted_only": len(consulted) - len(started),
        "intensive": sum(1 for r in started if r["accommodation_placed"] == "no"),
        "intensive_and_accommodation": sum(1 for r in started if r["accommodation_placed"] == "yes"),
    }
    outcomes = {reason: sum(1 for r in closed if r["closure_reason"] == reason) for reason in
                ("completed", "dropped_out", "did_not_engage")}  # fmt: skip

    return {
        "schema_version": SCHEMA_VERSION,
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "monitoring": monitoring,
        "suitable_not_started": suitable_not_started,
        "unsuitable_reasons": unsuitable_reasons,
        "accommodation_needs": accommodation_needs,
        "referrals": referrals_by,
        "pathways": pathways,
        "outcomes": outcomes,
        "demographics": _demographics(received),
        "soag": _soag(export["assessments"], within),
        "needs": _needs(export["assessments"], within),
        "timeliness": _timeliness(received, export["case_weeks"], within),
        "accommodation": {
            "placements": len(placements),
            "nights": sum(int(e["nights"]) for e in placements),
            "committed_in_period": str(sum((Decimal(e["committed"]) for e in funded), Decimal("0"))),
            "move_on_payments": [
                {
                    "kind": dict(Placement.Kind.choices)[kind],
                    "payments": len(rows),
                    "amount": str(sum((Decimal(e["committed"]) for e in rows), Decimal("0"))),
                }
                for kind, rows in sorted(_group(payments, "code").items())
            ],
            "found_another_way": {
                dict(AccommodationFoundElsewhere.Route.choices)[route]: len(rows)
                for route, rows in sorted(_group(found_elsewhere, "code").items())
            },
        },
        "onward_referrals": _onward(onward),
        "data_quality": _data_quality(export["assessments"], received, within),
        "partner_outcomes": summary_from_rows(
            (
                {**r, "key": r["referral_id"], "feels_safe": int(r["feels_safe"]) if r["feels_safe"] else None}
                for r in export["partner_outcomes"]
            ),
            lambda r: within(r["month"]),
        ),
    }


def _demographics(received):
    latest = {}
    for r in received:
        number = int(r["person_referral_number"])
        if r["person_id"] not in latest or number > int(latest[r["person_id"]]["person_referral_number"]):
            latest[r["person_id"]] = r
    people = list(latest.values())
    total = len(people)
    labels = dict(Gender.choices)
    genders = Counter(labels.get(p["gender"] or "not_known") for p in people)
    ages = [int(p["age_at_referral_months"]) for p in people if p["age_at_referral_months"] != ""]
    groups = Counter(p["ethnicity_group"] for p in people)
    white_british = sum(1 for p in people if p["ethnicity"] == "white_british")
    return demographics_table(total=total, genders=genders, ages=ages, groups=groups, white_british=white_british)


def _both(answers, instrument, within):
    """Referrals whose exit assessment of the instrument falls in the period and that have an intake one."""
    exits = {a["referral_id"] for a in answers if a["instrument"] == instrument and a["stage"] == "exit"
             and within(a["assessment_month"])}  # fmt: skip
    return {a["referral_id"] for a in answers if a["instrument"] == instrument and a["stage"] == "intake"} & exits


def _soag_distribution(answers):
    counts = defaultdict(Counter)
    for a in answers:
        counts[a["item"]][a["rating"]] += 1
    return soag_distribution(counts)


def _soag(answers, within):
    soag = [a for a in answers if a["instrument"] == "soag"]
    both = _both(answers, "soag", within)
    intake_both, exit_both = (
        _soag_distribution([a for a in soag if a["stage"] == stage and a["referral_id"] in both])
        for stage in ("intake", "exit")
    )
    return {
        "intake_profile": _soag_distribution(
            [a for a in soag if a["stage"] == "intake" and within(a["assessment_month"])]
        ),
        "intake_vs_exit": soag_comparison(intake_both, exit_both),
    }


def _needs(answers, within):
    both = _both(answers, "needs", within)
    result = {}
    for stage in ("intake", "exit"):
        scores = defaultdict(list)
        for a in answers:
            if a["instrument"] == "needs" and a["stage"] == stage and a["referral_id"] in both:
                scores[a["item"]].append(a["practitioner_score"])
        area = {}
        for code, label, _ in NEEDS_AREAS:
            given = [int(v) for v in scores.get(code, []) if v != ""]
            area[code] = {
                "label": label,
                "clients": len(scores.get(code, [])),
                "with_need": sum(1 for v in given if v <= NEED_AT_MOST),
                "with_high_need": sum(1 for v in given if v <= HIGH_NEED_AT_MOST),
                "average_practitioner_score": mean(sum(given), len(given)) if code in scores else None,
            }
        result[stage] = area
    return {"clients_with_intake_and_exit": len(both), **result}


def _timeliness(received, case_weeks, within):
    on_time = sum(1 for r in received if r["acknowledged_within_3_working_days"] == "yes")
    weeks = [w for w in case_weeks if within(w["week_end_month"])]
    with_meeting = sum(1 for w in weeks if w["meeting"] == "yes")
    return {
        "referrals": len(received),
        "acknowledged_within_3_working_days_percent": percent(on_time, len(received)),
        "case_weeks": len(weeks),
        "case_weeks_with_meeting_percent": percent(with_meeting, len(weeks)),
    }


def _onward(made):
    services, statuses = dict(OnwardReferral.Service.choices), dict(OnwardReferral.Status.choices)
    table = defaultdict(dict)
    for (service, status), n in sorted(Counter((e["code"], e["status"]) for e in made).items()):
        table[services[service]][statuses[status]] = n
    return {"total": len(made), "by_service": dict(table)}


def _data_quality(answers, received, within):
    in_period = [a for a in answers if within(a["assessment_month"])]
    assessments = defaultdict(set)
    items = defaultdict(lambda: defaultdict(Counter))
    for a in in_period:
        key = (a["instrument"], a["stage"])
        assessments[key].add(a["assessment_id"])
        counts = items[key][a["item"]]
        counts["answered"] += a["rating"] != "" or a["practitioner_score"] != ""
        counts["dont_know"] += a["rating"] == "dont_know"
    result = {}
    for (instrument, stage), ids in sorted(assessments.items()):
        total, gaps = len(ids), {}
        for item, counts in sorted(items[(instrument, stage)].items()):
            missing = total - counts["answered"]
            if counts["dont_know"] or missing:
                gaps[item] = {"dont_know": counts["dont_know"], "missing": missing}
        result.setdefault(instrument, {})[stage] = {"assessments": total, "items_with_gaps": gaps}
    return {
        "assessments": result,
        "referrals": {
            "referrals": len(received),
            "date_of_birth_missing": sum(1 for r in received if r["age_at_referral_months"] == ""),
            "gender_not_known": sum(1 for r in received if r["gender"] in ("", "not_known")),
            "ethnicity_not_known": sum(1 for r in received if r["ethnicity"] in ("", "not_known")),
            "dash_score_missing": sum(1 for r in received if r["dash_score_at_referral"] == ""),
        },
    }
