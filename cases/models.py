"""Cases: an accepted referral worked by practitioner and social worker until closure.

Partner and children's information on a case (safety planning, partner consent details,
partner support) is kept in fields and tables that the policy shows only to practitioners,
supervisors and the referring social worker."""

import calendar
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from eip.workdays import is_working_day, next_working_day


class Modality(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face-to-face"
    VIDEO = "video", "Video"
    TELEPHONE = "telephone", "Telephone"


class Case(models.Model):
    class Stage(models.TextChoices):
        AWAITING_CONSULTATION = "awaiting_consultation", "Awaiting consultation"
        AWAITING_CONSENT = "awaiting_consent", "Awaiting consent"
        INTERVENTION = "intervention", "Intervention"
        EXIT = "exit", "Exit"
        CLOSED = "closed", "Closed"
        NOT_SUITABLE = "not_suitable", "Not suitable"
        DISENGAGED = "disengaged", "Disengaged"

    class ClosureReason(models.TextChoices):
        COMPLETED = "completed", "Completed"
        DROPPED_OUT = "dropped_out", "Engaged then dropped out"
        DID_NOT_ENGAGE = "did_not_engage", "Did not engage"
        UNSUITABLE = "unsuitable", "Unsuitable"
        HIGHER_RISK_SERVICE = "higher_risk_service", "Moved to a higher-risk service"

    referral = models.OneToOneField("referrals.Referral", on_delete=models.PROTECT, related_name="case")
    person = models.ForeignKey("referrals.Person", on_delete=models.PROTECT, related_name="cases")
    borough = models.ForeignKey("people.Borough", on_delete=models.PROTECT, related_name="cases")
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload")
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.AWAITING_CONSULTATION)
    opened_at = models.DateTimeField()
    intervention_started_on = models.DateField(null=True, blank=True)
    exit_started_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Accessibility, recorded on the case (evaluation: additional needs, memory, interpreters).
    accessibility_adaptations = models.TextField("accessibility adaptations", blank=True)
    interpreter_used = models.BooleanField("an interpreter is used", default=False)
    interpreter_language = models.CharField("interpreter language", max_length=60, blank=True)
    # Closure
    closure_reason = models.CharField(max_length=30, choices=ClosureReason.choices, blank=True)
    exit_summary = models.TextField(blank=True)
    onward_plan = models.TextField(blank=True)
    no_exit_assessment_reason = models.TextField(blank=True)
    # Partner support (restricted): who supports the partner or victim-survivor.
    partner_supporter = models.CharField("who supports the partner", max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    ACTIVE_STAGES = (Stage.AWAITING_CONSULTATION, Stage.AWAITING_CONSENT, Stage.INTERVENTION, Stage.EXIT)
    # Stages in which the weekly professionals meeting is due.
    MEETING_STAGES = (Stage.INTERVENTION, Stage.EXIT)
    CLOSED_STAGES = (Stage.CLOSED, Stage.NOT_SUITABLE, Stage.DISENGAGED)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["practitioner", "stage"], name="case_caseload_idx"),
            models.Index(fields=["borough", "stage"], name="case_borough_idx"),
            # The monthly report: cases closed in, or still open at, a period.
            models.Index(fields=["closed_at"], name="case_closed_idx"),
            # The outbound guard reads who supports the partner on the referrals an output
            # concerns; the planner reads every case unless the few recorded are indexed.
            models.Index(fields=["referral"], condition=~Q(partner_supporter=""), name="case_supporter_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage__in=["closed", "not_suitable", "disengaged"])
                | (~Q(closure_reason="") & Q(closed_at__isnull=False)),
                name="case_closed_has_reason_and_date",
            ),
        ]

    def __str__(self):
        return f"Case {self.referral.reference}"

    def audit_label(self):
        return f"Case {self.reference}"

    @property
    def reference(self):
        return self.referral.reference

    @property
    def is_open(self):
        return self.stage not in self.CLOSED_STAGES


class CaseUserObjectPermission(UserObjectPermissionBase):
    """A person's grant on one case (the referrer's), with a real foreign key; see
    referrals.models.ReferralUserObjectPermission."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseEvent(models.Model):
    """One line of the case timeline. Summaries name what happened, never partner or
    children's details. An event about a partner matter (contact with the partner, partner
    support, disclosures, IDVA and MARAC, services for the partner or children) is marked, and
    shown only to those who may see the partner section (access action case.view_partner)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    partner_related = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["case", "-at"], name="case_event_timeline_idx")]

    def __str__(self):
        return self.summary


class Consultation(models.Model):
    class Outcome(models.TextChoices):
        SUITABLE = "suitable", "Suitable for the intensive pathway"
        NOT_SUITABLE = "not_suitable", "Not suitable"

    class NotSuitableReason(models.TextChoices):
        RISK_TOO_HIGH = "risk_too_high", "Risk or abuse too high"
        NOT_KNOWN_TO_CSC = "not_known_to_csc", "Not known to children's services"
        NOT_CONTACTABLE = "not_contactable", "Cannot be contacted"
        REFUSED = "refused", "Refused"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consultations")
    scheduled_at = models.DateTimeField("date and time")
    modality = models.CharField(
        "how", max_length=20, choices=[(Modality.TELEPHONE, "Telephone"), (Modality.VIDEO, "Secure video")]
    )
    attendees = models.TextField("who will attend", blank=True)
    held = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    not_suitable_reason = models.CharField(max_length=30, choices=NotSuitableReason.choices, blank=True)
    outcome_notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-scheduled_at"]
        indexes = [models.Index(fields=["scheduled_at"], name="consultation_period_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(held=False) | ~Q(outcome=""), name="consultation_held_has_outcome"),
            models.CheckConstraint(
                condition=~Q(outcome="not_suitable") | ~Q(not_suitable_reason=""),
                name="consultation_not_suitable_has_reason",
            ),
        ]

    def __str__(self):
        return f"Consultation on {self.scheduled_at:%d %b %Y}"


class RiskPlan(models.Model):
    """One version of the Risk Management and Intervention Plan. Versions are never edited:
    a revision is a new row, so every earlier version is kept with who wrote it and when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_plans")
    version = models.PositiveIntegerField()
    risks = models.TextField("risks")
    protective_factors = models.TextField("protective factors", blank=True)
    # [{"action": ..., "owner": ..., "due": "YYYY-MM-DD"}]
    actions = models.JSONField("actions", default=list, blank=True)
    safety_planning = models.TextField("safety planning for the partner and children", blank=True)
    contingency = models.TextField("contingency", blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)
    change_note = models.CharField("what changed", max_length=300, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="risk_plan_version_unique")]

    def __str__(self):
        return f"Plan version {self.version}"

    @property
    def dated_actions(self) -> list[dict]:
        """The actions with each due date as a date, for pages to write as people read dates."""
        return [{**action, "due": plan_action_due(action)} for action in self.actions]


def plan_action_due(action: dict) -> date | None:
    """A plan action's due date: the JSON keeps it as "YYYY-MM-DD"."""
    return date.fromisoformat(action["due"]) if action.get("due") else None


class Consent(models.Model):
    class Party(models.TextChoices):
        CLIENT = "client", "Client"
        PARTNER = "partner", "Partner"

    class Method(models.TextChoices):
        WRITTEN = "written", "Written"
        VERBAL_IN_PERSON = "verbal_in_person", "Verbal, in person"
        VERBAL_PHONE = "verbal_phone", "Verbal, by phone"
        VIDEO = "video", "By video call"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    party = models.CharField(max_length=10, choices=Party.choices)
    given_on = models.DateField("date consent was given")
    method = models.CharField("how it was obtained", max_length=20, choices=Method.choices)
    obtained_by = models.CharField("obtained by", max_length=150)
    sharing = models.TextField("what may be shared, with whom")
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["party", "-given_on"]
        constraints = [
            # One live consent per party: a new one needs the old one withdrawn first.
            models.UniqueConstraint(
                fields=["case", "party"],
                condition=Q(withdrawn_on__isnull=True),
                name="one_live_consent_per_party",
            ),
        ]

    def __str__(self):
        return f"{self.get_party_display()} consent"


class InterventionSession(models.Model):
    class Attendance(models.TextChoices):
        ATTENDED = "attended", "Attended"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"
        CANCELLED = "cancelled", "Cancelled"

    class Topic(models.TextChoices):
        EMOTIONAL_REGULATION = "emotional_regulation", "Emotional regulation"
        DA_AWARENESS = "da_awareness", "Domestic abuse awareness"
        IMPACT_ON_CHILDREN = "impact_on_children", "Impact on children"
        COMMUNICATION = "communication", "Communication and conflict resolution"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("date")
    modality = models.CharField(max_length=20, choices=Modality.choices)
    duration_minutes = models.PositiveSmallIntegerField("length in minutes", null=True, blank=True)
    attendance = models.CharField(max_length=20, choices=Attendance.choices)
    topics = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["case", "-held_on"], name="session_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__lte=480),
                name="session_at_most_eight_hours",
            )
        ]

    def __str__(self):
        return f"Session on {self.held_on:%d %b %Y}"

    @property
    def topic_labels(self):
        return [self.Topic(t).label for t in self.topics if t in self.Topic.values]


class ProfessionalsMeeting(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("date")
    attendees = models.TextField("who attended")
    risk_updates = models.TextField("risk updates", blank=True)
    actions = models.TextField("actions agreed", blank=True)
    progress_update = models.TextField("progress update for the referrer", blank=True)
    progress_update_sent_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["case", "-held_on"], name="meeting_case_idx"),
            # The monthly report: meetings in the weeks of a period.
            models.Index(fields=["held_on"], name="meeting_period_idx"),
        ]

    def __str__(self):
        return f"Professionals meeting on {self.held_on:%d %b %Y}"


class RiskAction(models.Model):
    """An escalation that stays open until done: referral to the high-risk IDVA service or
    to MARAC, raised by a new disclosure or a high DASH score."""

    class Kind(models.TextChoices):
        IDVA = "idva", "Refer the partner to the high-risk IDVA service"
        MARAC = "marac", "Refer the case to MARAC"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_actions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=300)
    raised_at = models.DateTimeField(auto_now_add=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField(null=True, blank=True)
    done_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["done_on", "-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(done_on__isnull=True),
                name="one_open_risk_action_per_kind",
            )
        ]

    def __str__(self):
        return self.get_kind_display()


class Disclosure(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    disclosed_on = models.DateField("date of the disclosure")
    description = models.TextField("what was disclosed")
    escalate = models.BooleanField("this raises the risk: refer to the IDVA service and MARAC")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-disclosed_on"]

    def __str__(self):
        return f"Disclosure on {self.disclosed_on:%d %b %Y}"


class OnwardReferral(models.Model):
    class Service(models.TextChoices):
        DVPP = "dvpp", "Domestic violence perpetrator programme (DVPP)"
        IDVA = "idva", "IDVA"
        MARAC = "marac", "MARAC"
        VICTIM_SUPPORT = "victim_support", "Victim support"
        CAMHS = "camhs", "CAMHS"
        SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
        MENTAL_HEALTH = "mental_health", "Mental health"
        HOUSING_OPTIONS = "housing_options", "Housing options"
        FINANCE_SUPPORT = "finance_support", "Finance support"
        ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        MADE = "made", "Made"
        ACCEPTED = "accepted", "Accepted"
        ENGAGED = "engaged", "Engaged"
        DECLINED = "declined", "Declined"
        NO_PLACE = "no_place", "No place available"

    # Services for the partner or the children: partner matters, like the partner section.
    PARTNER_SERVICES = frozenset({Service.IDVA, Service.MARAC, Service.VICTIM_SUPPORT, Service.CAMHS})

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="onward_referrals")
    service = models.CharField(max_length=30, choices=Service.choices)
    service_other = models.CharField("other service", max_length=150, blank=True)
    made_on = models.DateField("date made")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.MADE)
    # When the service took the person on (accepted or engaged): ends the wait.
    started_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    following_consultation = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Optimistic locking: an update from a page showing an older status is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-made_on"]

    def __str__(self):
        return self.get_service_display()

    @property
    def partner_related(self) -> bool:
        return self.service in self.PARTNER_SERVICES


class PartnerContact(models.Model):
    """Contact with the partner or victim-survivor (restricted)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="partner_contacts")
    contacted_on = models.DateField("date")
    by = models.CharField("contact made by", max_length=150)
    notes = models.TextField("notes")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-contacted_on", "-pk"]

    def __str__(self):
        return f"Partner contact on {self.contacted_on:%d %b %Y}"


def isa_in_force(prefix: str, today) -> Q:
    """The borough at `prefix` has an information sharing agreement in force on `today`:
    recorded as in place, and signed on or before that day."""
    return Q(**{f"{prefix}isa_in_place": True, f"{prefix}isa_signed_on__lte": today})


class EmergencyAccessQuerySet(models.QuerySet):
    def open_to(self, user, *, now=None):
        """Grants letting `user` into a case right now. A grant lasts its 24 hours only while
        the case is still in the user's borough and that borough's agreement is in force."""
        now = now or timezone.now()
        return self.filter(
            isa_in_force("case__borough__", timezone.localdate(now)),
            user=user,
            status=EmergencyAccess.Status.GRANTED,
            expires_at__gt=now,
            case__borough_id=user.borough_id,
        )


class EmergencyAccess(models.Model):
    """'Break the glass': a social worker's access to a case in their own borough outside their
    normal rights, for a stated reason, for 24 hours. It never opens partner or children's
    details. Beyond a number of uses in 30 days a supervisor approves it first; every grant is
    reviewed by a supervisor (justified or not) within 2 working days."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for a supervisor's approval"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"

    class Outcome(models.TextChoices):
        JUSTIFIED = "justified", "Justified"
        NOT_JUSTIFIED = "not_justified", "Not justified"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emergency_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.GRANTED)
    requested_at = models.DateTimeField(default=timezone.now)
    granted_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The supervisor who approved or refused a request over the limit, and why.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # The supervisors' review of every grant.
    review_due_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    review_note = models.TextField(blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "emergency access"
        verbose_name_plural = "emergency accesses"
        indexes = [
            models.Index(fields=["user", "case", "expires_at"], name="emergency_access_idx"),
            models.Index(fields=["user", "granted_at"], name="emergency_access_uses_idx"),
            models.Index(
                fields=["review_due_on"],
                name="emergency_access_to_review",
                condition=Q(status="granted", reviewed_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status="granted")
                    & Q(granted_at__isnull=False, expires_at__isnull=False, review_due_on__isnull=False)
                )
                | (~Q(status="granted") & Q(granted_at__isnull=True, expires_at__isnull=True)),
                name="emergency_access_granted_has_times",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | (Q(decided_by__isnull=False) & ~Q(decision_note="")),
                name="emergency_access_refused_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, reviewed_by__isnull=True, outcome="", review_note="")
                | (
                    Q(status="granted", reviewed_at__isnull=False, reviewed_by__isnull=False)
                    & ~Q(outcome="")
                    & ~Q(review_note="")
                ),
                name="emergency_access_review_complete",
            ),
            models.UniqueConstraint(
                fields=["user", "case"], condition=Q(status="waiting"), name="one_waiting_emergency_access"
            ),
        ]

    def __str__(self):
        return f"Emergency access to {self.case}"

    def audit_label(self):
        return f"Emergency access {self.pk} to case {self.case.reference}"

    def review_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.GRANTED and not self.reviewed_at and today > self.review_due_on


class SubjectAccessRequest(models.Model):
    """A client's subject access request: the export of the client's own data, prepared by a
    practitioner with third-party data (partner, children, the referrer's account of them)
    withheld, reviewed by a supervisor who did not prepare it, then released.

    The export is frozen when it is prepared (content_html, with its SHA-256 digest), so what
    the supervisor reviews is exactly what is released."""

    class Status(models.TextChoices):
        PREPARED = "prepared", "Waiting for a supervisor's review"
        APPROVED = "approved", "Approved for release"
        RETURNED = "returned", "Returned for changes"
        RELEASED = "released", "Released to the client"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="subject_access_requests")
    # The practitioner who logged the request and prepared the export.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField("date the client asked")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREPARED)
    prepared_at = models.DateTimeField()
    content_html = models.TextField()
    content_digest = models.CharField(max_length=64)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_notes = models.TextField(blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    OPEN_STATUSES = (Status.PREPARED, Status.APPROVED)

    class Meta:
        ordering = ["-prepared_at", "-pk"]
        constraints = [
            # Four eyes: the reviewer is never the person who prepared the export.
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=models.F("requested_by")),
                name="sar_reviewer_is_not_the_preparer",
            ),
            models.CheckConstraint(
                condition=Q(status="prepared", reviewed_by__isnull=True, reviewed_at__isnull=True)
                | (~Q(status="prepared") & Q(reviewed_by__isnull=False, reviewed_at__isnull=False)),
                name="sar_reviewed_unless_prepared",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_notes=""),
                name="sar_returned_has_notes",
            ),
            models.CheckConstraint(
                condition=(Q(status="released") & Q(released_at__isnull=False, released_by__isnull=False))
                | (~Q(status="released") & Q(released_at__isnull=True, released_by__isnull=True)),
                name="sar_released_has_date",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["prepared", "approved"]),
                name="one_open_sar_per_case",
            ),
        ]

    def __str__(self):
        return f"Subject access request received {self.received_on:%-d %b %Y}"

    def audit_label(self):
        return f"Subject access request {self.pk} on case {self.case.reference}"

    @property
    def due_on(self):
        """One calendar month from the day the request was received (the corresponding date
        of the next month, or its last day), moved to the next working day if it falls on a
        weekend or bank holiday."""
        year, month = divmod(self.received_on.month, 12)
        year, month = self.received_on.year + year, month + 1
        day = min(self.received_on.day, calendar.monthrange(year, month)[1])
        due = self.received_on.replace(year=year, month=month, day=day)
        return due if is_working_day(due) else next_working_day(due)

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class CaseReopening(models.Model):
    """A closed case opened again, with the closure it undid: the case's own closure fields
    are cleared (the monthly report counts an exit only for a case closed now), so the
    earlier closure is kept here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reopenings")
    reopened_at = models.DateTimeField()
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("why the case is reopened")
    # The referral that brought the person back, when the case was reopened instead of
    # opening a new one.
    new_referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_stage = models.CharField(max_length=30, choices=Case.Stage.choices)
    closed_at = models.DateTimeField()
    closure_reason = models.CharField(max_length=30, choices=Case.ClosureReason.choices)
    exit_summary = models.TextField(blank=True)
    onward_plan = models.TextField(blank=True)
    reopened_stage = models.CharField(max_length=30, choices=Case.Stage.choices)

    class Meta:
        ordering = ["-reopened_at"]

    def __str__(self):
        return f"Reopened {self.reopened_at:%d %b %Y}"


class CaseReassignment(models.Model):
    """A case moved from one practitioner to another by a supervisor, with the reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reassignments")
    from_practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"Reassigned {self.at:%d %b %Y}"


class CaseDraft(models.Model):
    """A long case form (the plan, the closure) saved half-way by its author, to be resumed.
    A draft is not a record: nothing reads it as the plan or the closure, and completing the
    form removes it. One draft per case and form."""

    class Form(models.TextChoices):
        PLAN = "plan", "Risk Management and Intervention Plan"
        CLOSURE = "closure", "Closure"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="drafts")
    form = models.CharField(max_length=20, choices=Form.choices)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField(auto_now=True)
    # What was typed so far, by form field; dates as ISO strings. The plan's holds the plan
    # version it was typed over ("based_on_version"), so completing it still refuses to
    # replace a newer plan.
    content = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "form"], name="one_draft_per_case_form")]

    def __str__(self):
        return f"Draft {self.get_form_display().lower()}"

    def audit_label(self):
        return f"{self.get_form_display()} draft {self.pk} on case {self.case.reference}"
