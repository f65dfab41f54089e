"""Reading cases: the access gate for one case, the caseload with what is due, the timeline."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from eip import access
from eip.people.models import Role
from eip.workdays import add_working_days

from .due import DUE_SOURCES, DueItem
from .models import Case, Consent, Consultation, ProfessionalsMeeting, RiskAction, isa_in_force

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


def _due_facts() -> dict:
    """What due_items() reads, as expressions on a Case row: the case's own facts, and those
    the apps built on cases declare for their due items (accommodation, assessments)."""
    meetings = ProfessionalsMeeting.objects.filter(case=OuterRef("pk")).order_by().values("case")
    consultations = Consultation.objects.filter(case=OuterRef("pk")).order_by().values("case")
    open_actions = RiskAction.objects.filter(case=OuterRef("pk"), done_on__isnull=True).order_by()
    consents = Consent.objects.filter(case=OuterRef("pk"), withdrawn_on__isnull=True)
    facts = {
        "last_meeting_on": Subquery(meetings.annotate(last=Max("held_on")).values("last")),
        "consultation_at": Subquery(consultations.annotate(last=Max("scheduled_at")).values("last")),
        "open_risk_actions": Coalesce(Subquery(open_actions.values("case").annotate(n=Count("pk")).values("n")), 0),
        "client_consent": Exists(consents.filter(party=Consent.Party.CLIENT)),
        "partner_consent": Exists(consents.filter(party=Consent.Party.PARTNER)),
    }
    for source in DUE_SOURCES:
        facts.update(source.facts())
    return facts


def due_facts_attach(cases: list[Case]) -> list[Case]:
    """Set on each case what due_items() reads (see _due_facts), in one query for all of them."""
    if not cases:
        return cases
    facts = _due_facts()
    rows = Case.objects.filter(pk__in=[case.pk for case in cases]).order_by().annotate(**facts)
    by_case = {row["pk"]: row for row in rows.values("pk", *facts)}
    for case in cases:
        for name in facts:
            setattr(case, name, by_case[case.pk][name])
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


def due_items(case: Case, today: date | None = None, *, partner_matters: bool = True) -> list[DueItem]:
    """What is due on a case, soonest first, from an annotated case (no extra queries).
    Without `partner_matters` (someone who may not see the partner section), open IDVA and
    MARAC referrals are left out: they are about the partner."""
    today = today or timezone.localdate()
    if case.stage in Case.CLOSED_STAGES:
        return []
    items = []
    if partner_matters and getattr(case, "open_risk_actions", 0):
        items.append(DueItem("IDVA and MARAC referrals", None, True, "case-risk"))
    if case.stage == St.AWAITING_CONSULTATION:
        due = add_working_days(timezone.localtime(case.opened_at).date(), settings.EIP_CONSULTATION_WORKING_DAYS)
        what = "Hold the case consultation" if case.consultation_at else "Arrange the case consultation"
        items.append(DueItem(what, due, today > due, "case-plan"))
    elif case.stage == St.AWAITING_CONSENT:
        missing = [p for p, given in (("client", case.client_consent), ("partner", case.partner_consent)) if not given]
        items.append(
            DueItem(
                "Consent from " + " and ".join(missing) if missing else "Start the intervention",
                None,
                False,
                "case-consent",
            )
        )
    for source in DUE_SOURCES:  # accommodation, then assessments (registered in their ready())
        items += source.items(case, today)
    if case.stage in Case.MEETING_STAGES:
        since = max(filter(None, [case.last_meeting_on, case.intervention_started_on]))
        due = since + timedelta(days=settings.EIP_MEETING_INTERVAL_DAYS)
        items.append(DueItem("Professionals meeting", due, today > due, "case-meetings"))
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
    meeting_due_before = today - timedelta(days=settings.EIP_MEETING_INTERVAL_DAYS)
    last_meeting = ProfessionalsMeeting.objects.filter(case=OuterRef("pk")).order_by().values("case")
    meeting = (
        ~Q(Exists(last_meeting.filter(held_on__gte=meeting_due_before)))
        & (Q(intervention_started_on__isnull=True) | Q(intervention_started_on__lt=meeting_due_before))
        & (Q(intervention_started_on__isnull=False) | Q(Exists(last_meeting)))
    )
    overdue = Q(stage=St.AWAITING_CONSULTATION, opened_at__lt=_consultation_overdue_before(today)) | (
        Q(stage__in=Case.MEETING_STAGES) & meeting
    )
    for source in DUE_SOURCES:
        overdue |= source.overdue(today)
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
