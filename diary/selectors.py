"""Reading the diary: everything due across a practitioner's cases (or, for a supervisor, the
team's), grouped Overdue, Today, This week and Later, each item linking to where it is done.
A fixed number of queries however long the caseload: the cases (through the one case gate)
with their planned sessions and meetings, latest Needs Analysis review date and due facts
(which carry the consultation's time), then the referrals waiting for acknowledgement.

The page is held to 3× a trivial page (issue 14), so it reads only the columns it shows, with
short hand-written statements around the gates' own SQL: building the same reads through the
ORM, and making model objects of them, took most of the page's time (measured on the 1k-case
bench: about 2.5 ms of CPU a request, against 0.7 ms now)."""

from dataclasses import dataclass, field
from datetime import date, time
from typing import NamedTuple

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.selectors import DUE_FACTS_COLUMNS, caseload_for_user, due_facts_set, due_items
from cases.tabs import CASE_TABS
from eip import access
from eip.db.raw import raw_date, raw_datetime
from eip.links import Links
from eip.people.models import Role, User
from eip.workdays import add_working_days
from referrals.duty import intake_duty_includes
from referrals.models import Referral
from referrals.selectors import referral_list_for_user

from .models import Appointment, SessionReminderOptIn

# "This week": a working week ahead, so on a Friday it still shows next week's work.
WEEK_WORKING_DAYS = 5
# Referrals due for acknowledgement on one day listed one by one; more are one entry.
ACKNOWLEDGEMENTS_LISTED = 5

# The cases the gate lets the user see (its SQL goes in `among_gate`), with what the diary's rows and
# due_items() read of each (the review date is that of the latest current Needs Analysis, then
# the due facts), and a row for each session or meeting planned on it, in the order the model
# lists them. Each case's columns are worked out once (MATERIALIZED), however many sessions it has.
_CASES_SQL = """
WITH listed AS MATERIALIZED (
  SELECT c.id, c.stage, c.opened_at, c.intervention_started_on, c.exit_started_on,
    r.reference, r.client_first_name, r.client_last_name, u.full_name,
    (SELECT s.review_date FROM assessments_assessment s
       WHERE s.case_id = c.id AND s.instrument = %s AND s.is_current ORDER BY s.assessed_on DESC LIMIT 1),
    {due_facts}
  FROM cases_case c
  JOIN referrals_referral r ON r.id = c.referral_id
  JOIN people_user u ON u.id = c.practitioner_id
  WHERE c.id {among_gate}
)
SELECT listed.*, a.id, a.kind, a.modality, a.starts_at, a.place
FROM listed
LEFT JOIN diary_appointment a ON a.case_id = listed.id AND a.status = %s
{waiting}
ORDER BY 3, 1, 24, 21
"""
# Where a row's planned session or meeting starts (after the case's columns and due facts).
_PLANNED = 20
# Of the referrals the gate lets the user see, those waiting for acknowledgement, read in the
# same round trip as rows of the cases' shape: the id, the reference and the date due where a
# case has its id, reference and review date, no stage, and nothing for due facts or sessions.
# The whole is ordered by the cases' columns (opened, id, then each session's start and id),
# by position as a union asks.
_WAITING_SQL = """
UNION ALL
SELECT f.id, NULL, NULL, NULL, NULL, f.reference, NULL, NULL, NULL, f.acknowledgement_due,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM referrals_referral f
WHERE f.status IN (%s, %s) AND f.acknowledged_at IS NULL AND f.id IN ({gate})
"""
_KINDS = dict(Appointment.Kind.choices)
_MODALITIES = {value: str(label).lower() for value, label in Appointment._meta.get_field("modality").flatchoices}


class DiaryCase:
    """What the diary reads of a case: the row's columns, with the due facts that
    due_items() reads."""

    def __init__(self, row, url: str):
        (self.pk, self.stage, opened_at, self.intervention_started_on, self.exit_started_on) = row[:5]
        self.reference, self.client_first_name, self.client_last_name, self.practitioner_name = row[5:9]
        self.opened_at = raw_datetime(opened_at)
        self.needs_review_on = raw_date(row[9])
        due_facts_set(self, row[10:_PLANNED])
        self.url = url
        # (pk, kind, modality, starts_at, place) of each session or meeting planned.
        self.planned: list[tuple] = []


class DiaryLink(NamedTuple):
    text: str
    url: str


@dataclass(slots=True)
class DiaryEntry:
    due: date | None
    at: time | None
    what: str
    links: tuple[DiaryLink, ...]
    reference: str
    case: DiaryCase | None = None
    overdue: bool = False
    detail: str = ""
    appointment_id: int | None = None

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
    # Whether it lists the referrals waiting for acknowledgement (intake duty, the team view).
    lists_waiting: bool = False
    not_shown: dict[str, int] = field(default_factory=dict)

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

    def shorten(self, most: int) -> None:
        """Keep the first `most` of each group (the soonest due) and, as the cases listed, only
        those of the entries kept; `not_shown` says how many of each group were left out."""
        shown = {}
        for key, _, entries in self.groups:
            self.not_shown[key] = max(0, len(entries) - most)
            del entries[most:]
            shown.update((entry.case.pk, None) for entry in entries if entry.case is not None)
        self.case_ids = [pk for pk in self.case_ids if pk in shown]


def diary_practitioners():
    """Whose diary a supervisor may choose from."""
    return User.objects.filter(role=Role.PRACTITIONER, is_active=True).order_by("full_name")


def _tab_texts() -> dict[str, str]:
    """The link to where an item is done says which part of the case it opens."""
    return {tab.url_name: f"Open {tab.text.lower()}" for tab in reversed(CASE_TABS)}


def _among(gate: str) -> str:
    """Among the ids the gate's SQL gives. PostgreSQL reads them first, then each case by its
    key: as a join (IN) it planned a third longer and, at 1k cases, read the whole table."""
    return f"= ANY(ARRAY({gate}))" if connection.vendor == "postgresql" else f"IN ({gate})"


def _read(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def diary_for(*, user, practitioner=None, today: date | None = None) -> Diary:
    """A practitioner's diary, or a supervisor's for the team (one practitioner if chosen).
    The referrals waiting for acknowledgement are in the diary of whoever is told about new
    referrals (the practitioners on intake duty, or those covering them; see referrals/duty.py),
    as a supervisor sees it too, and in the supervisor's team view: no one holds a referral
    until it is accepted."""
    today = today or timezone.localdate()
    diary = Diary(today=today, week_ends=add_working_days(today, WEEK_WORKING_DAYS))
    urls = Links()
    gate, gate_params = (
        caseload_for_user(user=user, practitioner=practitioner).order_by().values("pk").query.sql_with_params()
    )
    params = ["needs", *gate_params, Appointment.Status.PLANNED]
    waiting = ""
    if user.role != Role.SUPERVISOR:
        lists_waiting = intake_duty_includes(user=user)
    else:  # the team view, or one practitioner's diary as they see it
        lists_waiting = practitioner is None or intake_duty_includes(user=practitioner)
    diary.lists_waiting = lists_waiting
    if lists_waiting:
        referrals, referral_params = referral_list_for_user(user=user).order_by().values("pk").query.sql_with_params()
        waiting = _WAITING_SQL.format(gate=referrals)  # nosec B608
        params += [Referral.Status.SUBMITTED, Referral.Status.MORE_INFO, *referral_params]
    # Only the gates' own SQL is formatted in; every value is a parameter.
    statement = _CASES_SQL.format(among_gate=_among(gate), due_facts=DUE_FACTS_COLUMNS, waiting=waiting)  # nosec B608
    by_pk, waiting_rows = {}, []
    for row in _read(statement, params):
        if row[1] is None:  # a referral waiting (a case always has a stage)
            waiting_rows.append(row)
            continue
        case = by_pk.get(row[0])
        if case is None:
            case = by_pk[row[0]] = DiaryCase(row, urls("case-detail", row[0]))
        if row[_PLANNED] is not None:
            case.planned.append(row[_PLANNED:])
    cases = list(by_pk.values())
    diary.case_ids = [case.pk for case in cases]
    tabs = _tab_texts()
    _due_entries(diary, cases, urls, tabs, partner_matters=access.allowed(user, "case.view_partner"))
    _appointment_entries(diary, cases, urls, can_change=access.allowed(user, "appointment.change"))
    _review_entries(diary, cases, urls, tabs)
    _acknowledgement_entries(diary, waiting_rows, urls)
    diary.sort()
    return diary


def _due_entries(diary: Diary, cases, urls, tabs, *, partner_matters: bool) -> None:
    add, today = diary.add, diary.today
    for case in cases:
        for item in due_items(case, today, partner_matters=partner_matters):
            link = DiaryLink(tabs.get(item.url_name, "Open the case"), urls(item.url_name, case.pk))
            add(DiaryEntry(item.due, None, item.what, (link,), case.reference, case, item.overdue))
        if case.stage == Case.Stage.AWAITING_CONSULTATION and case.consultation_at:
            # The consultation arranged (the due facts carry its time); held, the case moves on.
            starts = timezone.localtime(case.consultation_at)
            link = DiaryLink("Record the outcome", urls("case-plan", case.pk))
            add(DiaryEntry(starts.date(), starts.time(), "Case consultation", (link,), case.reference, case))


def _appointment_entries(diary: Diary, cases, urls, *, can_change: bool) -> None:
    now = timezone.now()
    for case in cases:
        for pk, kind, modality, starts_at, place in case.planned:
            starts_at = raw_datetime(starts_at)
            starts = timezone.localtime(starts_at)
            ended = "Record whether it was held: " if starts_at < now else ""
            invitation = DiaryLink("Invitation", urls("appointment-invitation", pk))
            if can_change:
                links = (
                    DiaryLink("Record as held", urls("appointment-held", pk)),
                    invitation,
                    DiaryLink("Move", urls("appointment-reschedule", pk)),
                    DiaryLink("Cancel", urls("appointment-cancel", pk)),
                )
            else:
                links = (invitation,)
            day = starts.date()
            diary.add(
                DiaryEntry(
                    due=day,
                    at=starts.time(),
                    what=f"{ended}{_KINDS.get(kind, kind)} ({_MODALITIES.get(modality, modality)})",
                    links=links,
                    reference=case.reference,
                    case=case,
                    overdue=day < diary.today,
                    detail=place,
                    appointment_id=pk,
                )
            )


def _review_entries(diary: Diary, cases, urls, tabs) -> None:
    """The review date set on each case's latest Needs Analysis."""
    text = tabs.get("case-assessments", "Open the case")
    for case in cases:
        if case.needs_review_on is not None:
            link = DiaryLink(text, urls("case-assessments", case.pk))
            diary.add(DiaryEntry(case.needs_review_on, None, "Needs Analysis review", (link,), case.reference, case))


def _acknowledgement_entries(diary: Diary, rows, urls) -> None:
    """By reference only: the inbox, one click away, is where the referral is read. A day with
    more than a few is one entry leading to the inbox's list of them (at London's scale a day's
    referrals run to dozens, which listed one by one buried the rest of the diary)."""
    by_day: dict[date, list[tuple]] = {}
    for row in rows:
        by_day.setdefault(raw_date(row[9]), []).append(row)
    for due, waiting in by_day.items():
        if len(waiting) > ACKNOWLEDGEMENTS_LISTED:
            link = DiaryLink("Open the referrals to acknowledge", reverse("referral-list") + "?tab=to_acknowledge")
            what = f"Acknowledge {len(waiting)} referrals (team inbox)"
            diary.add(DiaryEntry(due, None, what, (link,), f"{len(waiting)} referrals"))
            continue
        for row in waiting:
            link = DiaryLink("Open the referral", urls("referral-detail", row[0]))
            diary.add(DiaryEntry(due, None, "Acknowledge the referral (team inbox)", (link,), row[5]))


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
