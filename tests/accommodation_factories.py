from datetime import date
from decimal import Decimal

from accommodation import services
from cases import services as case_services
from cases.models import Case
from tests.referral_factories import make_case


def case_ready_for_accommodation(worker, practitioner):
    case = make_case(worker, practitioner)
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=date(2026, 1, 12))
    case.refresh_from_db()
    for party in ("client", "partner"):
        case_services.consent_record(
            case=case,
            user=practitioner,
            party=party,
            given_on=date(2026, 1, 12),
            method="written",
            obtained_by="Social worker",
            sharing="Practitioner, housing",
        )
    return case


def request_for(case, practitioner, **extra):
    args = dict(
        needed_from=date(2026, 2, 1),
        reason="Arguments escalating at home",
        risks_and_mitigation="Client may return; agreed no-contact",
        scenario_planning="If they separate, private rented room via housing options",
        housing_options_explained=True,
        preferred_area="Kentish Town",
        exclusion_areas="Within a mile of NW1 0AA and the children's school",
    )
    args.update(extra)
    return services.accommodation_request(case=case, user=practitioner, **args)


def propose(request, housing, *, nightly_rate=Decimal("60.00"), nights=28, fixed_amount=None, **extra):
    start = date(2026, 2, 1)
    args = dict(
        provider="Camden Travel Inn",
        kind="hotel_bnb",
        address="10 Hotel Street, London N1 1AA",
        nightly_rate=nightly_rate if fixed_amount is None else None,
        fixed_amount=fixed_amount,
        start_on=start,
        planned_end_on=date.fromordinal(start.toordinal() + nights),
        distance_miles=Decimal("2.5"),
        out_of_borough=False,
    )
    args.update(extra)
    return services.placement_propose(request=request, user=housing, **args)
