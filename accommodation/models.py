"""Temporary accommodation: the practitioner's request, the housing SPOC's placement, Camden
finance's decision against the capped fund, invoices and payments, extensions, the
return-home review and the move-on outcome.

What each party sees is limited by the policy: housing sees what a booking needs (never the
partner's address), finance sees placements and money (never case narrative)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


def _programme_start():
    return settings.EIP_PROGRAMME_STARTED_ON


class FundQuerySet(models.QuerySet):
    def covering(self, day):
        """The phase whose period contains the day (at most one: phases never overlap)."""
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Fund(models.Model):
    """One phase of the accommodation fund LB Camden holds for all boroughs: its period, its cap
    and its number of places. A placement is charged to the phase its start date falls in, so a
    historical or imported placement never spends today's money. Phases are opened in the admin
    (accommodation.services.fund_phase_open) and never overlap."""

    name = models.CharField(max_length=100)
    starts_on = models.DateField("first day of the phase", default=_programme_start, unique=True)
    ends_on = models.DateField(
        "last day of the phase", null=True, blank=True, help_text="Blank while it is the newest phase."
    )
    total = models.DecimalField("total available (£)", max_digits=10, decimal_places=2)
    places = models.PositiveSmallIntegerField("number of people it can house")

    objects = FundQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]
        verbose_name = "fund phase"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="fund_phase_ends_after_it_starts",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="fund_phase_total_not_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def period(self) -> str:
        end = f"{self.ends_on:%-d %B %Y}" if self.ends_on else "until the next phase opens"
        return f"{self.starts_on:%-d %B %Y} to {end}" if self.ends_on else f"from {self.starts_on:%-d %B %Y}, {end}"


class AccommodationRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for housing"
        PROPOSED = "proposed", "Placement proposed"
        APPROVED = "approved", "Placement approved"
        ENDED = "ended", "Ended"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="accommodation_requests")
    borough = models.ForeignKey("people.Borough", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Not auto_now_add: an imported request keeps its historical date (the reports count it by this).
    requested_at = models.DateTimeField(default=timezone.now)
    needed_from = models.DateField("needed from")
    # For practitioners and supervisors only.
    reason = models.TextField("why accommodation is needed")
    risks_and_mitigation = models.TextField("risks and how they are mitigated")
    scenario_planning = models.TextField("scenario planning")
    housing_options_explained = models.BooleanField("client and partner told of local housing options")
    # What housing sees.
    preferred_area = models.CharField("preferred area", max_length=200, blank=True)
    exclusion_areas = models.TextField("exclusion areas: where the client must not be placed")
    housing_notes = models.TextField("what housing needs to know", blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["borough", "status"], name="accommodation_housing_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["requested", "proposed", "approved"]),
                name="one_open_accommodation_request_per_case",
            ),
        ]

    def __str__(self):
        return f"Accommodation request {self.pk}"

    def audit_label(self):
        return f"Accommodation request {self.pk} on case {self.case.reference}"


MOVE_ON_PAYMENT_KINDS = ["deposit", "first_month_rent", "rent_in_advance", "deposit_rent"]


class Placement(models.Model):
    class Kind(models.TextChoices):
        HOTEL_BNB = "hotel_bnb", "Hotel or B&B"
        COUNCIL_NOMINATION = "council_nomination", "Council nomination unit"
        PRIVATE_ROOM = "private_room", "Private rented room"
        OTHER = "other", "Other"
        # Move-on payments: a single payment towards the client's next home, from the same fund,
        # for the same person (so no further place).
        DEPOSIT = "deposit", "Deposit"
        FIRST_MONTH_RENT = "first_month_rent", "First month's rent"
        RENT_IN_ADVANCE = "rent_in_advance", "Rent in advance"
        DEPOSIT_RENT = "deposit_rent", "Deposit or first month's rent (not itemised)"

    class PayeeType(models.TextChoices):
        PRIVATE_LANDLORD = "private_landlord", "Private landlord"
        LETTING_AGENT = "letting_agent", "Letting agent"
        HOUSING_ASSOCIATION = "housing_association", "Housing association"
        COUNCIL = "council", "Council"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for finance"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected by finance"
        ENDED = "ended", "Ended"

    class MoveOn(models.TextChoices):
        RETURNED_HOME = "returned_home", "Returned home after a return-home review"
        PRIVATE_RENTED = "private_rented", "Private rented accommodation"
        FAMILY_FRIENDS = "family_friends", "Family or friends"
        OTHER = "other", "Other"

    request = models.ForeignKey(AccommodationRequest, on_delete=models.PROTECT, related_name="placements")
    # None only for a historical placement (imported) whose start falls in no phase of the fund:
    # it is charged to no phase, never to today's.
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="placements")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)  # historical when imported
    provider = models.CharField("provider", max_length=200)
    kind = models.CharField("type", max_length=30, choices=Kind.choices)
    address = models.TextField("address")  # restricted: never to the borough SPOC or the partner's side
    nightly_rate = models.DecimalField("cost per night (£)", max_digits=8, decimal_places=2, null=True, blank=True)
    fixed_amount = models.DecimalField("amount (£)", max_digits=8, decimal_places=2, null=True, blank=True)
    start_on = models.DateField("start")
    planned_end_on = models.DateField("planned end")
    distance_miles = models.DecimalField("distance from the family home (miles)", max_digits=6, decimal_places=1)
    out_of_borough = models.BooleanField("outside the borough", default=False)
    out_of_borough_justification = models.TextField(blank=True)
    # What the fund holds for it now: the approved cost plus approved extensions and any
    # over-approved invoice, less what was released when it ended early or was settled.
    committed = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    released = models.DecimalField("returned to the fund", max_digits=10, decimal_places=2, default=Decimal("0"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_notes = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # Required of a move-on payment proposed here (services); blank on an imported one that did not say.
    payee_type = models.CharField("who is paid", max_length=30, choices=PayeeType.choices, blank=True)
    move_on = models.CharField(max_length=20, choices=MoveOn.choices, blank=True)
    move_on_details = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["fund", "status"], name="placement_fund_idx")]
        constraints = [
            # A move-on payment is made on one day: its "end" is the day it is due.
            models.CheckConstraint(
                condition=Q(planned_end_on__gt=models.F("start_on"))
                | Q(kind__in=MOVE_ON_PAYMENT_KINDS, planned_end_on=models.F("start_on"), fixed_amount__isnull=False),
                name="placement_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(nightly_rate__isnull=False) | Q(fixed_amount__isnull=False),
                name="placement_has_a_cost",
            ),
            models.CheckConstraint(
                condition=Q(out_of_borough=False) | ~Q(out_of_borough_justification=""),
                name="placement_out_of_borough_justified",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | (~Q(move_on="") & Q(ended_on__isnull=False)),
                name="placement_ended_has_move_on",
            ),
        ]

    def __str__(self):
        return f"Placement {self.pk}"

    def audit_label(self):
        return f"Placement {self.pk} on case {self.request.case.reference}"

    @property
    def is_move_on_payment(self) -> bool:
        return self.kind in MOVE_ON_PAYMENT_KINDS

    @property
    def nights(self) -> int:
        return (self.planned_end_on - self.start_on).days

    def cost_for(self, start, end) -> Decimal:
        if self.nightly_rate is not None:
            return self.nightly_rate * (end - start).days
        return self.fixed_amount or Decimal("0")


class PlacementExtension(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for finance"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="extensions")
    new_end_on = models.DateField("new end date")
    reason = models.TextField("why the extension is needed")
    additional_cost = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Extension to {self.new_end_on}"


class Invoice(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="invoices")
    # The placement's provider when the invoice was recorded: an invoice number is the provider's own,
    # so the same number from the same provider is the same invoice, whichever placement it is put on.
    provider = models.CharField("provider", max_length=200)
    reference = models.CharField("invoice reference", max_length=100)
    amount = models.DecimalField("amount (£)", max_digits=10, decimal_places=2)
    received_on = models.DateField("date received")
    paid_on = models.DateField("date paid", null=True, blank=True)
    over_approved_reason = models.TextField("why it is more than was approved", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_on"]
        indexes = [models.Index(fields=["paid_on", "received_on"], name="invoice_unpaid_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.UniqueConstraint(Lower("provider"), Lower("reference"), name="invoice_number_once_per_provider"),
        ]

    def __str__(self):
        return self.reference


class ReturnHomeReview(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="return_home_reviews")
    reviewed_on = models.DateField("date of the review")
    risks_to_children = models.TextField("risks to the children")
    risks_to_adults = models.TextField("risks to adults")
    support_package = models.TextField("support package agreed")
    return_is_safe = models.BooleanField("return home is safe")
    protective_steps = models.TextField("if return is unsafe, the agreed steps to protect the family", blank=True)
    victims_view = models.TextField("the partner's view", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-reviewed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(return_is_safe=True) | ~Q(protective_steps=""),
                name="unsafe_return_has_protective_steps",
            )
        ]

    def __str__(self):
        return f"Return-home review {self.reviewed_on}"


class AccommodationFoundElsewhere(models.Model):
    """The client found somewhere to live without the programme's accommodation: the
    evaluations count these apart from "received accommodation through the programme"."""

    class Route(models.TextChoices):
        OWN_PRIVATE_RENTAL = "own_private_rental", "Their own private rental"
        FAMILY_FRIENDS = "family_friends", "With family or friends"
        OTHER = "other", "Another way"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="accommodation_found_elsewhere")
    route = models.CharField("how the client found accommodation", max_length=30, choices=Route.choices)
    found_on = models.DateField("date the client moved in")
    details = models.TextField("details", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-found_on"]
        verbose_name_plural = "accommodation found elsewhere"
        constraints = [
            models.CheckConstraint(
                condition=~Q(route="other") | ~Q(details=""), name="accommodation_found_another_way_described"
            )
        ]

    def __str__(self):
        return f"{self.get_route_display()} from {self.found_on}"
