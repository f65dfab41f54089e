"""Reading cases: the access gate for one case, the caseload with what is due, the timeline."""

import hashlib
import html
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from eip import access
from eip.people.models import Role
from eip.workdays import add_working_days

from .models import Case, ProfessionalsMeeting, RiskAction, isa_in_force

St = Case.Stage


def case_list_for_user(*, user) -> QuerySet[Case]:
    cases = Case.objects.select_related("referral", "borough", "practitioner", "referrer", "person")
    if user.role in (Role.PRACTITIONER, Role.SUPERVISOR):
        return cases
    # Cases opened to this person by emergency access ("break the glass"), while it lasts. Read
    # first, as a short list: OR-ing a subquery into the filter made PostgreSQL scan every case.
    from .models import EmergencyAccess

    emergency = list(EmergencyAccess.objects.open_to(user).values_list("case_id", flat=True))

    def or_emergency(condition: Q) -> Q:
        return condition | Q(pk__in=emergency) if emergency else condition

    if user.role == Role.BOROUGH_SPOC:
        return cases.filter(or_emergency(Q(borough_id=user.borough_id)))
    if user.role == Role.SOCIAL_WORKER:
        return cases.filter(
            or_emergency(Q(pk__in=access.granted(user, "cases.view_case", Case.objects.all()).values("pk")))
        )
    return cases.none()


def case_get_for_user(*, user, pk, action="case.view") -> Case:
    """The one gate for a case record: 404 unless the policy lets this user see it."""
    return access.get_for_user(user, action, case_list_for_user(user=user), pk=pk)


# --- break the glass ---------------------------------------------------------------------


def emergency_access_case(*, user, case_number) -> Case | None:
    """The case `user` may ask emergency access to under this number, or None: it must be in
    their own borough, and that borough's information sharing agreement in force today. One
    query whatever the reason it may not be (no such case, another borough, no agreement), so
    neither the answer nor its cost tells them which."""
    return (
        Case.objects.select_related("referral", "borough")
        .filter(isa_in_force("borough__", timezone.localdate()), pk=case_number, borough_id=user.borough_id)
        .first()
    )


def emergency_access_queue(*, recent: int = 20) -> dict:
    """The supervisors' queue: requests waiting for approval, grants waiting for review (the
    longest overdue first) and the latest decided."""
    from .models import EmergencyAccess

    rows = EmergencyAccess.objects.select_related("case__referral", "case__borough", "user__borough")
    S = EmergencyAccess.Status
    today = timezone.localdate()
    to_review = list(rows.filter(status=S.GRANTED, reviewed_at__isnull=True).order_by("review_due_on", "granted_at"))
    for row in to_review:
        row.overdue = row.review_overdue(today)
    return {
        "waiting": list(rows.filter(status=S.WAITING).order_by("requested_at")),
        "to_review": to_review,
        "decided": list(
            rows.select_related("reviewed_by", "decided_by")
            .filter(Q(reviewed_at__isnull=False) | Q(status=S.REFUSED))
            .order_by(Coalesce("reviewed_at", "decided_at").desc(), "-pk")[:recent]
        ),
    }


def emergency_access_counts() -> dict:
    """For a supervisor's home page: what waits for them."""
    from .models import EmergencyAccess

    S = EmergencyAccess.Status
    to_review = EmergencyAccess.objects.filter(status=S.GRANTED, reviewed_at__isnull=True)
    return {
        "waiting": EmergencyAccess.objects.filter(status=S.WAITING).count(),
        "to_review": to_review.count(),
        "overdue": to_review.filter(review_due_on__lt=timezone.localdate()).count(),
    }


def emergency_access_activity(*, emergency_access):
    """What the person opened on the case while the access lasted, from the audit trail."""
    from eip.audit.models import AuditEvent

    row = emergency_access
    if row.granted_at is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(
        actor_id=row.user_id,
        action=AuditEvent.Action.VIEWED,
        record_type=Case._meta.label_lower,
        record_id=str(row.case_id),
        at__gte=row.granted_at,
        at__lte=min(row.expires_at, timezone.now()),
    ).order_by("at", "pk")


# What the caseload needs to know about each case, as one hand-written query for the cases
# on the page: the ORM's nine correlated subqueries cost more to build and compile than to run.
_DUE_FACTS_SQL = """
SELECT c.id,
  (SELECT MAX(m.held_on) FROM cases_professionalsmeeting m WHERE m.case_id = c.id),
  (SELECT MAX(k.scheduled_at) FROM cases_consultation k WHERE k.case_id = c.id),
  (SELECT COUNT(*) FROM cases_riskaction a WHERE a.case_id = c.id AND a.done_on IS NULL),
  (SELECT COUNT(*) FROM assessments_assessment s WHERE s.case_id = c.id AND s.stage = 'intake' AND s.is_current),
  (SELECT COUNT(*) FROM assessments_assessment s WHERE s.case_id = c.id AND s.stage = 'mid' AND s.is_current),
  (SELECT COUNT(*) FROM assessments_assessment s WHERE s.case_id = c.id AND s.stage = 'exit' AND s.is_current),
  (SELECT p.planned_end_on FROM accommodation_placement p
     JOIN accommodation_accommodationrequest r ON r.id = p.request_id
     WHERE r.case_id = c.id AND p.status = 'approved' ORDER BY p.proposed_at DESC LIMIT 1),
  EXISTS (SELECT 1 FROM cases_consent n WHERE n.case_id = c.id AND n.party = 'client' AND n.withdrawn_on IS NULL),
  EXISTS (SELECT 1 FROM cases_consent n WHERE n.case_id = c.id AND n.party = 'partner' AND n.withdrawn_on IS NULL)
FROM cases_case c WHERE c.id IN ({ids})
"""


def _as_date(value):
    # SQLite (the embedded default) returns dates from raw SQL as text.
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def due_facts_attach(cases: list[Case]) -> list[Case]:
    """Set on each case what due_items() reads: last meeting, consultation, open risk actions,
    assessments done per stage, the current placement's end and the live consents."""
    if not cases:
        return cases
    ids = ", ".join(["%s"] * len(cases))
    with connection.cursor() as cursor:
        # Only "%s" placeholders are formatted in; the ids go as parameters.
        cursor.execute(_DUE_FACTS_SQL.format(ids=ids), [case.pk for case in cases])  # nosec B608
        facts = {row[0]: row[1:] for row in cursor.fetchall()}
    for case in cases:
        meeting, consultation, risks, intake, mid, exit_, ends_on, client, partner = facts[case.pk]
        case.last_meeting_on = _as_date(meeting)
        case.consultation_at = consultation
        case.open_risk_actions = risks
        case.intake_done, case.mid_done, case.exit_done = intake, mid, exit_
        case.placement_ends_on = _as_date(ends_on)
        case.client_consent, case.partner_consent = bool(client), bool(partner)
    return cases


class _DueFactsQuerySet(QuerySet):
    """Cases that carry their due facts once fetched, whether listed, paged or got."""

    def _fetch_all(self):
        fetched = self._result_cache is None
        super()._fetch_all()
        if fetched and self._result_cache and isinstance(self._result_cache[0], Case):
            due_facts_attach(self._result_cache)


def _with_due_facts(cases: QuerySet[Case]) -> QuerySet[Case]:
    cases = cases.all()
    cases.__class__ = _DueFactsQuerySet  # clones keep the class, so filters and slices keep the facts
    return cases


@dataclass(frozen=True)
class DueItem:
    what: str
    due: date | None
    overdue: bool


def due_items(case: Case, today: date | None = None, *, partner_matters: bool = True) -> list[DueItem]:
    """What is due on a case, soonest first, from an annotated case (no extra queries).
    Without `partner_matters` (someone who may not see the partner section), open IDVA and
    MARAC referrals are left out: they are about the partner."""
    today = today or timezone.localdate()
    if case.stage in Case.CLOSED_STAGES:
        return []
    items = []
    if partner_matters and getattr(case, "open_risk_actions", 0):
        items.append(DueItem("IDVA and MARAC referrals", None, True))
    if case.stage == St.AWAITING_CONSULTATION:
        due = add_working_days(timezone.localtime(case.opened_at).date(), settings.EIP_CONSULTATION_WORKING_DAYS)
        what = "Hold the case consultation" if case.consultation_at else "Arrange the case consultation"
        items.append(DueItem(what, due, today > due))
    elif case.stage == St.AWAITING_CONSENT:
        missing = [p for p, given in (("client", case.client_consent), ("partner", case.partner_consent)) if not given]
        items.append(
            DueItem("Consent from " + " and ".join(missing) if missing else "Start the intervention", None, False)
        )
    ends_on = getattr(case, "placement_ends_on", None)
    if ends_on is not None:
        left = (ends_on - today).days
        what = (
            f"Accommodation ends ({left} day{'s' if left != 1 else ''} left)" if left >= 0 else "Accommodation move-on"
        )
        items.append(DueItem(what, ends_on, left < 0))
    if case.stage in Case.MEETING_STAGES:
        from assessments.instruments import Instrument
        from assessments.services import due_date

        total = len(Instrument.values)
        for stage, label in (
            ("intake", "Intake assessments"),
            ("mid", "Four-week assessments"),
            ("exit", "Exit assessments"),
        ):
            done = getattr(case, f"{stage}_done") or 0
            due = due_date(case, stage)
            if due is not None and done < total:
                items.append(DueItem(f"{label} ({done} of {total} done)", due, today > due))
                break  # the earliest stage still open is the one to act on
        since = max(filter(None, [case.last_meeting_on, case.intervention_started_on]))
        due = since + timedelta(days=settings.EIP_MEETING_INTERVAL_DAYS)
        items.append(DueItem("Professionals meeting", due, today > due))
    return sorted(items, key=lambda i: (not i.overdue, i.due or date.max))


def caseload_for_user(*, user, practitioner=None, stage="", search="", include_closed=False):
    """Open cases with what is due: a practitioner's own, or (supervisors) the team's."""
    cases = case_list_for_user(user=user)
    if user.role == Role.PRACTITIONER and practitioner is None:
        practitioner = user
    if practitioner is not None:
        cases = cases.filter(practitioner=practitioner)
    if not include_closed:
        cases = cases.filter(stage__in=Case.ACTIVE_STAGES)
    if stage:
        cases = cases.filter(stage=stage)
    if search:
        term = search.strip()
        cases = cases.filter(
            Q(referral__reference__icontains=term)
            | Q(referral__client_first_name__icontains=term)
            | Q(referral__client_last_name__icontains=term)
        )
    return _with_due_facts(cases).order_by("opened_at")


def _consultation_overdue_before(today: date):
    """The moment before which a case opened is late for its consultation today: the
    consultation is due a set number of working days after the day the case opened, so the
    latest such day whose deadline has passed is found by stepping back (a few days)."""
    days = settings.EIP_CONSULTATION_WORKING_DAYS
    day = today - timedelta(days=1)
    while add_working_days(day, days) >= today:
        day -= timedelta(days=1)
    # Cases opened on or before `day` (London's calendar day) are overdue.
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time()))


def overdue_condition(*, today: date, partner_matters: bool) -> Q:
    """The condition a case meets when due_items() would show something overdue on it, as
    SQL: so the whole caseload can be ordered overdue first and counted before it is paged.
    Kept in step with due_items() by tests/test_cases.py (the 60-case caseload)."""
    # Read by name, not imported: cases does not import the apps built on it.
    Assessment = apps.get_model("assessments", "Assessment")
    Placement = apps.get_model("accommodation", "Placement")
    from assessments.instruments import Instrument
    from assessments.services import DUE_AFTER_DAYS

    total = len(Instrument.values)

    def stage_open(stage, started):
        done = Assessment.objects.filter(case=OuterRef("pk"), stage=stage, is_current=True)
        return Q(**{f"{started}__isnull": False}) & ~Q(
            Exists(done.order_by().values("case").annotate(n=Count("pk")).filter(n__gte=total))
        )

    intake, mid, exit_ = (
        stage_open("intake", "intervention_started_on"),
        stage_open("mid", "intervention_started_on"),
        stage_open("exit", "exit_started_on"),
    )
    # due_items() shows the earliest stage still open; it is overdue once its day has passed.
    assessments = (
        (intake & Q(intervention_started_on__lt=today - timedelta(days=DUE_AFTER_DAYS["intake"])))
        | (~intake & mid & Q(intervention_started_on__lt=today - timedelta(days=DUE_AFTER_DAYS["mid"])))
        | (~intake & ~mid & exit_ & Q(exit_started_on__lt=today - timedelta(days=DUE_AFTER_DAYS["exit"])))
    )
    meeting_due_before = today - timedelta(days=settings.EIP_MEETING_INTERVAL_DAYS)
    last_meeting = ProfessionalsMeeting.objects.filter(case=OuterRef("pk")).order_by().values("case")
    meeting = (
        ~Q(Exists(last_meeting.filter(held_on__gte=meeting_due_before)))
        & (Q(intervention_started_on__isnull=True) | Q(intervention_started_on__lt=meeting_due_before))
        & (Q(intervention_started_on__isnull=False) | Q(Exists(last_meeting)))
    )
    current_placement = (
        Placement.objects.filter(request__case=OuterRef("pk"), status="approved")
        .order_by("-proposed_at")
        .values("planned_end_on")[:1]
    )
    overdue = (
        Q(stage=St.AWAITING_CONSULTATION, opened_at__lt=_consultation_overdue_before(today))
        | Q(Exists(Placement.objects.filter(pk__in=Subquery(current_placement.values("pk")), planned_end_on__lt=today)))
        | (Q(stage__in=Case.MEETING_STAGES) & (assessments | meeting))
    )
    if partner_matters:
        overdue |= Q(Exists(RiskAction.objects.filter(case=OuterRef("pk"), done_on__isnull=True)))
    return ~Q(stage__in=Case.CLOSED_STAGES) & overdue


def caseload_overdue_first(cases: QuerySet[Case], *, partner_matters: bool, today: date | None = None):
    """The caseload ordered overdue first (then oldest first), and how many cases in all of it
    (not just one page) have something overdue: (cases, total, overdue)."""
    today = today or timezone.localdate()
    cases = cases.annotate(
        has_overdue=ExpressionWrapper(overdue_condition(today=today, partner_matters=partner_matters), BooleanField())
    ).order_by("-has_overdue", "opened_at")
    counts = cases.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(has_overdue=True)))
    return cases, counts["total"], counts["overdue"]


def weeks_open(case: Case, today: date | None = None) -> int:
    today = today or timezone.localdate()
    end = timezone.localtime(case.closed_at).date() if case.closed_at else today
    return (end - timezone.localtime(case.opened_at).date()).days // 7


def case_with_due_facts(*, case: Case) -> Case:
    return due_facts_attach([case])[0]


# --- subject access requests -------------------------------------------------------------

WITHHELD = "[withheld: third-party information]"

# What a subject access export never contains. The list is the same for every case, so it
# tells the client nothing about what is held on their particular file.
WITHHELD_CATEGORIES = [
    "The partner or victim-survivor's details: name, date of birth, gender, phone, address, postcode, "
    "whether they live with you and how to contact them safely.",
    "The children's details: their ages and any children's services plan.",
    "The referrer's account of the case: the case dynamic, risk markers, police involvement and "
    "orders, the DASH score and notes made while handling the referral.",
    "The Risk Management and Intervention Plan: risks, protective factors, actions, contingency and "
    "safety planning for the partner and children.",
    "The partner's consent, contact with the partner and who supports the partner.",
    "Disclosures, risk escalations (IDVA and MARAC referrals) and DASH risk checklists, which are "
    "completed with or about the partner.",
    "Severity of Abuse Grid ratings, which rest on what the partner and other agencies report.",
    "Case consultation notes and attendees, and the content of professionals meetings (their dates are given).",
    "Onward referrals for the partner or the children (IDVA, MARAC, victim support, CAMHS).",
    "Accommodation requests: the reasons, risks, scenario planning and the areas you must avoid.",
    "Notes written with assessments, the case timeline and the audit log.",
    "Any text that names or locates the partner, and any phone number, email address or postcode that is "
    f"not yours, replaced by “{WITHHELD}”.",
]

# Onward referrals made for the client. The others (IDVA, MARAC, victim support, CAMHS) are
# made for the partner or the children.
CLIENT_ONWARD_SERVICES = (
    "dvpp",
    "substance_misuse",
    "mental_health",
    "housing_options",
    "finance_support",
    "adult_social_care",
    "other",
)


class _Redactor:
    """Withhold anything that names or locates a third party in text that goes into the export:
    the partner's name (whole words, the surname alone only when the client does not share it),
    phone number in any format, street whatever the house number, case or abbreviation, postcode
    with or without its space, and safe-contact text; and every other phone number, e-mail
    address and postcode that is not the client's own. Matching is eip.outbound's, the same the
    guard uses on every output. Each withheld span carries its reason for the reviewing
    supervisor (data-reason, removed from the released PDF)."""

    def __init__(self, case: Case, *, own_addresses=()):
        from eip import outbound

        identifiers = list(outbound.identifiers_of([case.referral_id]))
        # The client's temporary accommodation is the client's own address.
        identifiers += [outbound.Identifier(case.referral_id, "client", "address", a) for a in own_addresses]
        self._redactor = outbound.redactor(identifiers)

    def __call__(self, value) -> str:
        from django.utils.html import escape, format_html
        from django.utils.safestring import SafeString

        text = "" if value is None else str(value)
        result, position = SafeString(""), 0
        for hit in self._redactor.spans(text):
            result += escape(text[position : hit.start])
            result += format_html('<span class="sar-withheld" data-reason="{}">{}</span>', hit.label, WITHHELD)
            position = hit.end
        return result + escape(text[position:])


def _day(value) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def _moment(value) -> str:
    return f"{timezone.localtime(value):%-d %B %Y}" if value else ""


def subject_access_export(*, case: Case) -> dict:
    """The client's own data on a case, for a subject access request. Built field by field
    from an allow-list: anything not named here (every partner and children's field, the
    referrer's narrative, safety planning) never reaches the export."""
    from accommodation.models import Placement
    from assessments.instruments import Instrument
    from assessments.models import Assessment

    referral = case.referral
    person = case.person
    placed = Placement.objects.filter(request__case=case, status__in=["approved", "ended"]).order_by("start_on")
    redact = _Redactor(case, own_addresses=[p.address for p in placed])

    def rows(*pairs):
        return [(label, redact(value)) for label, value in pairs if value not in (None, "")]

    client = rows(
        ("Name", f"{person.first_name} {person.last_name}"),
        ("Date of birth", _day(person.date_of_birth or referral.client_date_of_birth)),
        ("Gender", referral.get_client_gender_display()),
        ("Ethnicity", referral.get_client_ethnicity_display()),
        ("First language", referral.client_first_language),
        ("Interpreter needed", referral.get_client_interpreter_needed_display()),
        ("Additional needs", referral.client_additional_needs),
        ("Phone number", referral.client_phone),
        ("Email address", referral.client_email),
        ("Address", referral.client_address),
        ("Postcode", referral.client_postcode),
        ("Safe times to contact you", referral.client_safe_contact_times),
    )
    referral_rows = rows(
        ("Referral reference", referral.reference),
        ("Referred by", f"{case.borough.name} children's services"),
        ("Received", _moment(referral.received_at)),
        ("Your willingness to engage, as the referrer recorded it", referral.get_client_willingness_display()),
    )
    case_rows = rows(
        ("Stage", case.get_stage_display()),
        ("Opened", _moment(case.opened_at)),
        ("Intervention started", _day(case.intervention_started_on)),
        ("Exit stage started", _day(case.exit_started_on)),
        ("Your practitioner", case.practitioner.full_name),
        ("Accessibility adaptations", case.accessibility_adaptations),
        ("Interpreter", case.interpreter_language if case.interpreter_used else ""),
    )
    consultations = [
        rows(
            ("Date", _moment(c.scheduled_at)),
            ("How", c.get_modality_display()),
            ("Outcome", c.get_outcome_display() if c.held else "Not yet held"),
            ("Reason", c.get_not_suitable_reason_display() if c.outcome == "not_suitable" else ""),
        )
        for c in case.consultations.order_by("scheduled_at")
    ]
    consents = [
        rows(
            ("Given on", _day(c.given_on)),
            ("How", c.get_method_display()),
            ("Obtained by", c.obtained_by),
            ("What may be shared, with whom", c.sharing),
            ("Withdrawn on", _day(c.withdrawn_on)),
            ("About the withdrawal", c.withdrawal_notes),
        )
        for c in case.consents.filter(party="client").order_by("given_on")
    ]
    sessions = [
        {
            "date": _day(s.held_on),
            "modality": s.get_modality_display(),
            "minutes": s.duration_minutes or "",
            "attendance": s.get_attendance_display(),
            "topics": redact(", ".join(s.topic_labels)),
            "notes": redact(s.notes),
        }
        for s in case.sessions.order_by("held_on", "pk")
    ]
    meetings = [_day(d) for d in case.meetings.order_by("held_on").values_list("held_on", flat=True)]
    assessments = []
    for a in (
        Assessment.objects.filter(case=case, is_current=True)
        .exclude(instrument=Instrument.DASH)
        .prefetch_related("answers")
        .order_by("assessed_on", "instrument")
    ):
        scores = []
        summary = ""
        if a.instrument == Instrument.NEEDS:
            summary = f"Your total {a.user_total if a.user_total is not None else '—'}; practitioner's total " + (
                f"{a.practitioner_total}" if a.practitioner_total is not None else "—"
            )
            scores = [
                (
                    redact(x.label),
                    f"you {x.user_score if x.user_score is not None else '—'}, practitioner "
                    f"{x.practitioner_score if x.practitioner_score is not None else '—'} (0 to 10)",
                )
                for x in a.answers.all()
            ]
        elif a.instrument == Instrument.VIABILITY:
            scores = [(redact(x.label), x.get_rating_label()) for x in a.answers.all()]
        else:
            summary = "Ratings withheld: they rest on third-party information."
        assessments.append(
            {
                "instrument": a.get_instrument_display(),
                "stage": a.get_stage_display(),
                "date": _day(a.assessed_on),
                "summary": summary,
                "scores": scores,
            }
        )
    placements = [
        rows(
            ("Type", p.get_kind_display()),
            ("Provider", p.provider),
            ("Address", p.address),
            ("From", _day(p.start_on)),
            ("Until", _day(p.planned_end_on)),
            ("Ended", _day(p.ended_on)),
            ("Moved on to", p.get_move_on_display()),
        )
        for p in placed
    ]
    onward = [
        rows(
            ("Service", o.get_service_display() + (f": {o.service_other}" if o.service_other else "")),
            ("Made on", _day(o.made_on)),
            ("Status", o.get_status_display()),
            ("Started", _day(o.started_on)),
            ("Outcome", o.outcome),
        )
        for o in case.onward_referrals.filter(service__in=CLIENT_ONWARD_SERVICES).order_by("made_on")
    ]
    closure = (
        rows(
            ("Closed", _moment(case.closed_at)),
            ("Reason", case.get_closure_reason_display()),
            ("Exit summary", case.exit_summary),
            ("Onward plan", case.onward_plan),
            ("Why the exit assessments were not done", case.no_exit_assessment_reason),
        )
        if case.closed_at
        else []
    )
    return {
        "reference": case.reference,
        "withheld_categories": WITHHELD_CATEGORIES,
        "client": client,
        "referral": referral_rows,
        "case": case_rows,
        "consultations": consultations,
        "consents": consents,
        "sessions": sessions,
        "meetings": meetings,
        "assessments": assessments,
        "placements": placements,
        "onward": onward,
        "closure": closure,
    }


def subject_access_export_html(*, case: Case, received_on: date, generated_at) -> str:
    """The export as an HTML fragment: frozen on the request when it is prepared, shown to the
    reviewing supervisor as it is, and put into the PDF unchanged."""
    from django.template.loader import render_to_string

    return render_to_string(
        "cases/sar_export.html",
        {
            **subject_access_export(case=case),
            "received_on": received_on,
            "generated_at": timezone.localtime(generated_at),
        },
    )


def content_digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


_WITHHELD_SPAN = re.compile(r'<span class="sar-withheld" data-reason="([^"<>]*)">' + re.escape(WITHHELD) + "</span>")


def subject_access_review_html(*, sar) -> str:
    """The frozen export as the reviewing supervisor sees it: each withheld span highlighted
    with its reason (never the withheld text). The released export shows only the marker."""
    # The reasons were escaped when the export was made (format_html) and are fixed phrases.
    return _WITHHELD_SPAN.sub(
        lambda m: f'<mark class="app-withheld" data-testid="withheld-span">[withheld: {m.group(1)}]</mark>',
        sar.content_html,
    )


def subject_access_release_html(*, sar) -> str:
    """The frozen export without the reasons: what the client's PDF is made from."""
    return re.sub(r' data-reason="[^"]*"', "", sar.content_html)


def subject_access_pdf(*, sar) -> bytes:
    """The frozen export as a PDF, with the same safe fetcher as the accommodation agreement
    (WeasyPrint may read only the app's own static files)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from accommodation.documents import StaticOnlyFetcher

    html = render_to_string("cases/sar_export_pdf.html", {"sar": sar, "content": subject_access_release_html(sar=sar)})
    return HTML(string=html, base_url="eip-static:///", url_fetcher=StaticOnlyFetcher()).write_pdf()


def subject_access_review_facts(*, sar) -> dict:
    """For the reviewing supervisor only (never in the export): what was left out of this case's
    export, so the review can check that nothing third-party slipped through."""
    from assessments.models import Assessment
    from referrals.models import ReferredChild

    case = sar.case
    withheld = [
        ("Children on the referral", ReferredChild.objects.filter(referral=case.referral_id).count()),
        ("Risk plan versions", case.risk_plans.count()),
        ("Partner consents", case.consents.filter(party="partner").count()),
        ("Partner contacts", case.partner_contacts.count()),
        ("Disclosures", case.disclosures.count()),
        ("Risk escalations (IDVA, MARAC)", case.risk_actions.count()),
        ("DASH risk checklists", Assessment.objects.filter(case=case, instrument="dash", is_current=True).count()),
        (
            "Onward referrals for the partner or children",
            case.onward_referrals.exclude(service__in=CLIENT_ONWARD_SERVICES).count(),
        ),
        ("Accommodation requests (reasons and exclusion areas)", case.accommodation_requests.count()),
    ]
    return {
        "withheld_counts": [(label, n) for label, n in withheld if n],
        # Text replaced because it named or located someone other than the client, by reason.
        "redactions": len(_WITHHELD_SPAN.findall(sar.content_html)),
        "reasons": sorted(Counter(html.unescape(r) for r in _WITHHELD_SPAN.findall(sar.content_html)).items()),
        "other_cases": list(Case.objects.filter(person=case.person_id).exclude(pk=case.pk).select_related("referral")),
        "intact": content_digest(sar.content_html) == sar.content_digest,
    }


# --- the outbound guard: partner-related text on a case (registered in apps.py) ------------------


def case_identifiers(referrals, keep=None):
    """Who supports the partner, for eip.outbound, in referral order."""
    from eip.outbound import Identifier

    cases = Case.objects.exclude(partner_supporter="").values_list("referral_id", "partner_supporter")
    if referrals is None:
        rows = cases.order_by("referral_id").iterator(chunk_size=2000)
    else:
        rows = cases.filter(referral_id__in=referrals).order_by("referral_id")
    for referral_id, supporter in rows:
        if keep is None or keep([("text", supporter)]):
            yield Identifier(referral_id, "partner", "text", supporter, "who supports the partner")
