"""Reading the diary: everything due across a practitioner's cases (or, for a supervisor, the
team's), grouped Overdue, Today, This week and Later, each item linking to where it is done.
A fixed number of queries however long the caseload: the cases with their due facts (which
carry the consultation's time, and here the latest needs review date), then one query each for
planned sessions and meetings and for referrals waiting for acknowledgement. Rows are made ready here (text and links),
so the page renders a long diary quickly."""

from dataclasses import dataclass, field
from datetime import date, time

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from assessments.models import Assessment
from cases.models import Case
from cases.selectors import caseload_for_user, due_items
from cases.tabs import CASE_TABS
from eip import access
from eip.links import Links
from eip.people.models import Role, User
from eip.workdays import add_working_days
from referrals.selectors import referral_list_for_user

from .models import Appointment, SessionReminderOptIn

# What the diary reads of a case and its referral (due_items() and the rows).
DIARY_CASE_FIELDS = (
    "stage",
    "opened_at",
    "intervention_started_on",
    "exit_started_on",
    "closed_at",
    "referral__reference",
    "referral__client_first_name",
    "referral__client_last_name",
    "practitioner__full_name",
)
# "This week": a working week ahead, so on a Friday it still shows next week's work.
WEEK_WORKING_DAYS = 5


@dataclass(frozen=True)
class DiaryLink:
    text: str
    url: str


@dataclass(frozen=True)
class DiaryEntry:
    due: date | None
    at: time | None
    what: str
    links: tuple[DiaryLink, ...]
    reference: str
    case: Case | None = None
    overdue: bool = False
    detail: str = ""
    appointment: Appointment | None = None
    case_url: str = ""

    @property
    def sort_key(self):
        return (self.due or date.max, self.at or time.max, self.reference)

    @property
    def url(self) -> str:
        """Where it is done (the first link)."""
        return self.links[0].url

    @property
    def when(self) -> str:
        if self.due is None:
            return "No date"
        return f"{self.due:%a %-d %b}" + (f", {self.at:%H:%M}" if self.at else "")


@dataclass
class Diary:
    today: date
    week_ends: date
    overdue: list[DiaryEntry] = field(default_factory=list)
    today_items: list[DiaryEntry] = field(default_factory=list)
    this_week: list[DiaryEntry] = field(default_factory=list)
    later: list[DiaryEntry] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)

    @property
    def groups(self):
        return [
            ("overdue", "Overdue", self.overdue),
            ("today", "Today", self.today_items),
            ("this-week", "This week", self.this_week),
            ("later", "Later", self.later),
        ]

    def add(self, entry: DiaryEntry) -> None:
        if entry.overdue or (entry.due is not None and entry.due < self.today):
            self.overdue.append(entry)
        elif entry.due == self.today:
            self.today_items.append(entry)
        elif entry.due is not None and entry.due <= self.week_ends:
            self.this_week.append(entry)
        else:
            self.later.append(entry)

    def sort(self) -> None:
        for _, _, entries in self.groups:
            entries.sort(key=lambda e: e.sort_key)


def diary_practitioners():
    """Whose diary a supervisor may choose from."""
    return User.objects.filter(role=Role.PRACTITIONER, is_active=True).order_by("full_name")


def _tab_text(url_name: str) -> str:
    """The link to where an item is done says which part of the case it opens."""
    return next((f"Open {tab.text.lower()}" for tab in CASE_TABS if tab.url_name == url_name), "Open the case")


def diary_for(*, user, practitioner=None, today: date | None = None) -> Diary:
    """A practitioner's diary, or a supervisor's for the team (one practitioner if chosen).
    The team's referrals waiting for acknowledgement are in every practitioner's diary and the
    supervisor's team view: no one holds a referral until it is accepted."""
    today = today or timezone.localdate()
    diary = Diary(today=today, week_ends=add_working_days(today, WEEK_WORKING_DAYS))
    urls = Links()
    latest_needs = Assessment.objects.filter(case=OuterRef("pk"), instrument="needs", is_current=True)
    cases = list(
        caseload_for_user(user=user, practitioner=practitioner)
        # Only what the rows show: the case list's other joins and the referral's long texts cost time.
        .select_related(None)
        .select_related("referral", "practitioner")
        .only(*DIARY_CASE_FIELDS)
        .annotate(needs_review_on=Subquery(latest_needs.order_by("-assessed_on").values("review_date")[:1]))
    )
    for case in cases:
        case.url = urls("case-detail", case.pk)
    by_pk = {case.pk: case for case in cases}
    diary.case_ids = list(by_pk)
    _due_entries(diary, cases, urls, partner_matters=access.allowed(user, "case.view_partner"))
    _appointment_entries(diary, by_pk, urls, can_change=access.allowed(user, "appointment.change"))
    _review_entries(diary, cases, urls)
    if user.role == Role.PRACTITIONER or practitioner is None:
        _acknowledgement_entries(diary, user, urls)
    diary.sort()
    return diary


def _due_entries(diary: Diary, cases, urls, *, partner_matters: bool) -> None:
    for case in cases:
        for item in due_items(case, diary.today, partner_matters=partner_matters):
            link = DiaryLink(_tab_text(item.url_name), urls(item.url_name, case.pk))
            diary.add(
                DiaryEntry(item.due, None, item.what, (link,), case.reference, case, item.overdue, case_url=case.url)
            )
        if case.stage == Case.Stage.AWAITING_CONSULTATION and case.consultation_at:
            # The consultation arranged (the due facts carry its time); held, the case moves on.
            starts = timezone.localtime(case.consultation_at)
            link = DiaryLink("Record the outcome", urls("case-plan", case.pk))
            diary.add(
                DiaryEntry(
                    starts.date(), starts.time(), "Case consultation", (link,), case.reference, case, case_url=case.url
                )
            )


def _appointment_entries(diary: Diary, by_pk, urls, *, can_change: bool) -> None:
    now = timezone.now()
    planned = Appointment.objects.filter(status=Appointment.Status.PLANNED, case_id__in=list(by_pk))
    for appointment in planned:
        case = by_pk[appointment.case_id]
        appointment.case = case
        starts = timezone.localtime(appointment.starts_at)
        ended = "Record whether it was held: " if appointment.starts_at < now else ""
        links = [DiaryLink("Invitation", urls("appointment-invitation", appointment.pk))]
        if can_change:
            links = [
                DiaryLink("Record as held", urls("appointment-held", appointment.pk)),
                *links,
                DiaryLink("Move", urls("appointment-reschedule", appointment.pk)),
                DiaryLink("Cancel", urls("appointment-cancel", appointment.pk)),
            ]
        diary.add(
            DiaryEntry(
                due=starts.date(),
                at=starts.time(),
                what=f"{ended}{appointment.get_kind_display()} ({appointment.get_modality_display().lower()})",
                links=tuple(links),
                reference=case.reference,
                case=case,
                overdue=starts.date() < diary.today,
                detail=appointment.place,
                appointment=appointment,
                case_url=case.url,
            )
        )


def _review_entries(diary: Diary, cases, urls) -> None:
    """The review date set on each case's latest Needs Analysis."""
    for case in cases:
        if case.needs_review_on is not None:
            link = DiaryLink(_tab_text("case-assessments"), urls("case-assessments", case.pk))
            diary.add(
                DiaryEntry(
                    case.needs_review_on,
                    None,
                    "Needs Analysis review",
                    (link,),
                    case.reference,
                    case,
                    case_url=case.url,
                )
            )


def _acknowledgement_entries(diary: Diary, user, urls) -> None:
    """By reference only: the inbox, one click away, is where the referral is read."""
    waiting = referral_list_for_user(user=user).filter(
        status__in=["submitted", "more_info"], acknowledged_at__isnull=True
    )
    for pk, reference, due in waiting.values_list("pk", "reference", "acknowledgement_due"):
        link = DiaryLink("Open the referral", urls("referral-detail", pk))
        diary.add(DiaryEntry(due, None, "Acknowledge the referral (team inbox)", (link,), reference))


def diary_counts(*, user, today: date | None = None) -> dict:
    """For a practitioner's home page: planned sessions and meetings today (one query)."""
    today = today or timezone.localdate()
    planned = Appointment.objects.filter(
        status=Appointment.Status.PLANNED,
        case__practitioner=user,
        case__stage__in=Case.ACTIVE_STAGES,
        starts_at__date=today,
    )
    return {"today": planned.count()}


def case_tab_appointments(kind: str):
    """The panel heading a case's Sessions or Meetings tab: what is planned, and (for those
    who may) the way to plan one."""

    def context(request, case):
        planned = list(case.appointments.filter(kind=kind, status=Appointment.Status.PLANNED))
        reminders_on = (
            kind == Appointment.Kind.SESSION
            and SessionReminderOptIn.objects.filter(case=case, stopped_at__isnull=True).exists()
        )
        return {
            "panel_kind": Appointment.Kind(kind),
            "planned": planned,
            "reminders_on": reminders_on,
            "can_schedule": access.allowed(request.user, "appointment.schedule", case),
        }

    return context
