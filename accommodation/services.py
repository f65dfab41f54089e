"""Temporary accommodation rules: up to four weeks, only with both consents and scenario
planning, booked by the borough's housing SPOC, paid from the capped fund only after Camden
finance approves — and never over the fund or its number of places, even when two
approvals race (the fund row is locked while the commitment is checked)."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone

from cases.kernel import case_event_record, case_lock
from cases.models import Case
from cases.services import live_consents
from eip.errors import Incomplete, Refused
from eip.money import sterling
from eip.notifications.services import notification_cancel, notification_schedule, notification_send_now
from eip.people.models import Role, User
from eip.workdays import WARNING, reminder_delivery_at

from .models import (
    MOVE_ON_PAYMENT_KINDS,
    AccommodationFoundElsewhere,
    AccommodationRequest,
    Fund,
    Invoice,
    Placement,
    PlacementExtension,
    ReturnHomeReview,
)

COMMITTING = (Placement.Status.APPROVED, Placement.Status.ENDED)


class AccommodationError(Refused):
    pass


class AccommodationIncomplete(Incomplete, AccommodationError):
    pass


def _money(amount: Decimal) -> str:
    return sterling(amount)


# --- the fund's phases --------------------------------------------------------------------


def fund_for(day: date) -> Fund:
    """The phase a placement starting on the day is charged to."""
    fund = Fund.objects.covering(day).first()
    if fund is None:
        raise AccommodationIncomplete(
            {"start_on": f"No phase of the accommodation fund covers {day:%-d %B %Y}. Ask an administrator."}
        )
    return fund


def active_fund(today: date | None = None) -> Fund:
    """Today's phase (or the newest, if none covers today): what the fund page shows first."""
    today = today or timezone.localdate()
    fund = Fund.objects.covering(today).first() or Fund.objects.order_by("-starts_on").first()
    if fund is None:
        raise AccommodationError("No accommodation fund is set up. Ask an administrator to add one.")
    return fund


def fund_phase_opening_problems(starts_on: date) -> dict[str, str]:
    """Why a new phase cannot start on the day, if it cannot: it must start after every existing
    phase, and no placement charged to the phase before may start on or after its first day
    (it would straddle the two)."""
    if Fund.objects.filter(Q(starts_on__gte=starts_on) | Q(ends_on__gte=starts_on)).exists():
        return {"starts_on": "A phase already covers this date: the new phase must start after every other phase"}
    previous = Fund.objects.filter(starts_on__lt=starts_on).order_by("-starts_on").first()
    straddling = previous.placements.filter(start_on__gte=starts_on).count() if previous else 0
    if straddling:
        return {
            "starts_on": f"{straddling} placement{'s' if straddling > 1 else ''} charged to {previous.name} "
            f"start{'' if straddling > 1 else 's'} on or after {starts_on:%-d %B %Y}: choose a later date"
        }
    return {}


@transaction.atomic
def fund_phase_open(*, name, starts_on, total, places, user) -> Fund:
    """Open the next phase of the fund with its own cap and places; the phase before it ends the
    day before."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Name the phase, for example Phase 2 accommodation fund"
    if starts_on is None:
        errors["starts_on"] = "Enter the first day of the phase"
    if total is None or total < 0:
        errors["total"] = "Enter the amount the phase holds, in pounds"
    if places is None or places < 1:
        errors["places"] = "Enter how many people the phase can house"
    if errors:
        raise AccommodationIncomplete(errors)
    # Lock every phase so two administrators cannot open overlapping phases at once.
    list(Fund.objects.select_for_update().order_by("pk"))
    problems = fund_phase_opening_problems(starts_on)
    if problems:
        raise AccommodationIncomplete(problems)
    Fund.objects.filter(starts_on__lt=starts_on, ends_on__isnull=True).update(ends_on=starts_on - timedelta(days=1))
    return Fund.objects.create(name=name.strip(), starts_on=starts_on, total=total, places=places)


# --- the practitioner's request ----------------------------------------------------------


def request_blockers(case) -> list[str]:
    blockers = []
    if case.stage not in (Case.Stage.INTERVENTION, Case.Stage.EXIT):
        blockers.append("Accommodation can be requested once the intervention has started.")
    consents = live_consents(case)
    if "client" not in consents:
        blockers.append("The client's consent is needed.")
    if "partner" not in consents:
        blockers.append("The partner's consent is needed.")
    return blockers


@transaction.atomic
def accommodation_request(
    *,
    case,
    user,
    needed_from,
    reason,
    risks_and_mitigation,
    scenario_planning,
    housing_options_explained,
    preferred_area,
    exclusion_areas,
    housing_notes="",
):
    case = case_lock(case)
    blockers = request_blockers(case)
    if blockers:
        raise AccommodationError("Accommodation cannot be requested yet. " + " ".join(blockers))
    if case.accommodation_requests.filter(status__in=["requested", "proposed", "approved"]).exists():
        raise AccommodationError("This case already has an accommodation request in progress.")
    errors = {}
    for field, value, message in (
        ("reason", reason, "Say why accommodation is needed"),
        ("risks_and_mitigation", risks_and_mitigation, "Describe the risks and how they are mitigated"),
        (
            "scenario_planning",
            scenario_planning,
            "Record the scenario planning: what happens if the couple separate or return is unsafe",
        ),
        ("exclusion_areas", exclusion_areas, "Say where the client must not be placed, or ‘none’"),
    ):
        if not (value or "").strip():
            errors[field] = message
    if not housing_options_explained:
        errors["housing_options_explained"] = "Tell the client and the partner about local housing options first"
    if needed_from is None:
        errors["needed_from"] = "Enter the date accommodation is needed from"
    if errors:
        raise AccommodationIncomplete(errors)
    request = AccommodationRequest.objects.create(
        case=case,
        borough=case.borough,
        requested_by=user,
        needed_from=needed_from,
        reason=reason,
        risks_and_mitigation=risks_and_mitigation,
        scenario_planning=scenario_planning,
        housing_options_explained=True,
        preferred_area=preferred_area,
        exclusion_areas=exclusion_areas,
        housing_notes=housing_notes,
    )
    case_event_record(
        case,
        user,
        "accommodation_requested",
        f"Temporary accommodation requested from {needed_from:%-d %B %Y}",
    )
    housing = [u for u in [case.borough.housing_spoc] if u is not None and u.is_active]
    notification_send_now(
        recipients=housing,
        kind="accommodation.requested",
        key=f"accommodation:{request.pk}:requested",
        subject=request,
        link=reverse("housing-request", args=[request.pk]),
        message=f"Temporary accommodation is needed from {needed_from:%-d %B %Y} for case {case.reference} "
        f"({case.borough.name}). Open the request to propose a placement.",
    )
    return request


# --- the housing SPOC's placement --------------------------------------------------------


@transaction.atomic
def placement_propose(
    *,
    request,
    user,
    provider,
    kind,
    address,
    nightly_rate,
    fixed_amount,
    start_on,
    planned_end_on,
    distance_miles,
    out_of_borough,
    out_of_borough_justification="",
):
    request = (
        AccommodationRequest.objects.select_for_update(of=("self",))
        .select_related("case", "borough")
        .get(pk=request.pk)
    )
    if request.status not in (AccommodationRequest.Status.REQUESTED, AccommodationRequest.Status.PROPOSED):
        raise AccommodationError("This request is no longer waiting for a placement.")
    if request.placements.filter(status=Placement.Status.PROPOSED).exists():
        raise AccommodationError("A placement for this request is already waiting for finance.")
    errors = {}
    if kind in MOVE_ON_PAYMENT_KINDS:
        errors["kind"] = "A deposit or rent for the client's next home is proposed as a move-on payment"
    if (nightly_rate is None) == (fixed_amount is None):
        errors["nightly_rate"] = "Give either a cost per night or a single amount"
    if start_on and planned_end_on:
        if planned_end_on <= start_on:
            errors["planned_end_on"] = "The planned end must be after the start"
        elif (planned_end_on - start_on).days > settings.EIP_PLACEMENT_MAX_DAYS:
            errors["planned_end_on"] = (
                "A placement can last at most four weeks (28 nights). Longer stays need "
                "an extension approved by finance."
            )
    if out_of_borough and not (out_of_borough_justification or "").strip():
        errors["out_of_borough_justification"] = "Explain why a placement outside the borough is safe"
    if start_on is None:
        errors["start_on"] = "Enter the start date"
    else:
        try:
            fund = fund_for(start_on)  # the phase its start falls in, never simply today's
        except AccommodationIncomplete as uncovered:
            errors.update(uncovered.errors)
    if errors:
        raise AccommodationIncomplete(errors)
    placement = Placement(
        request=request,
        fund=fund,
        proposed_by=user,
        provider=provider,
        kind=kind,
        address=address,
        nightly_rate=nightly_rate,
        fixed_amount=fixed_amount,
        start_on=start_on,
        planned_end_on=planned_end_on,
        distance_miles=distance_miles,
        out_of_borough=out_of_borough,
        out_of_borough_justification=out_of_borough_justification or "",
    )
    placement.committed = placement.cost_for(start_on, planned_end_on)
    placement.full_clean()
    placement.save()
    request.status = AccommodationRequest.Status.PROPOSED
    request.save(update_fields=["status"])
    case_event_record(
        request.case,
        user,
        "placement_proposed",
        f"Placement proposed by housing: {placement.get_kind_display().lower()}, "
        f"{start_on:%-d %B} to {planned_end_on:%-d %B}",
    )
    _ask_finance(placement, f"A placement costing {_money(placement.committed)}")
    return placement


def _ask_finance(placement, what):
    request = placement.request
    notification_send_now(
        recipients=User.objects.filter(role=Role.FINANCE, is_active=True),
        kind="accommodation.proposed",
        key=f"placement:{placement.pk}:proposed",
        subject=placement,
        link=reverse("finance-placement", args=[placement.pk]),
        message=f"{what} for case {request.case.reference} ({request.borough.name}) needs approval.",
    )


@transaction.atomic
def move_on_payment_propose(
    *,
    request,
    user,
    kind,
    payee_type,
    payee,
    address,
    amount,
    due_on,
    distance_miles,
    out_of_borough=False,
    out_of_borough_justification="",
):
    """Housing proposes a single payment towards the client's next home (a deposit, the first
    month's rent or rent in advance), from the same fund and for the same person: after a hotel
    stay while a private room is found, or on its own. Finance approves it like a placement."""
    request = (
        AccommodationRequest.objects.select_for_update(of=("self",))
        .select_related("case", "borough")
        .get(pk=request.pk)
    )
    if request.status == AccommodationRequest.Status.WITHDRAWN:
        raise AccommodationError("This request was withdrawn.")
    if request.placements.filter(status=Placement.Status.PROPOSED).exists():
        raise AccommodationError("A placement or payment for this request is already waiting for finance.")
    errors = {}
    if kind not in MOVE_ON_PAYMENT_KINDS[:3]:
        errors["kind"] = "Select what the payment is for"
    if payee_type not in Placement.PayeeType.values:
        errors["payee_type"] = "Select who is paid"
    if not (payee or "").strip():
        errors["payee"] = "Enter the name of the landlord, agent or organisation paid"
    if not (address or "").strip():
        errors["address"] = "Enter the address of the client's next home"
    if amount is None or amount <= 0:
        errors["amount"] = "Enter the amount of the payment"
    if due_on is None:
        errors["due_on"] = "Enter the date the payment is due"
    else:
        try:
            fund = fund_for(due_on)
        except AccommodationIncomplete as uncovered:
            errors["due_on"] = uncovered.errors["start_on"]
    if distance_miles is None:
        errors["distance_miles"] = "Enter the distance from the family home"
    if out_of_borough and not (out_of_borough_justification or "").strip():
        errors["out_of_borough_justification"] = "Explain why a home outside the borough is safe"
    if errors:
        raise AccommodationIncomplete(errors)
    payment = Placement(
        request=request,
        fund=fund,
        proposed_by=user,
        provider=payee.strip(),
        kind=kind,
        payee_type=payee_type,
        address=address,
        fixed_amount=amount,
        start_on=due_on,
        planned_end_on=due_on,
        distance_miles=distance_miles,
        out_of_borough=out_of_borough,
        out_of_borough_justification=out_of_borough_justification or "",
        committed=amount,
    )
    payment.full_clean()
    payment.save()
    if request.status == AccommodationRequest.Status.REQUESTED:
        request.status = AccommodationRequest.Status.PROPOSED
        request.save(update_fields=["status"])
    label = f"{payment.get_kind_display().lower()} of {_money(amount)} to a {payment.get_payee_type_display().lower()}"
    case_event_record(request.case, user, "move_on_payment_proposed", f"Move-on payment proposed by housing: {label}")
    _ask_finance(payment, f"A move-on payment ({label})")
    return payment


# --- the fund -----------------------------------------------------------------------------


def fund_position(fund: Fund) -> dict:
    """Total, committed, spent and remaining, and places used, computed in the database."""
    # A placement's commitment includes its approved extensions and any over-approved invoice.
    counted = Q(status__in=COMMITTING)
    if settings.EIP_EARLY_END_FREES_PLACE:
        counted &= ~Q(status=Placement.Status.ENDED, ended_on__lt=F("planned_end_on"))
    committed = fund.placements.aggregate(
        committed=Sum("committed", filter=Q(status__in=COMMITTING)),
        people=Count("request__case", distinct=True, filter=counted),
        released=Sum("released"),
    )
    released = committed["released"] or Decimal("0")
    spent = Invoice.objects.filter(placement__fund=fund, paid_on__isnull=False).aggregate(s=Sum("amount"))
    total_committed = committed["committed"] or Decimal("0")
    return {
        "total": fund.total,
        "committed": total_committed,
        "spent": spent["s"] or Decimal("0"),
        "released": released,
        "remaining": fund.total - total_committed,
        "places": fund.places,
        "people": committed["people"],
        "places_left": fund.places - committed["people"],
    }


def fund_by_borough(fund: Fund) -> list[dict]:
    # Two grouped queries: summing invoices in the same query would repeat each placement's
    # commitment once per invoice.
    committed = {
        r["request__borough__name"]: r
        for r in fund.placements.filter(Q(status__in=COMMITTING) | Q(released__gt=0))
        .values("request__borough__name")
        .annotate(
            committed=Sum("committed", filter=Q(status__in=COMMITTING)),
            placements=Count("pk", filter=Q(status__in=COMMITTING)),
            released=Sum("released"),
        )
    }
    spent = dict(
        Invoice.objects.filter(placement__fund=fund, paid_on__isnull=False)
        .values_list("placement__request__borough__name")
        .annotate(s=Sum("amount"))
    )
    return [
        {
            "borough": name,
            "committed": row["committed"] or Decimal("0"),
            "placements": row["placements"],
            "spent": spent.get(name, Decimal("0")),
            "released": row["released"] or Decimal("0"),
        }
        for name, row in sorted(committed.items())
    ]


def _lock_fund(fund_id) -> Fund | None:
    """Lock the phase a placement is charged to (None: a historical placement charged to no phase)."""
    return Fund.objects.select_for_update().filter(pk=fund_id).first() if fund_id else None


def _check_fund(fund: Fund | None, additional: Decimal, case) -> None:
    """Refuse a commitment the fund cannot bear. The caller holds the fund row's lock. `case` is the
    person the money houses (None: someone already counted, such as an over-approved invoice)."""
    if fund is None:
        return  # a historical placement charged to no phase: there is no fund to overspend
    position = fund_position(fund)
    if additional > position["remaining"]:
        raise AccommodationError(
            f"Approving this would commit {_money(additional)} but only {_money(position['remaining'])} of the "
            f"{_money(fund.total)} fund remains. Reject it, or ask housing for a cheaper placement."
        )
    already_housed = case is None or fund.placements.filter(status__in=COMMITTING, request__case=case).exists()
    if not already_housed and position["people"] >= fund.places:
        raise AccommodationError(
            f"The fund's {fund.places} places are all committed. No further person can be placed from it."
        )


def _schedule_expiry(placement):
    case = placement.request.case
    recipients = [u for u in (case.practitioner, placement.request.borough.housing_spoc) if u and u.is_active]
    scheduled_on = set()
    for days in sorted(settings.EIP_PLACEMENT_REMINDER_DAYS):
        due_at = reminder_delivery_at(day=placement.planned_end_on - timedelta(days=days), timing=WARNING)
        if due_at.date() in scheduled_on:
            # The 3-day and 1-day reminders for a Monday end both fall back to the Friday: one
            # message that day, not the same one twice.
            continue
        scheduled_on.add(due_at.date())
        # A warning due at a weekend comes on the working day before it, further ahead.
        ahead = (placement.planned_end_on - due_at.date()).days
        notification_schedule(
            recipients=recipients,
            kind="accommodation.ending",
            key=f"placement:{placement.pk}:ends:{placement.planned_end_on}:{days}",
            subject=placement,
            link=reverse("case-accommodation", args=[case.pk]),
            due_at=due_at,
            message=f"The temporary accommodation for case {case.reference} ends on "
            f"{placement.planned_end_on:%A %-d %B %Y} ({ahead} day{'s' if ahead > 1 else ''} from the reminder). "
            f"Plan the move-on, or ask for an extension.",
        )


@transaction.atomic
def placement_decide(*, placement, user, approve: bool, notes=""):
    # Lock the fund first, always in the same order, so concurrent approvals queue here.
    fund = _lock_fund(placement.fund_id)
    placement = (
        Placement.objects.select_for_update(of=("self",))
        .select_related("request__case", "request__borough")
        .get(pk=placement.pk)
    )
    if placement.status != Placement.Status.PROPOSED:
        raise AccommodationError("This placement has already been decided.")
    request = placement.request
    waiting = request.status in (AccommodationRequest.Status.REQUESTED, AccommodationRequest.Status.PROPOSED)
    if approve:
        _check_fund(fund, placement.committed, request.case)
        placement.status = Placement.Status.APPROVED
        if placement.is_move_on_payment:
            # A payment alongside a current stay leaves the stay open; on its own, it is the outcome.
            if waiting:
                request.status = AccommodationRequest.Status.ENDED
        else:
            request.status = AccommodationRequest.Status.APPROVED
    else:
        if not notes.strip():
            raise AccommodationIncomplete({"notes": "Say why the spend is rejected"})
        placement.status = Placement.Status.REJECTED
        if waiting:
            request.status = AccommodationRequest.Status.REQUESTED
    placement.decided_by, placement.decided_at, placement.decision_notes = user, timezone.now(), notes.strip()
    placement.save()
    request.save(update_fields=["status"])
    verb = "approved" if approve else "rejected"
    what = f"Move-on payment ({placement.get_kind_display().lower()})" if placement.is_move_on_payment else "Placement"
    case_event_record(
        request.case,
        user,
        f"placement_{verb}",
        f"{what} {verb} by finance ({_money(placement.committed)})",
    )
    if approve and not placement.is_move_on_payment:
        _schedule_expiry(placement)
    recipients = [u for u in (request.case.practitioner, request.borough.housing_spoc) if u and u.is_active]
    notification_send_now(
        recipients=recipients,
        kind=f"accommodation.{verb}",
        key=f"placement:{placement.pk}:{verb}",
        subject=placement,
        link=reverse("case-accommodation", args=[request.case.pk]),
        message=f"Finance has {verb} the placement for case {request.case.reference}."
        + (f" Reason: {notes.strip()}" if not approve else ""),
    )
    return placement


# --- extensions ---------------------------------------------------------------------------


@transaction.atomic
def extension_request(*, placement, user, new_end_on, reason):
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.status != Placement.Status.APPROVED or placement.is_move_on_payment:
        raise AccommodationError("Only a current placement can be extended.")
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the extension is needed"
    if new_end_on is None or new_end_on <= placement.planned_end_on:
        errors["new_end_on"] = f"The new end date must be after {placement.planned_end_on:%-d %B %Y}"
    if errors:
        raise AccommodationIncomplete(errors)
    if placement.extensions.filter(status="requested").exists():
        raise AccommodationError("An extension is already waiting for finance.")
    additional = placement.cost_for(placement.planned_end_on, new_end_on) if placement.nightly_rate else Decimal("0")
    extension = PlacementExtension.objects.create(
        placement=placement,
        new_end_on=new_end_on,
        reason=reason.strip(),
        additional_cost=additional,
        requested_by=user,
    )
    case_event_record(
        placement.request.case, user, "extension_requested", f"Extension to {new_end_on:%-d %B} requested"
    )
    notification_send_now(
        recipients=User.objects.filter(role=Role.FINANCE, is_active=True),
        kind="accommodation.extension",
        key=f"extension:{extension.pk}:requested",
        subject=placement,
        link=reverse("finance-placement", args=[placement.pk]),
        message=f"An extension costing {_money(additional)} for case {placement.request.case.reference} "
        f"needs approval.",
    )
    return extension


@transaction.atomic
def extension_decide(*, extension, user, approve: bool, notes=""):
    fund = _lock_fund(extension.placement.fund_id)
    extension = (
        PlacementExtension.objects.select_for_update(of=("self",))
        .select_related("placement__request__case")
        .get(pk=extension.pk)
    )
    placement = Placement.objects.select_for_update().get(pk=extension.placement_id)
    if extension.status != PlacementExtension.Status.REQUESTED:
        raise AccommodationError("This extension has already been decided.")
    if approve:
        _check_fund(fund, extension.additional_cost, extension.placement.request.case)
        notification_cancel(subject=placement, kind="accommodation.ending")
        placement.planned_end_on = extension.new_end_on
        placement.committed += extension.additional_cost
        placement.save(update_fields=["planned_end_on", "committed"])
        _schedule_expiry(placement)
    elif not notes.strip():
        raise AccommodationIncomplete({"notes": "Say why the extension is rejected"})
    extension.status = "approved" if approve else "rejected"
    extension.decided_by, extension.decided_at, extension.decision_notes = user, timezone.now(), notes.strip()
    extension.save()
    case_event_record(
        placement.request.case,
        user,
        "extension_decided",
        f"Extension to {extension.new_end_on:%-d %B} {extension.status} by finance",
    )
    return extension


# --- money --------------------------------------------------------------------------------


def invoiced_total(placement) -> Decimal:
    return placement.invoices.aggregate(s=Sum("amount"))["s"] or Decimal("0")


@transaction.atomic
def invoice_record(*, placement, user, reference, amount, received_on, over_approved_reason="", final=False):
    """Record a provider's invoice against a current or ended placement. The same invoice number
    from the same provider is refused; invoices beyond what was approved need a recorded reason,
    and then commit the excess, so the fund is still never overspent."""
    fund = _lock_fund(placement.fund_id)  # the same lock order as approvals
    placement = Placement.objects.select_for_update(of=("self",)).select_related("request__case").get(pk=placement.pk)
    if placement.status not in COMMITTING:
        raise AccommodationError("Invoices can be recorded only for approved placements.")
    if final and placement.status != Placement.Status.ENDED:
        raise AccommodationIncomplete({"final": "A final invoice can be recorded once the placement has ended"})
    reference, reason = (reference or "").strip(), (over_approved_reason or "").strip()
    errors = {}
    if not reference:
        errors["reference"] = "Enter the invoice reference"
    elif Invoice.objects.filter(provider__iexact=placement.provider, reference__iexact=reference).exists():
        errors["reference"] = (
            f"Invoice {reference} from {placement.provider} is already recorded. Check the number on the invoice"
        )
    if amount is None or amount <= 0:
        errors["amount"] = "Enter the amount of the invoice"
    if received_on is None:
        errors["received_on"] = "Enter the date the invoice was received"
    if errors:
        raise AccommodationIncomplete(errors)
    invoiced = invoiced_total(placement) + amount
    excess = invoiced - placement.committed
    if excess > 0:
        if not reason:
            raise AccommodationIncomplete(
                {
                    "over_approved_reason": f"This brings the placement's invoices to {_money(invoiced)}, more than "
                    f"the {_money(placement.committed)} approved. Record why, or check the amount"
                }
            )
        _check_fund(fund, excess, None)
    invoice = Invoice(
        placement=placement,
        provider=placement.provider,
        reference=reference,
        amount=amount,
        received_on=received_on,
        over_approved_reason=reason if excess > 0 else "",
        recorded_by=user,
    )
    invoice.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:  # recorded at the same moment against another phase's placement
        raise AccommodationIncomplete(
            {"reference": f"Invoice {reference} from {placement.provider} is already recorded"}
        ) from None
    if excess > 0:
        placement.committed = invoiced
        placement.save(update_fields=["committed"])
        case_event_record(
            placement.request.case,
            user,
            "invoice_over_approved",
            f"Invoice {reference} takes the placement {_money(excess)} over what was approved; "
            f"commitment now {_money(invoiced)}",
        )
    if final:
        placement_settle(placement=placement, user=user)
    return invoice


@transaction.atomic
def invoice_pay(*, invoice, user, paid_on):
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.paid_on:
        raise AccommodationError("This invoice is already paid.")
    if paid_on is None or paid_on > timezone.localdate():
        raise AccommodationIncomplete({"paid_on": "Enter the date it was paid: today or earlier"})
    if paid_on < invoice.received_on:
        raise AccommodationIncomplete(
            {"paid_on": f"It was received on {invoice.received_on:%-d %B %Y}: it cannot be paid before that"}
        )
    invoice.paid_on = paid_on
    invoice.save(update_fields=["paid_on"])
    return invoice


# --- return home and move-on --------------------------------------------------------------


@transaction.atomic
def return_home_review_record(
    *,
    placement,
    user,
    reviewed_on,
    risks_to_children,
    risks_to_adults,
    support_package,
    return_is_safe,
    protective_steps="",
    victims_view="",
):
    errors = {}
    for field, value, message in (
        ("risks_to_children", risks_to_children, "Record the risks to the children"),
        ("risks_to_adults", risks_to_adults, "Record the risks to adults"),
        ("support_package", support_package, "Record the support package agreed"),
    ):
        if not value.strip():
            errors[field] = message
    if not return_is_safe and not protective_steps.strip():
        errors["protective_steps"] = "Return is unsafe: record the agreed steps to protect the family"
    if errors:
        raise AccommodationIncomplete(errors)
    review = ReturnHomeReview.objects.create(
        placement=placement,
        reviewed_on=reviewed_on,
        risks_to_children=risks_to_children,
        risks_to_adults=risks_to_adults,
        support_package=support_package,
        return_is_safe=return_is_safe,
        protective_steps=protective_steps,
        victims_view=victims_view,
        recorded_by=user,
    )
    case_event_record(
        placement.request.case,
        user,
        "return_home_review",
        "Return-home review: " + ("return assessed as safe" if return_is_safe else "return assessed as unsafe"),
    )
    return review


@transaction.atomic
def placement_end(*, placement, user, ended_on, move_on, details=""):
    """End a current placement with the client's move-on. Ended before the planned end, its
    commitment falls to the nights used (never below what is already invoiced) and the rest
    returns to the fund."""
    _lock_fund(placement.fund_id)  # releases change the fund: same lock order
    placement = Placement.objects.select_for_update(of=("self",)).select_related("request__case").get(pk=placement.pk)
    if placement.status != Placement.Status.APPROVED or placement.is_move_on_payment:
        raise AccommodationError("Only a current placement can be ended.")
    if ended_on is None:
        raise AccommodationIncomplete({"ended_on": "Enter the date the client left"})
    if move_on not in Placement.MoveOn.values:
        raise AccommodationIncomplete({"move_on": "Select where the client moved on to"})
    if (
        move_on == Placement.MoveOn.RETURNED_HOME
        and not placement.return_home_reviews.filter(return_is_safe=True).exists()
    ):
        raise AccommodationIncomplete({"move_on": "A return home needs a return-home review that found it safe"})
    if move_on == Placement.MoveOn.OTHER and not details.strip():
        raise AccommodationIncomplete({"details": "Say where the client moved on to"})
    placement.status, placement.ended_on, placement.move_on, placement.move_on_details = (
        Placement.Status.ENDED,
        ended_on,
        move_on,
        details.strip(),
    )
    released = Decimal("0")
    # Ended before it began (the client never moved in): no night was used.
    last_night = max(ended_on, placement.start_on)
    if placement.nightly_rate is not None and last_night < placement.planned_end_on:
        used = max(placement.cost_for(placement.start_on, last_night), invoiced_total(placement))
        released = max(placement.committed - used, Decimal("0"))
    placement.committed -= released
    placement.released += released
    placement.save()
    request = placement.request
    request.status = AccommodationRequest.Status.ENDED
    request.save(update_fields=["status"])
    notification_cancel(subject=placement, kind="accommodation.ending")
    case_event_record(
        request.case,
        user,
        "placement_ended",
        f"Accommodation ended: {placement.get_move_on_display().lower()}",
    )
    if released:
        early = (placement.planned_end_on - last_night).days
        case_event_record(
            request.case,
            user,
            "placement_commitment_released",
            f"Placement ended {early} night{'s' if early != 1 else ''} early: commitment reduced to "
            f"{_money(placement.committed)} and {_money(released)} returned to the accommodation fund",
        )
    return placement


@transaction.atomic
def placement_settle(*, placement, user):
    """Finance has the provider's final invoice for an ended placement: the commitment becomes
    what was invoiced and anything left returns to the fund."""
    _lock_fund(placement.fund_id)
    placement = Placement.objects.select_for_update(of=("self",)).select_related("request__case").get(pk=placement.pk)
    if placement.status != Placement.Status.ENDED:
        raise AccommodationError("A placement is settled on its final invoice once it has ended.")
    invoiced = invoiced_total(placement)
    released = max(placement.committed - invoiced, Decimal("0"))
    if released:
        placement.committed -= released
        placement.released += released
        placement.save(update_fields=["committed", "released"])
        case_event_record(
            placement.request.case,
            user,
            "placement_commitment_released",
            f"Final invoice recorded: commitment reduced to {_money(placement.committed)} and "
            f"{_money(released)} returned to the accommodation fund",
        )
    return placement


@transaction.atomic
def accommodation_found_elsewhere_record(*, case, user, route, found_on, details=""):
    """The client found accommodation without the programme: their own private rental, family
    or friends, or another way (described), from a date."""
    case = case_lock(case)
    errors = {}
    if route not in AccommodationFoundElsewhere.Route.values:
        errors["route"] = "Select how the client found accommodation"
    if found_on is None:
        errors["found_on"] = "Enter the date the client moved in"
    elif found_on > timezone.localdate():
        errors["found_on"] = "The date the client moved in must be today or in the past"
    if route == AccommodationFoundElsewhere.Route.OTHER and not (details or "").strip():
        errors["details"] = "Say how the client found accommodation"
    if errors:
        raise AccommodationIncomplete(errors)
    found = AccommodationFoundElsewhere.objects.create(
        case=case, route=route, found_on=found_on, details=(details or "").strip(), recorded_by=user
    )
    case_event_record(
        case,
        user,
        "accommodation_found_elsewhere",
        f"Client found accommodation another way: {found.get_route_display().lower()}, from {found_on:%-d %B %Y}",
    )
    return found


def current_placement(case) -> Placement | None:
    """The stay the client is in now (a move-on payment is not a stay)."""
    return (
        Placement.objects.filter(request__case=case, status=Placement.Status.APPROVED)
        .exclude(kind__in=MOVE_ON_PAYMENT_KINDS)
        .first()
    )


def days_left(placement, today: date | None = None) -> int:
    return (placement.planned_end_on - (today or timezone.localdate())).days
