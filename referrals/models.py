"""Referrals: what a social worker sends, and the person it is about.

Partner/victim and children's details live in their own tables (PartnerDetails,
ReferredChild) so that every query that serves the client, housing or finance can leave
them out by construction."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import UserObjectPermissionBase

from eip.uploads import DocumentField


class Team(models.TextChoices):
    EARLY_HELP = "early_help", "Early Help"
    CHILD_IN_NEED = "child_in_need", "Child in Need"
    CHILD_PROTECTION = "child_protection", "Child Protection"
    OTHER = "other", "Other"


class Gender(models.TextChoices):
    MAN = "man", "Man"
    WOMAN = "woman", "Woman"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Another gender"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    """The ONS (Census 2021) categories, grouped as the evaluation reports them."""

    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY = "white_gypsy", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean", "Mixed: White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african", "Mixed: White and Black African"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed: White and Asian"
    MIXED_OTHER = "mixed_other", "Mixed: any other Mixed or multiple ethnic background"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = "black_other", "Black, Black British, Caribbean or African: any other Black background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other ethnic group"
    NOT_KNOWN = "not_known", "Not known or prefer not to say"

    @classmethod
    def group_of(cls, value: str) -> str:
        return {
            "white": "White",
            "mixed": "Mixed or multiple",
            "asian": "Asian or Asian British",
            "black": "Black, Black British, Caribbean or African",
            "other": "Other ethnic group",
        }.get(value.split("_", 1)[0], "Not known")


class RiskMarker(models.TextChoices):
    CHILD_CONTACT_DISPUTES = "child_contact", "Disputes over child contact"
    VERBAL_ARGUMENTS = "verbal_arguments", "Verbal arguments"
    CONTROLLING_BEHAVIOUR = "controlling", "Early signs of controlling behaviour"
    FIRST_PHYSICAL_ASSAULT = "first_assault", "First physical assault"
    OTHER = "other", "Other"


class PoliceOrder(models.TextChoices):
    DVPN_DVPO = "dvpn_dvpo", "Domestic Violence Protection Notice or Order (DVPN/DVPO)"
    NON_MOLESTATION = "non_molestation", "Non-molestation order"
    BAIL_CONDITIONS = "bail_conditions", "Bail conditions"


class Willingness(models.TextChoices):
    WILLING = "willing", "Willing to engage"
    UNSURE = "unsure", "Unsure or ambivalent"
    UNWILLING = "unwilling", "Not willing at present"
    NOT_ASKED = "not_asked", "Not yet asked"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class ReferralWindow(models.Model):
    """A period in which referrals are open (programme setting, edited by an administrator).
    A referral received outside every window needs the written agreement of the three
    partners before it can be accepted."""

    name = models.CharField(max_length=100)
    opens_on = models.DateField()
    closes_on = models.DateField()

    class Meta:
        ordering = ["opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="referral_window_closes_after_it_opens",
                violation_error_message="The window must close on or after the day it opens.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.opens_on:%-d %b %Y} to {self.closes_on:%-d %b %Y})"


class Person(models.Model):
    """A client as an individual, so that a second referral of the same person counts once."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    borough = models.ForeignKey("people.Borough", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when this record was found to be the same person as another and merged into it: the
    # record stays, empty of referrals and cases, so the merge can be explained afterwards.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["date_of_birth"], name="person_dob_idx"),
            models.Index(models.functions.Lower("last_name"), name="person_last_name_idx"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def audit_label(self):
        return f"Person {self.pk}"


class PersonMerge(models.Model):
    """Two person records found to be the same person: proposed by a practitioner, confirmed
    (or rejected) by a supervisor; `moved` keeps what moved to the surviving record."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for a supervisor"
        CONFIRMED = "confirmed", "Merged"
        REJECTED = "rejected", "Not merged"

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_merged")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    reason = models.TextField("why they are the same person")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    moved = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(kept=models.F("merged")), name="person_merge_two_records"),
            models.CheckConstraint(
                condition=Q(status="proposed") | ~Q(decided_by=models.F("proposed_by")),
                name="person_merge_confirmed_by_another",
            ),
            models.UniqueConstraint(
                fields=["merged"], condition=Q(status="proposed"), name="person_merge_one_proposal_per_record"
            ),
        ]

    def __str__(self):
        return f"Merge of person {self.merged_id} into person {self.kept_id}"

    def audit_label(self):
        return f"Person merge {self.pk}"


class PersonMatchKey(models.Model):
    """A hashed blocking key of a person (see referrals.matching): finding the candidates for
    a new referral reads a handful of these by index instead of every person on record."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="match_keys")
    key = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["key", "person"], name="person_match_key_idx")]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="person_match_key_once")]

    def __str__(self):
        return f"Match key of person {self.person_id}"


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        MORE_INFO = "more_info", "More information requested"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class DeclineReason(models.TextChoices):
        NOT_KNOWN_TO_CSC = "not_known_to_csc", "Not known to children's services"
        NOT_CONTACTABLE = "not_contactable", "Could not be contacted"
        REFUSED = "refused", "Refused"
        RISK_TOO_HIGH = "risk_too_high", "Risk too high for this service"
        OTHER = "other", "Other"

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made")
    borough = models.ForeignKey("people.Borough", on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")

    # Referrer
    team = models.CharField("team", max_length=30, choices=Team.choices, blank=True)
    team_other = models.CharField("other team", max_length=100, blank=True)
    referrer_phone = models.CharField("your phone number", max_length=40, blank=True)

    # Client
    client_first_name = models.CharField("first name", max_length=100, blank=True)
    client_last_name = models.CharField("last name", max_length=100, blank=True)
    client_date_of_birth = models.DateField("date of birth", null=True, blank=True)
    client_gender = models.CharField("gender", max_length=20, choices=Gender.choices, blank=True)
    client_ethnicity = models.CharField("ethnicity", max_length=40, choices=Ethnicity.choices, blank=True)
    client_first_language = models.CharField("first language", max_length=60, blank=True)
    client_interpreter_needed = models.CharField(
        "interpreter needed", max_length=10, choices=YesNoUnknown.choices, blank=True
    )
    client_additional_needs = models.TextField("additional needs", blank=True)
    client_phone = models.CharField("phone number", max_length=40, blank=True)
    client_email = models.EmailField("email address", blank=True)
    client_address = models.TextField("address", blank=True)
    client_postcode = models.CharField("postcode", max_length=10, blank=True)
    client_safe_contact_times = models.CharField("safe times to contact", max_length=200, blank=True)
    # What the client's name sounds like (referrals.inbox.name_sounds), so the inbox search
    # finds a misspelled name. A text field, so the retention policy clears it with the name.
    client_name_sounds = models.TextField(blank=True, editable=False)

    # Risk
    risk_markers = models.JSONField("early intervention risk markers", default=list, blank=True)
    risk_markers_other = models.CharField("other risk marker", max_length=200, blank=True)
    police_involved = models.CharField("police involvement", max_length=10, choices=YesNoUnknown.choices, blank=True)
    police_details = models.TextField("police involvement details", blank=True)
    orders = models.JSONField("orders in place", default=list, blank=True)
    dash_completed = models.CharField(
        "DASH risk checklist completed", max_length=10, choices=YesNoUnknown.choices, blank=True
    )
    dash_score = models.PositiveSmallIntegerField("DASH score", null=True, blank=True)
    accommodation_may_be_needed = models.CharField(
        "accommodation may be needed", max_length=10, choices=YesNoUnknown.choices, blank=True
    )
    client_willingness = models.CharField(
        "client's willingness to engage", max_length=20, choices=Willingness.choices, blank=True
    )
    case_dynamic = models.TextField("the case in your words", blank=True)

    # Handling
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    received_at = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledgement_due = models.DateField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consultation_timeline = models.TextField(blank=True)
    more_info_request = models.TextField(blank=True)
    outside_window = models.BooleanField(default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_reason = models.CharField(max_length=30, choices=DeclineReason.choices, blank=True)
    decline_details = models.TextField(blank=True)
    suggested_onward_referrals = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField("why the referral is withdrawn", blank=True)
    # Optimistic locking: a save from a stale form is refused, not silently applied.
    version = models.PositiveIntegerField(default=1)
    # Set when the retention policy removed who the people are (eip.retention).
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "acknowledgement_due"], name="referral_inbox_idx"),
            models.Index(fields=["referrer", "-created_at"], name="referral_referrer_idx"),
            models.Index(fields=["borough", "-received_at"], name="referral_borough_idx"),
            # The monthly report counts decisions in a period.
            models.Index(fields=["decided_at"], name="referral_decided_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(reference__isnull=False) & Q(received_at__isnull=False) & Q(acknowledgement_due__isnull=False)),
                name="referral_submitted_has_reference_and_due_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(person__isnull=False),
                name="referral_accepted_has_person",
            ),
            models.CheckConstraint(
                condition=Q(dash_score__isnull=True) | Q(dash_score__lte=24),
                name="referral_dash_score_at_most_24",
            ),
        ]
        permissions = [("view_partner_details", "Can see partner and children's details")]

    def __str__(self):
        return self.reference or f"Draft referral {self.pk}"

    def audit_label(self):
        return f"Referral {self.reference}" if self.reference else f"Draft referral {self.pk}"

    @property
    def client_name(self):
        return f"{self.client_first_name} {self.client_last_name}".strip()

    @property
    def risk_marker_labels(self):
        return [RiskMarker(m).label for m in self.risk_markers or [] if m in RiskMarker.values]

    @property
    def order_labels(self):
        return [PoliceOrder(o).label for o in self.orders or [] if o in PoliceOrder.values]

    @property
    def is_open_for_triage(self):
        return self.status in (self.Status.SUBMITTED, self.Status.MORE_INFO, self.Status.ACKNOWLEDGED)


class ReferralChange(models.Model):
    """One amendment the social worker made after sending: what changed, when, by whom.
    `changes`: [{"field": label, "before": text, "after": text, "partner": bool}]."""

    referral = models.ForeignKey("Referral", on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"Change to {self.referral}"


class PartnerDetails(models.Model):
    """The partner / victim-survivor. Confidential: never shown to the client, housing or
    finance, never in a document produced for them."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="partner")
    first_name = models.CharField("first name", max_length=100, blank=True)
    last_name = models.CharField("last name", max_length=100, blank=True)
    date_of_birth = models.DateField("date of birth", null=True, blank=True)
    gender = models.CharField("gender", max_length=20, choices=Gender.choices, blank=True)
    phone = models.CharField("phone number", max_length=40, blank=True)
    address = models.TextField("address", blank=True)
    postcode = models.CharField("postcode", max_length=10, blank=True)
    lives_with_client = models.CharField(
        "lives with the client", max_length=10, choices=YesNoUnknown.choices, blank=True
    )
    safe_contact = models.TextField("how to contact them safely", blank=True)
    # A safe address is shown nowhere once flagged, and a change to it waits for a second
    # person to confirm (a wrong or hostile change could send someone to the partner).
    safe_address = models.BooleanField("keep this address safe", default=False)

    def __str__(self):
        return f"Partner on {self.referral}"


class ReferralUserObjectPermission(UserObjectPermissionBase):
    """A person's grant on one referral (the referrer's own). A real foreign key, so that
    access checks join on an indexed integer: guardian's generic table compares text and
    made a social worker's referral list scan every referral (240 ms at 10k cases)."""

    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class ReferredChild(models.Model):
    class Plan(models.TextChoices):
        NONE = "none", "No plan"
        CHILD_IN_NEED = "cin", "Child in Need plan"
        CHILD_PROTECTION = "cp", "Child Protection plan"
        NOT_KNOWN = "not_known", "Not known"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="children")
    age = models.PositiveSmallIntegerField("age in years")
    plan = models.CharField("plan", max_length=20, choices=Plan.choices)

    class Meta:
        ordering = ["-age", "pk"]
        constraints = [models.CheckConstraint(condition=Q(age__lte=18), name="referred_child_age_at_most_18")]

    def __str__(self):
        return f"Child aged {self.age}"


class LateReferralAgreement(models.Model):
    """The written agreement of one of the three partners to accept a referral received
    outside the referral window."""

    class Party(models.TextChoices):
        DELIVERY_PARTNER = "delivery_partner", "Cranstoun (delivery partner)"
        PROGRAMME_LEAD = "programme_lead", "Respect / SafeLives"
        FUND_HOLDER = "fund_holder", "London Borough of Camden"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="late_agreements")
    party = models.CharField(max_length=30, choices=Party.choices)
    agreed_by = models.CharField("name of the person who agreed", max_length=150)
    agreed_on = models.DateField("date of the agreement")
    # Stored under a generated name by detected content; see eip/uploads.py.
    document = DocumentField("written agreement", upload_to="referrals/agreements/%Y/%m/")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "party"], name="one_late_agreement_per_party")]

    def __str__(self):
        return f"{self.get_party_display()} agreement to {self.referral}"


class ReferenceCounter(models.Model):
    """The last reference number issued in a year (EIP-2026-0001, -0002, …)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class AddressChange(models.Model):
    """A change to a safe address, waiting for a second person to confirm it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    partner = models.ForeignKey(PartnerDetails, on_delete=models.CASCADE, related_name="address_changes")
    address = models.TextField()
    postcode = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(decided_by=models.F("requested_by")),
                name="address_change_needs_a_second_person",
            ),
        ]

    def __str__(self):
        return f"Address change {self.pk}"


class IntakeDuty(models.Model):
    """A practitioner on intake duty: told about new referrals. Present means on duty."""

    practitioner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intake_duty")
    since = models.DateTimeField(auto_now_add=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"Intake duty: {self.practitioner_id}"
