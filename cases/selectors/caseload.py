"""The caseload with what is due on each case: the due facts read for the cases on screen,
the due items drawn from them, and the same rules as SQL to order and count the whole
caseload overdue first."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from eip.workdays import add_working_days

from ..due import DUE_SOURCES, DueItem
from ..models import Case, Consent, Consultation, ProfessionalsMeeting, RiskAction
from .gate import case_list_for_user

St = Case.Stage


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


def caseload_for_user(*, user, practitioner=None, stage="", search="", status="open"):
    """Cases with what is due: a practitioner's own (and those of colleagues they cover), or
    (supervisors) the team's. `status`: "open", "closed" or "all"."""
    cases = case_list_for_user(user=user)
    if practitioner is not None:
        cases = cases.filter(practitioner=practitioner)
    if status == "open":
        cases = cases.filter(stage__in=Case.ACTIVE_STAGES)
    elif status == "closed":
        cases = cases.filter(stage__in=Case.CLOSED_STAGES)
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
