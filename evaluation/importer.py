"""Import historical cases (2020-2022 spreadsheets and the old system) from JSON Lines.

Every line is validated first; each problem is reported with its line and field, and a file
with any problem imports nothing. Imported records are ordinary referrals, people, cases,
consultations, sessions, meetings, assessments, placements and closures, so every report
counts them exactly as records entered through the screens. The format is in the README."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from accommodation.models import AccommodationRequest, Placement
from accommodation.services import AccommodationIncomplete, fund_for
from assessments.instruments import DashAnswer, Instrument, Severity, Stage, ViabilityLevel
from assessments.services import AssessmentIncomplete, assessment_save
from cases.models import (
    Case,
    CaseEvent,
    Consultation,
    InterventionSession,
    Modality,
    OnwardReferral,
    ProfessionalsMeeting,
)
from cases.services import CLOSURE_STAGE
from eip.people.models import Borough
from eip.workdays import working_days_after_receipt
from referrals.matching import person_match_keys_refresh
from referrals.models import Ethnicity, Gender, PartnerDetails, Person, Referral, Team
from referrals.services import ACKNOWLEDGEMENT_WORKING_DAYS, referral_reference_next

from .models import AccommodationNeed, AwaitingStart, HistoricalImport, ImportedReferral
from .services import (
    EvaluationRecordError,
    EvaluationRecordIncomplete,
    accommodation_need_record,
    awaiting_start_record,
)

# The services' field names as this file format names them.
IMPORT_FIELD = {"recorded_on": "date", "assessed_on": "date", "outcome_on": "outcome_date"}

KINDS = {
    "referral",
    "consultation",
    "awaiting_start",
    "intervention",
    "session",
    "meeting",
    "assessment",
    "accommodation_need",
    "placement",
    "onward_referral",
    "closure",
}


@dataclass
class Problem:
    line: int
    field: str
    message: str

    def __str__(self):
        if not self.line:  # the whole file
            return f"{self.field}: {self.message}"
        return f"line {self.line}, {self.field}: {self.message}"


@dataclass
class Parsed:
    lines: list = field(default_factory=list)  # (line number, kind, cleaned dict)
    problems: list = field(default_factory=list)


class _Line:
    def __init__(self, number, data, problems):
        self.line_number, self.data, self.problems = number, data, problems

    def _fail(self, name, message):
        self.problems.append(Problem(self.line_number, name, message))

    def text(self, name, required=True):
        value = self.data.get(name)
        if value in (None, ""):
            if required:
                self._fail(name, "is missing")
            return ""
        if not isinstance(value, str):
            self._fail(name, "must be text")
            return ""
        return value.strip()

    def day(self, name, required=True):
        value = self.data.get(name)
        if value in (None, ""):
            if required:
                self._fail(name, "is missing")
            return None
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            self._fail(name, f"{value!r} is not a date (use YYYY-MM-DD)")
            return None

    def choice(self, name, choices, required=True):
        value = self.text(name, required)
        if value and value not in choices:
            self._fail(name, f"{value!r} is not one of: {', '.join(sorted(choices))}")
            return ""
        return value

    def flag(self, name, default=False):
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._fail(name, "must be true or false")
            return default
        return value

    def number(self, name, required=False, low=None, high=None):
        value = self.data.get(name)
        if value in (None, ""):
            if required:
                self._fail(name, "is missing")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self._fail(name, f"{value!r} is not a number")
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            self._fail(name, f"must be between {low} and {high}")
            return None
        return number


def parse(lines) -> Parsed:
    parsed = Parsed()
    referrals = {}
    boroughs = {b.name.lower(): b for b in Borough.objects.all()} | {b.code: b for b in Borough.objects.all()}
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            parsed.problems.append(Problem(number, "line", f"is not valid JSON ({error.msg})"))
            continue
        if not isinstance(data, dict):
            parsed.problems.append(Problem(number, "line", "must be a JSON object"))
            continue
        line = _Line(number, data, parsed.problems)
        kind = line.choice("record", KINDS)
        if not kind:
            continue
        clean = {"record": kind}
        if kind == "referral":
            clean["id"] = line.text("id")
            if clean["id"] in referrals:
                line._fail("id", f"referral {clean['id']!r} appears twice (first on line {referrals[clean['id']]})")
            referrals[clean["id"]] = number
            borough = line.text("borough")
            clean["borough"] = boroughs.get(borough.lower())
            if borough and clean["borough"] is None:
                line._fail("borough", f"{borough!r} is not a borough in EIP")
            clean["team"] = line.choice("team", Team.values)
            clean["received"] = line.day("received")
            clean["first_name"], clean["last_name"] = line.text("first_name"), line.text("last_name")
            clean["date_of_birth"] = line.day("date_of_birth", required=False)
            clean["gender"] = line.choice("gender", Gender.values, required=False) or "not_known"
            clean["ethnicity"] = line.choice("ethnicity", Ethnicity.values, required=False) or "not_known"
            clean["dash_score"] = line.number("dash_score", low=0, high=24)
            clean["acknowledged"] = line.day("acknowledged", required=False)
            clean["decision"] = line.choice("decision", {"accepted", "declined"}, required=False)
            clean["decided"] = line.day("decided", required=bool(clean["decision"]))
            if clean["decision"] == "declined":
                clean["decline_reason"] = line.choice("decline_reason", Referral.DeclineReason.values)
        else:
            clean["referral"] = line.text("referral")
            if clean["referral"] and clean["referral"] not in referrals:
                line._fail("referral", f"no referral with id {clean['referral']!r} earlier in the file")
            clean["date"] = line.day("date")
            if kind == "consultation":
                clean["outcome"] = line.choice("outcome", Consultation.Outcome.values)
                if clean["outcome"] == "not_suitable":
                    clean["reason"] = line.choice("reason", Consultation.NotSuitableReason.values)
            elif kind == "session":
                clean["modality"] = line.choice("modality", Modality.values)
                clean["attendance"] = line.choice("attendance", InterventionSession.Attendance.values)
                clean["minutes"] = line.number("minutes", low=1, high=480)
            elif kind == "assessment":
                clean["instrument"] = line.choice("instrument", Instrument.values)
                clean["stage"] = line.choice("stage", Stage.values)
                answers = data.get("answers")
                if not isinstance(answers, dict) or not answers:
                    line._fail("answers", "must be an object of item: answer")
                clean["answers"] = _answers(line, clean["instrument"], answers if isinstance(answers, dict) else {})
            elif kind == "placement":
                clean["end"] = line.day("end")
                clean["kind"] = line.choice("kind", Placement.Kind.values)
                clean["provider"] = line.text("provider")
                clean["nightly_rate"] = line.number("nightly_rate", low=0, high=10000)
                clean["amount"] = line.number("amount", low=0, high=100000)
                if (clean["nightly_rate"] is None) == (clean["amount"] is None):
                    line._fail("nightly_rate", "give either nightly_rate or amount")
                clean["move_on"] = line.choice("move_on", Placement.MoveOn.values, required=False)
                if clean["date"] and clean["end"] and clean["end"] <= clean["date"]:
                    line._fail("end", "must be after date")
            elif kind == "awaiting_start":
                clean["state"] = line.choice("state", AwaitingStart.State.values)
            elif kind == "accommodation_need":
                clean["outcome"] = line.choice("outcome", AccommodationNeed.Outcome.values)
                clean["outcome_date"] = line.day("outcome_date", required=False)
                if clean["outcome_date"] and clean["date"] and clean["outcome_date"] < clean["date"]:
                    line._fail("outcome_date", "must not be before date")
            elif kind == "onward_referral":
                clean["service"] = line.choice("service", OnwardReferral.Service.values)
                clean["service_other"] = line.text("service_other", required=clean["service"] == "other")[:150]
                clean["status"] = line.choice("status", OnwardReferral.Status.values)
                clean["started"] = line.day("started", required=False)
                clean["outcome"] = line.text("outcome", required=False)
                clean["following_consultation"] = line.flag("following_consultation")
                if clean["started"] and clean["date"] and clean["started"] < clean["date"]:
                    line._fail("started", "must not be before date")
            elif kind == "closure":
                clean["reason"] = line.choice("reason", Case.ClosureReason.values)
        parsed.lines.append((number, kind, clean))
    return parsed


def _answers(line, instrument, answers):
    result = {}
    for item, value in answers.items():
        if instrument == Instrument.NEEDS:
            if not (
                isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and 0 <= v <= 10 for v in value)
            ):
                line._fail(f"answers.{item}", "must be [service user score, practitioner score], each 0 to 10")
                continue
            result[item] = {"user_score": value[0], "practitioner_score": value[1]}
        else:
            allowed = {
                Instrument.SOAG: Severity.values,
                Instrument.DASH: DashAnswer.values,
                Instrument.VIABILITY: ViabilityLevel.values,
            }.get(instrument, [])
            if value not in allowed:
                line._fail(f"answers.{item}", f"{value!r} is not one of: {', '.join(allowed)}")
                continue
            result[item] = {"rating": value, "source": "other" if instrument == Instrument.DASH else ""}
    return result


def _fund_phase(day: date):
    """The fund phase a historical placement's start falls in, or none: never today's phase."""
    try:
        return fund_for(day)
    except AccommodationIncomplete:
        return None


def _at(day: date, hour=10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


def _already_imported(lines, parsed) -> list[Problem]:
    """A file imported before, or a referral id imported before from any file, is refused:
    importing twice would count the same history twice."""
    digest = hashlib.sha256("".join(lines).encode()).hexdigest()
    earlier = HistoricalImport.objects.filter(sha256=digest).first()
    if earlier:
        return [Problem(0, "file", f"this file was imported on {_day(earlier.imported_at)}")]
    ids = {clean["id"]: number for number, kind, clean in parsed.lines if kind == "referral"}
    return [
        Problem(
            ids[row.source_id], "id", f"referral {row.source_id!r} was imported on {row.batch.imported_at:%-d %B %Y}"
        )
        for row in ImportedReferral.objects.filter(source_id__in=ids).select_related("batch").order_by("source_id")
    ]


@transaction.atomic
def import_lines(lines, *, user) -> dict:
    """Validate everything, then import everything, or (any problem) nothing."""
    lines = list(lines)
    parsed = parse(lines)
    if parsed.problems:
        return {"imported": False, "problems": parsed.problems}
    refused = _already_imported(lines, parsed)
    if refused:
        return {"imported": False, "problems": refused}
    batch = HistoricalImport.objects.create(
        sha256=hashlib.sha256("".join(lines).encode()).hexdigest(), imported_by=user, lines=len(lines)
    )
    people = {}
    referrals, cases = {}, {}
    counts = dict.fromkeys(KINDS, 0)
    savepoint_problems = []
    for number, kind, d in parsed.lines:
        counts[kind] += 1
        if kind == "referral":
            key = (d["first_name"].lower(), d["last_name"].lower(), d["date_of_birth"])
            person = (
                people.get(key)
                or Person.objects.filter(
                    first_name__iexact=d["first_name"],
                    last_name__iexact=d["last_name"],
                    date_of_birth=d["date_of_birth"],
                ).first()
                or Person.objects.create(
                    first_name=d["first_name"],
                    last_name=d["last_name"],
                    date_of_birth=d["date_of_birth"],
                    borough=d["borough"],
                )
            )
            people[key] = person
            received = _at(d["received"])
            status = {"accepted": "accepted", "declined": "declined"}.get(
                d["decision"], "acknowledged" if d["acknowledged"] else "submitted"
            )
            referral = Referral.objects.create(
                reference=referral_reference_next(d["received"].year),
                status=status,
                referrer=user,
                borough=d["borough"],
                person=person,
                team=d["team"],
                client_first_name=d["first_name"],
                client_last_name=d["last_name"],
                client_date_of_birth=d["date_of_birth"],
                client_gender=d["gender"],
                client_ethnicity=d["ethnicity"],
                dash_score=int(d["dash_score"]) if d["dash_score"] is not None else None,
                received_at=received,
                acknowledgement_due=working_days_after_receipt(received, ACKNOWLEDGEMENT_WORKING_DAYS),
                acknowledged_at=_at(d["acknowledged"]) if d["acknowledged"] else None,
                decided_at=_at(d["decided"]) if d["decided"] else None,
                decline_reason=d.get("decline_reason", ""),
                case_dynamic="Imported from historical records.",
            )
            PartnerDetails.objects.create(referral=referral)
            ImportedReferral.objects.create(source_id=d["id"], referral=referral, batch=batch)
            referrals[d["id"]] = referral
            if d["decision"] == "accepted":
                case = Case.objects.create(
                    referral=referral,
                    person=person,
                    borough=d["borough"],
                    referrer=user,
                    practitioner=user,
                    opened_at=_at(d["decided"]),
                )
                CaseEvent.objects.create(
                    case=case, actor=user, kind="imported", summary="Case imported from historical records"
                )
                cases[d["id"]] = case
            continue
        case = cases.get(d["referral"])
        if case is None:
            savepoint_problems.append(Problem(number, "referral", f"referral {d['referral']!r} was not accepted"))
            continue
        if kind == "consultation":
            Consultation.objects.create(
                case=case,
                scheduled_at=_at(d["date"]),
                modality="telephone",
                held=True,
                outcome=d["outcome"],
                not_suitable_reason=d.get("reason", ""),
                recorded_by=user,
            )
            if d["outcome"] == "suitable" and case.stage == Case.Stage.AWAITING_CONSULTATION:
                case.stage = Case.Stage.AWAITING_CONSENT
            elif d["outcome"] == "not_suitable":
                case.stage, case.closure_reason, case.closed_at = Case.Stage.NOT_SUITABLE, "unsuitable", _at(d["date"])
        elif kind in ("awaiting_start", "accommodation_need"):
            # The same services the case's data-quality page calls.
            try:
                with transaction.atomic():
                    if kind == "awaiting_start":
                        awaiting_start_record(case=case, user=user, state=d["state"], recorded_on=d["date"])
                    else:
                        accommodation_need_record(
                            case=case,
                            user=user,
                            assessed_on=d["date"],
                            outcome=d["outcome"],
                            outcome_on=d["outcome_date"],
                        )
            except EvaluationRecordIncomplete as missing:
                for name, message in missing.errors.items():
                    savepoint_problems.append(Problem(number, IMPORT_FIELD.get(name, name), message))
            except EvaluationRecordError as refused:
                savepoint_problems.append(Problem(number, "date", str(refused)))
        elif kind == "onward_referral":
            OnwardReferral.objects.create(
                case=case,
                service=d["service"],
                service_other=d["service_other"],
                made_on=d["date"],
                status=d["status"],
                started_on=d["started"],
                outcome=d["outcome"],
                following_consultation=d["following_consultation"],
                recorded_by=user,
            )
        elif kind == "intervention":
            case.intervention_started_on, case.stage = d["date"], Case.Stage.INTERVENTION
        elif kind == "session":
            InterventionSession.objects.create(
                case=case,
                held_on=d["date"],
                modality=d["modality"],
                attendance=d["attendance"],
                recorded_by=user,
                duration_minutes=int(d["minutes"]) if d["minutes"] else None,
            )
        elif kind == "meeting":
            ProfessionalsMeeting.objects.create(case=case, held_on=d["date"], attendees="Imported", recorded_by=user)
        elif kind == "assessment":
            try:
                with transaction.atomic():
                    assessment_save(
                        case=case,
                        user=user,
                        instrument=d["instrument"],
                        stage=d["stage"],
                        assessed_on=d["date"],
                        answers=d["answers"],
                        notes="",
                        review_date=d["date"],
                        professional_judgement=False,
                        potential_escalation=False,
                    )
            except AssessmentIncomplete as missing:
                for name, message in missing.errors.items():
                    savepoint_problems.append(Problem(number, f"answers.{name}", message))
        elif kind == "placement":
            request = AccommodationRequest.objects.create(
                case=case,
                borough=case.borough,
                requested_at=_at(d["date"], 9),
                status="ended" if d["move_on"] else "approved",
                requested_by=user,
                needed_from=d["date"],
                reason="Imported",
                risks_and_mitigation="Imported",
                scenario_planning="Imported",
                housing_options_explained=True,
                exclusion_areas="Imported",
            )
            placement = Placement(
                request=request,
                fund=_fund_phase(d["date"]),
                proposed_by=user,
                provider=d["provider"],
                kind=d["kind"],
                address="Imported",
                nightly_rate=d["nightly_rate"],
                fixed_amount=d["amount"],
                start_on=d["date"],
                planned_end_on=d["end"],
                distance_miles=Decimal("0"),
                decided_by=user,
                proposed_at=_at(d["date"], 9),
                decided_at=_at(d["date"]),
                status="ended" if d["move_on"] else "approved",
                move_on=d["move_on"] or "",
                ended_on=d["end"] if d["move_on"] else None,
            )
            placement.committed = placement.cost_for(d["date"], d["end"])
            placement.save()
        elif kind == "closure":
            case.stage, case.closure_reason, case.closed_at = CLOSURE_STAGE[d["reason"]], d["reason"], _at(d["date"])
            case.exit_summary = case.onward_plan = "Imported from historical records."
        case.save()
    if savepoint_problems:
        transaction.set_rollback(True)
        return {"imported": False, "problems": savepoint_problems}
    # An imported person is found by the matcher when they are referred again, under any spelling.
    for person in {person.pk: person for person in people.values()}.values():
        person_match_keys_refresh(person=person)
    return {"imported": True, "problems": [], "counts": counts, "people": len(people)}
