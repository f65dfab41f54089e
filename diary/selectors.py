"""Reading the diary: everything due across a practitioner's cases (or, for a supervisor, the
team's), grouped Overdue, Today, This week and Later, each item linking to where it is done.
A fixed number of queries however long the caseload: the cases with their due facts, then
one query each for planned sessions and meetings, unheld consultations, needs reviews and
referrals waiting for acknowledgement."""

from dataclasses import dataclass, field
from datetime import date, time

from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from cases.models import Case, Consultation
from cases.selectors import case_list_for_user, caseload_for_user, due_items
from eip import access
from eip.people.models import Role, User
from eip.workdays import add_working_days
from referrals.selectors import referral_list_for_user

from .models import Appointment

# "This week": a working week ahead, so on a Friday it still shows next week's work.
WEEK_WORKING_DAYS = 5


@dataclass(frozen=True)
class DiaryEntry:
    due: date | None
    at: time | None
    what: str
    url: str
    link_text: str
    case: Case | None = None
    reference: str = ""
    overdue: bool = False
    detail: str = ""
    appointment: Appointment | None = None

    @property
    def sort_key(self):
        return (self.due or date.max, self.at or time.max, self.reference)


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


def _case_url(name: str, case_pk: int) -> str:
    return reverse(name, args=[case_pk])


def diary_for(*, user, practitioner=None, today: date | None = None) -> Diary:
    """A practitioner's diary, or a supervisor's for the team (one practitioner if chosen).
    The team's referrals waiting for acknowledgement are in every practitioner's diary and the
    supervisor's team view: no one holds a referral until it is accepted."""
    today = today or timezone.localdate()
    diary = Diary(today=today, week_ends=add_working_days(today, WEEK_WORKING_DAYS))
    cases = list(caseload_for_user(user=user, practitioner=practitioner))
    by_pk = {case.pk: case for case in cases}
    diary.case_ids = list(by_pk)
    _due_entries(diary, cases, partner_matters=access.allowed(user, "case.view_partner"))
    open_cases = case_list_for_user(user=user).filter(stage__in=Case.ACTIVE_STAGES)
    whose = user if user.role == Role.PRACTITIONER and practitioner is None else practitioner
    if whose is not None:
        open_cases = open_cases.filter(practitioner=whose)
    case_pks = open_cases.values("pk")
    _appointment_entries(diary, case_pks, by_pk)
    _consultation_entries(diary, case_pks, by_pk)
    _review_entries(diary, case_pks, by_pk)
    if user.role == Role.PRACTITIONER or practitioner is None:
        _acknowledgement_entries(diary, user)
    diary.sort()
    return diary


def _due_entries(diary: Diary, cases, *, partner_matters: bool) -> None:
    for case in cases:
        for item in due_items(case, diary.today, partner_matters=partner_matters):
            diary.add(
                DiaryEntry(
                    due=item.due,
                    at=None,
                    what=item.what,
                    url=_case_url(item.url_name, case.pk),
                    link_text="Open",
                    case=case,
                    reference=case.reference,
                    overdue=item.overdue,
                )
            )


def _appointment_entries(diary: Diary, case_pks, by_pk) -> None:
    now = timezone.now()
    for appointment in Appointment.objects.filter(status=Appointment.Status.PLANNED, case__in=case_pks):
        case = by_pk.get(appointment.case_id)
        if case is None:
            continue
        appointment.case = case
        starts = timezone.localtime(appointment.starts_at)
        ended = appointment.starts_at < now
        diary.add(
            DiaryEntry(
                due=starts.date(),
                at=starts.time(),
                what=("Record whether it was held: " if ended else "")
                + f"{appointment.get_kind_display()} ({appointment.get_modality_display().lower()})",
                url=reverse("appointment-held", args=[appointment.pk]),
                link_text="Record as held",
                case=case,
                reference=case.reference,
                overdue=starts.date() < diary.today,
                detail=appointment.place,
                appointment=appointment,
            )
        )


def _consultation_entries(diary: Diary, case_pks, by_pk) -> None:
    consultations = Consultation.objects.filter(
        held=False, case__in=case_pks, case__stage=Case.Stage.AWAITING_CONSULTATION
    )
    for consultation in consultations.only("pk", "case_id", "scheduled_at", "modality"):
        case = by_pk.get(consultation.case_id)
        if case is None:
            continue
        starts = timezone.localtime(consultation.scheduled_at)
        diary.add(
            DiaryEntry(
                due=starts.date(),
                at=starts.time(),
                what=f"Case consultation ({consultation.get_modality_display().lower()})",
                url=_case_url("case-plan", case.pk),
                link_text="Record the outcome",
                case=case,
                reference=case.reference,
            )
        )


def _review_entries(diary: Diary, case_pks, by_pk) -> None:
    """The review date set on each case's latest Needs Analysis."""
    reviews = {}
    needs = Assessment.objects.filter(case__in=case_pks, instrument="needs", is_current=True).order_by("assessed_on")
    for case_id, review_date in needs.values_list("case_id", "review_date"):
        reviews[case_id] = review_date  # the latest one wins
    for case_id, review_date in reviews.items():
        case = by_pk.get(case_id)
        if case is None or review_date is None:
            continue
        diary.add(
            DiaryEntry(
                due=review_date,
                at=None,
                what="Needs Analysis review",
                url=_case_url("case-assessments", case.pk),
                link_text="Open",
                case=case,
                reference=case.reference,
            )
        )


def _acknowledgement_entries(diary: Diary, user) -> None:
    waiting = referral_list_for_user(user=user).filter(
        status__in=["submitted", "more_info"], acknowledged_at__isnull=True
    )
    for referral in waiting.select_related(None).only(
        "pk", "reference", "acknowledgement_due", "client_first_name", "client_last_name"
    ):
        diary.add(
            DiaryEntry(
                due=referral.acknowledgement_due,
                at=None,
                what="Acknowledge the referral (team inbox)",
                url=reverse("referral-detail", args=[referral.pk]),
                link_text="Open",
                reference=referral.reference,
                detail=f"{referral.client_first_name} {referral.client_last_name}".strip(),
            )
        )


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
        return {
            "panel_kind": Appointment.Kind(kind),
            "planned": planned,
            "can_schedule": access.allowed(request.user, "appointment.schedule", case),
        }

    return context
