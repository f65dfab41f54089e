"""Realistic synthetic data at any size, loaded into PostgreSQL with COPY.

The pathway is spread over five years ending today at a steady rate, so a bigger size means a
busier programme, not a longer one: each case is at the stage its age gives it (awaiting
consultation, consent, intervention, exit, closed in each way), with the consultation, plan,
consents, weekly sessions and meetings, assessments at intake, four weeks and exit, onward
referrals and temporary accommodation it would have by then. There are enough practitioners for
about 20 open cases each, as in the trial, and a social worker refers about 40 cases a year.

Rows go in through COPY with ids assigned here, because building 100k cases through the
services would take hours; the services' rules are kept by construction and by the database's
own constraints, which COPY does not bypass.
"""

import io
import json
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from accommodation.models import AccommodationRequest, Fund, Invoice, Placement
from assessments.instruments import NEEDS_AREAS, SOAG_CATEGORIES
from assessments.models import Assessment, AssessmentAnswer, DashQuestion, ViabilityMarker
from cases.models import (
    Case,
    CaseEvent,
    CaseUserObjectPermission,
    Consent,
    Consultation,
    InterventionSession,
    OnwardReferral,
    ProfessionalsMeeting,
    RiskPlan,
)
from diary.models import Appointment
from eip.people.models import Borough, Organisation, Role, User
from referrals.models import (
    Ethnicity,
    Gender,
    IntakeDuty,
    PartnerDetails,
    Person,
    Referral,
    ReferralUserObjectPermission,
    ReferredChild,
)

SPAN_DAYS = 5 * 365
OPEN_CASES_PER_PRACTITIONER = 20
CASES_PER_SOCIAL_WORKER = 200  # about 40 a year over the five years
# A rota: about one practitioner in ten on intake duty, told of new referrals. The last ones are,
# so the practitioner the benchmark measures (the first) is not: their diary is that of most.
PRACTITIONERS_PER_INTAKE_DUTY = 10
BENCH_PASSWORD = "benchmark-password-123"  # noqa: S105 - synthetic users on a throwaway database

FIRST = ["Adam", "Ben", "Carl", "Dev", "Eli", "Femi", "Gary", "Hugo", "Ivan", "Jamal", "Kofi", "Liam", "Mo", "Nat"]
LAST = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fofana", "Green", "Hughes", "Iqbal", "Jones", "Khan"]
PARTNER_FIRST = ["Amy", "Bea", "Cara", "Dina", "Eve", "Fay", "Gina", "Hana", "Isla", "Jess"]
TEAMS = ["early_help", "child_in_need", "child_protection", "other"]
TOPICS = ["emotional_regulation", "da_awareness", "impact_on_children", "communication"]
SEVERITIES = ["high", "moderate", "standard", "none", "dont_know"]


def _encode(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        value = json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Table:
    """Rows for one model, written with COPY. Ids are assigned here so rows can point at each
    other before anything is written; missing fields take the model's default."""

    FLUSH_AT = 20_000

    def __init__(self, model, now):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.now = now
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{model._meta.db_table}"')  # noqa: S608 - model table name
            self.next_id = cursor.fetchone()[0] + 1
        self.buffer = io.StringIO()
        self.pending = 0
        self.count = 0

    def _value(self, field, values):
        if field.attname in values:
            return values[field.attname]
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.now
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        if isinstance(field, (models.CharField, models.TextField)):
            return ""
        raise ValueError(f"{self.model.__name__}.{field.name} needs a value")

    def add(self, **values) -> int:
        values.setdefault("id", self.next_id)
        self.next_id = max(self.next_id, values["id"] + 1)
        self.buffer.write("\t".join(_encode(self._value(f, values)) for f in self.fields))
        self.buffer.write("\n")
        self.pending += 1
        self.count += 1
        if self.pending >= self.FLUSH_AT:
            self.flush()
        return values["id"]

    def flush(self):
        if not self.pending:
            return
        self.buffer.seek(0)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f'COPY "{self.model._meta.db_table}" ({columns}) FROM STDIN', self.buffer)
        self.buffer = io.StringIO()
        self.pending = 0

    def finish(self):
        self.flush()
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(%s, 1))", [table, self.next_id - 1]
            )


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def generate(*, cases: int, seed: int = 1) -> dict:
    """Load `cases` cases (and the referrals, people and users around them). Returns counts."""
    # One transaction, so foreign keys (deferred in Django's schema) are checked at commit,
    # after every table has its rows.
    with transaction.atomic():
        counts = _generate(cases=cases, seed=seed)
    # What autovacuum does to a production database soon after a bulk load: statistics for the
    # planner, and the visibility map that lets index-only scans skip the table (the machines
    # these run on may have autovacuum turned off).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return counts


def _generate(*, cases: int, seed: int) -> dict:
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    boroughs = list(Borough.objects.filter(isa_in_place=True).order_by("pk"))
    council = Organisation.objects.filter(kind=Organisation.Kind.BOROUGH_COUNCIL).first()
    provider = Organisation.objects.filter(kind=Organisation.Kind.DELIVERY_PARTNER).first()
    password = make_password(BENCH_PASSWORD)

    # About 70 days of openings are open at any time (consultation, consent, four weeks, exit).
    open_cases = max(1, round(cases * 70 / SPAN_DAYS))
    practitioners = [
        User.objects.create(
            email=f"bench.practitioner{i}@eip.example",
            full_name=f"Practitioner {i}",
            role=Role.PRACTITIONER,
            organisation=provider,
            password=password,
        )
        # Two at least: the first, whose diary is measured, is never the one on intake duty.
        for i in range(max(2, round(open_cases / OPEN_CASES_PER_PRACTITIONER)))
    ]
    on_duty = practitioners[-max(1, len(practitioners) // PRACTITIONERS_PER_INTAKE_DUTY) :]
    IntakeDuty.objects.bulk_create(IntakeDuty(practitioner=p, set_by=p) for p in on_duty)
    social_workers = [
        User.objects.create(
            email=f"bench.sw{i}@eip.example",
            full_name=f"Social worker {i}",
            role=Role.SOCIAL_WORKER,
            organisation=council,
            borough=boroughs[i % len(boroughs)],
            password=password,
        )
        for i in range(max(len(boroughs), cases // CASES_PER_SOCIAL_WORKER))
    ]
    fund = Fund.objects.order_by("starts_on").first()

    t = {
        m: Table(m, now)
        for m in (
            Person,
            Referral,
            PartnerDetails,
            ReferredChild,
            Case,
            CaseEvent,
            Consultation,
            RiskPlan,
            Consent,
            InterventionSession,
            ProfessionalsMeeting,
            OnwardReferral,
            Assessment,
            AssessmentAnswer,
            AccommodationRequest,
            Placement,
            Invoice,
            ReferralUserObjectPermission,
            CaseUserObjectPermission,
            Appointment,
        )
    }
    perms = {
        name: ContentType.objects.get_for_model(model).permission_set.get(codename=name.split(".")[1])
        for name, model in (
            ("referrals.view_referral", Referral),
            ("referrals.change_referral", Referral),
            ("cases.view_case", Case),
        )
    }
    grant_tables = {Referral: t[ReferralUserObjectPermission], Case: t[CaseUserObjectPermission]}
    dash = list(DashQuestion.objects.filter(active=True).values_list("number", "text"))
    markers = list(ViabilityMarker.objects.filter(active=True).values_list("number", "text"))
    ethnicities = [e for e in Ethnicity.values]
    genders = [Gender.MAN] * 8 + [Gender.WOMAN, Gender.NOT_KNOWN]

    def grant(user, perm, model, pk):
        grant_tables[model].add(user_id=user.pk, permission_id=perms[perm].pk, content_object_id=pk)

    def event(case_id, actor, at, kind, summary):
        t[CaseEvent].add(case_id=case_id, actor_id=actor.pk, at=at, kind=kind, summary=summary)

    def assessment(case_id, practitioner, stage, on):
        for instrument in ("soag", "needs", "dash", "viability"):
            values = {}
            answers = []
            if instrument == "soag":
                answers = [
                    {"item": c, "label": label, "rating": rng.choice(SEVERITIES)} for c, label in SOAG_CATEGORIES
                ]
            elif instrument == "needs":
                answers = [
                    {
                        "item": code,
                        "label": label,
                        "user_score": rng.randint(2, 10),
                        "practitioner_score": rng.randint(2, 10) if stage == "intake" else rng.randint(5, 10),
                    }
                    for code, label, _ in NEEDS_AREAS
                ]
                values = {
                    "user_total": sum(a["user_score"] for a in answers),
                    "practitioner_total": sum(a["practitioner_score"] for a in answers),
                    "review_date": on + timedelta(days=28),
                }
            elif instrument == "dash":
                answers = [
                    {
                        "item": f"dash-{n}",
                        "label": text,
                        "rating": rng.choice(["yes", "no", "no", "dont_know"]),
                        "source": "victim",
                    }
                    for n, text in dash
                ]
                values = {"yes_count": sum(a["rating"] == "yes" for a in answers)}
            else:
                answers = [
                    {
                        "item": f"marker-{n}",
                        "label": text,
                        "rating": rng.choice(["not_present", "low", "moderate", "high"]),
                    }
                    for n, text in markers
                ]
            assessment_id = t[Assessment].add(
                case_id=case_id,
                instrument=instrument,
                stage=stage,
                completed_by_id=practitioner.pk,
                completed_at=_at(on, 15),
                assessed_on=on,
                **values,
            )
            for answer in answers:
                t[AssessmentAnswer].add(assessment_id=assessment_id, **answer)

    for i in range(cases):
        # Openings at a steady rate over the span, the newest today.
        opened_on = today - timedelta(days=int(SPAN_DAYS * (cases - 1 - i) / max(cases, 1)))
        age = (today - opened_on).days
        borough = boroughs[i % len(boroughs)]
        referrer = social_workers[(i * 7) % len(social_workers)]
        practitioner = practitioners[i % len(practitioners)]
        received = _at(opened_on - timedelta(days=rng.randint(1, 4)), 11)
        first, last = rng.choice(FIRST), f"{rng.choice(LAST)}{i}"
        born = date(1970 + rng.randint(0, 35), rng.randint(1, 12), rng.randint(1, 28))
        person_id = t[Person].add(first_name=first, last_name=last, date_of_birth=born, borough_id=borough.pk)
        referral_id = t[Referral].add(
            reference=f"EIP-B{i:07d}",
            status="accepted",
            referrer_id=referrer.pk,
            borough_id=borough.pk,
            person_id=person_id,
            team=rng.choice(TEAMS),
            client_first_name=first,
            client_last_name=last,
            client_date_of_birth=born,
            client_gender=rng.choice(genders),
            client_ethnicity=rng.choice(ethnicities),
            client_first_language="English",
            client_phone=f"07700 9{i % 100000:05d}",
            client_address=f"{i} Example Road",
            client_postcode="N1 1AA",
            risk_markers=["verbal_arguments"],
            dash_completed="yes",
            dash_score=rng.randint(0, 16),
            client_willingness="willing",
            case_dynamic="Arguments about child contact have escalated.",
            created_at=received,
            updated_at=received,
            received_at=received,
            acknowledgement_due=received.date() + timedelta(days=3),
            acknowledged_at=received + timedelta(days=rng.choice([0, 1, 1, 2, 4])),
            acknowledged_by_id=practitioner.pk,
            decided_at=_at(opened_on, 12),
            decided_by_id=practitioner.pk,
        )
        t[PartnerDetails].add(
            referral_id=referral_id,
            first_name=rng.choice(PARTNER_FIRST),
            last_name=f"Partner{i}",
            phone="07700 900000",
            address=f"{i} Family Street",
            postcode="N1 2BB",
            lives_with_client="yes",
            safe_contact="Weekday mornings",
        )
        for _ in range(rng.choice([1, 1, 2, 3])):
            t[ReferredChild].add(
                referral_id=referral_id, age=rng.randint(0, 17), plan=rng.choice(["cin", "cp", "none"])
            )
        grant(referrer, "referrals.view_referral", Referral, referral_id)
        grant(referrer, "referrals.change_referral", Referral, referral_id)

        # Where this case has got to, by its age.
        outcome = rng.random()
        consulted = age >= 5
        suitable = consulted and outcome >= 0.12
        started = suitable and age >= 12 and outcome >= 0.2
        exit_on = opened_on + timedelta(days=45)
        closed_reason = ""
        if consulted and not suitable:
            stage, closed_reason = "not_suitable", "unsuitable"
        elif suitable and not started and age >= 12:
            stage, closed_reason = "disengaged", "did_not_engage"
        elif age < 5:
            stage = "awaiting_consultation"
        elif age < 12:
            stage = "awaiting_consent"
        elif age < 45:
            stage = "intervention"
        elif age < 60:
            stage = "exit"
        else:
            stage, closed_reason = "closed", "completed"
            if outcome < 0.32:
                stage, closed_reason = "disengaged", "dropped_out"
            elif outcome < 0.36:
                closed_reason = "higher_risk_service"
        start_on = opened_on + timedelta(days=12) if started else None
        closed_on = None
        if closed_reason:
            closed_on = {
                "unsuitable": opened_on + timedelta(days=5),
                "did_not_engage": opened_on + timedelta(days=12),
                "dropped_out": opened_on + timedelta(days=rng.randint(20, 40)),
            }.get(closed_reason, opened_on + timedelta(days=60))
        work_until = min(closed_on or today, today)
        case_id = t[Case].add(
            referral_id=referral_id,
            person_id=person_id,
            borough_id=borough.pk,
            referrer_id=referrer.pk,
            practitioner_id=practitioner.pk,
            stage=stage,
            opened_at=_at(opened_on, 12),
            intervention_started_on=start_on,
            exit_started_on=exit_on if start_on and (stage == "exit" or closed_reason == "completed") else None,
            closed_at=_at(closed_on, 16) if closed_on else None,
            closure_reason=closed_reason,
            exit_summary="Completed the programme." if closed_reason else "",
        )
        grant(referrer, "cases.view_case", Case, case_id)
        event(case_id, practitioner, _at(opened_on, 12), "opened", "Case opened")

        consultation_on = opened_on + timedelta(days=4)
        t[Consultation].add(
            case_id=case_id,
            scheduled_at=_at(consultation_on, 14),
            modality="video",
            attendees="Practitioner, social worker",
            held=consulted,
            outcome=("suitable" if suitable else "not_suitable") if consulted else "",
            not_suitable_reason="" if suitable or not consulted else "risk_too_high",
            recorded_by_id=practitioner.pk,
        )
        if not consulted:
            continue
        event(case_id, practitioner, _at(consultation_on, 15), "consultation", "Consultation held")
        if suitable:
            t[RiskPlan].add(
                case_id=case_id,
                version=1,
                risks="Escalating arguments.",
                protective_factors="Wants to stay involved with the children.",
                actions=[
                    {"action": "Weekly sessions", "owner": "Practitioner", "due": str(opened_on + timedelta(days=30))}
                ],
                written_by_id=practitioner.pk,
                written_at=_at(consultation_on, 16),
            )
        if not start_on:
            if closed_on:
                event(case_id, practitioner, _at(closed_on, 16), "closed", "Case closed")
            continue
        for party in ("client", "partner"):
            t[Consent].add(
                case_id=case_id,
                party=party,
                given_on=start_on - timedelta(days=1),
                method="written",
                obtained_by="Social worker",
                sharing="Practitioner and social worker",
                recorded_by_id=practitioner.pk,
            )
        event(case_id, practitioner, _at(start_on), "intervention", "Intervention started")
        week = 0
        while start_on + timedelta(days=7 * week) <= work_until and week < 8:
            day = start_on + timedelta(days=7 * week)
            t[InterventionSession].add(
                case_id=case_id,
                held_on=day,
                modality=rng.choice(["face_to_face", "video", "telephone"]),
                duration_minutes=60,
                attendance=rng.choice(["attended", "attended", "attended", "did_not_attend"]),
                topics=rng.sample(TOPICS, 2),
                notes="Worked on noticing early signs of anger.",
                recorded_by_id=practitioner.pk,
            )
            if rng.random() < 0.85:
                t[ProfessionalsMeeting].add(
                    case_id=case_id,
                    held_on=day + timedelta(days=2),
                    attendees="Practitioner, social worker",
                    risk_updates="No new incidents.",
                    recorded_by_id=practitioner.pk,
                )
            week += 1
        if stage in ("intervention", "exit"):
            # The next session and meeting, planned ahead (the diary).
            for kind, offset, hour in (("session", 1 + rng.randint(0, 6), 10), ("meeting", 2 + rng.randint(0, 5), 14)):
                t[Appointment].add(
                    case_id=case_id,
                    kind=kind,
                    starts_at=_at(today + timedelta(days=offset), hour),
                    duration_minutes=60 if kind == "session" else 45,
                    modality=rng.choice(["face_to_face", "video", "telephone"]),
                    place="Family centre, room 2",
                    scheduled_by_id=practitioner.pk,
                )
        if (today - start_on).days >= 7:
            assessment(case_id, practitioner, "intake", start_on + timedelta(days=3))
        if (today - start_on).days >= 28 and rng.random() < 0.6:
            assessment(case_id, practitioner, "mid", start_on + timedelta(days=28))
        if closed_reason == "completed":
            assessment(case_id, practitioner, "exit", exit_on + timedelta(days=5))
        if rng.random() < 0.5:
            made_on = start_on + timedelta(days=14)
            if made_on <= today:
                t[OnwardReferral].add(
                    case_id=case_id,
                    service=rng.choice(["dvpp", "mental_health", "substance_misuse", "housing_options"]),
                    made_on=made_on,
                    status=rng.choice(["made", "accepted", "engaged"]),
                    following_consultation=True,
                    recorded_by_id=practitioner.pk,
                )
        if rng.random() < 0.12 and fund:
            needed = start_on + timedelta(days=5)
            request_id = t[AccommodationRequest].add(
                case_id=case_id,
                borough_id=borough.pk,
                status="ended" if needed + timedelta(days=28) <= today else "approved",
                requested_by_id=practitioner.pk,
                requested_at=_at(start_on),
                needed_from=needed,
                reason="Partner and children stay at home safely.",
                risks_and_mitigation="Daily check-ins.",
                scenario_planning="If they separate, move-on through housing options.",
                housing_options_explained=True,
                exclusion_areas="Within a mile of the family home",
            )
            ended = needed + timedelta(days=28) <= today
            placement_id = t[Placement].add(
                request_id=request_id,
                fund_id=fund.pk,
                status="ended" if ended else "approved",
                proposed_by_id=borough.housing_spoc_id or practitioner.pk,
                proposed_at=_at(start_on, 14),
                provider="Budget Hotel",
                kind="hotel_bnb",
                address="1 Hotel Street",
                nightly_rate=Decimal("60.00"),
                start_on=needed,
                planned_end_on=needed + timedelta(days=28),
                distance_miles=Decimal("4.5"),
                committed=Decimal("1680.00"),
                decided_at=_at(start_on, 16),
                ended_on=needed + timedelta(days=28) if ended else None,
                move_on="returned_home" if ended else "",
            )
            t[Invoice].add(
                placement_id=placement_id,
                reference=f"INV-{placement_id}",
                amount=Decimal("1680.00"),
                received_on=needed + timedelta(days=7),
                paid_on=needed + timedelta(days=21) if ended else None,
                recorded_by_id=practitioner.pk,
            )
        if closed_on:
            event(case_id, practitioner, _at(closed_on, 16), "closed", "Case closed")

    # Referrals that did not become cases: declined ones throughout, and this week's inbox.
    extra = max(3, cases // 5)
    for j in range(extra):
        recent = j < max(3, cases // 500)
        received_on = today - timedelta(days=rng.randint(0, 4) if recent else rng.randint(5, SPAN_DAYS))
        received = _at(received_on, 11)
        borough = boroughs[j % len(boroughs)]
        referrer = social_workers[(j * 3) % len(social_workers)]
        referral_id = t[Referral].add(
            reference=f"EIP-D{j:07d}",
            status=rng.choice(["submitted", "acknowledged"]) if recent else "declined",
            referrer_id=referrer.pk,
            borough_id=borough.pk,
            team=rng.choice(TEAMS),
            client_first_name=rng.choice(FIRST),
            client_last_name=f"{rng.choice(LAST)}D{j}",
            client_date_of_birth=date(1980, 1 + j % 12, 1 + j % 28),
            client_gender=rng.choice(genders),
            client_ethnicity=rng.choice(ethnicities),
            created_at=received,
            updated_at=received,
            received_at=received,
            acknowledgement_due=received_on + timedelta(days=3),
            acknowledged_at=None if recent else received + timedelta(days=1),
            decided_at=None if recent else received + timedelta(days=5),
            decline_reason="" if recent else "not_contactable",
        )
        t[PartnerDetails].add(referral_id=referral_id, first_name="Partner", last_name=f"D{j}")
        grant(referrer, "referrals.view_referral", Referral, referral_id)
        grant(referrer, "referrals.change_referral", Referral, referral_id)

    for table in t.values():
        table.finish()
    return {
        "cases": cases,
        "practitioners": len(practitioners),
        "practitioners on intake duty": len(on_duty),
        "social_workers": len(social_workers),
        **{m._meta.verbose_name_plural: table.count for m, table in t.items()},
    }
