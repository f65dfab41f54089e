"""Who may do what with temporary accommodation and the fund: registered with the one
permission policy (eip.access) from AccommodationConfig.ready()."""

from cases.rules import case_rights
from eip.access import object_rule, role_rule
from eip.people.models import Role

R = Role

ROLES = {
    # Housing sees what a booking needs; finance sees placements and money.
    "accommodation.view": {R.SOCIAL_WORKER, R.PRACTITIONER, R.SUPERVISOR},
    "accommodation.request": {R.PRACTITIONER},
    "housing.view": {R.HOUSING_SPOC},
    "finance.view": {R.FINANCE},
    "finance.decide": {R.FINANCE},
    "fund.view": {R.FINANCE, R.PROGRAMME_MANAGER, R.SUPERVISOR},
    "agreement.download": {R.PRACTITIONER, R.SUPERVISOR, R.HOUSING_SPOC},
}


def accommodation_request_rule(user, case) -> bool:
    return case.is_open


def housing_rule(user, request) -> bool:
    return request.borough_id == user.borough_id


def finance_rule(user, placement) -> bool:
    return True  # Camden finance pays for every borough


def agreement_rule(user, placement) -> bool:
    if user.role == R.HOUSING_SPOC:
        return placement.request.borough_id == user.borough_id
    return True


def register() -> None:
    for action, roles in ROLES.items():
        role_rule(action, roles)
    object_rule("accommodation.view")(case_rights)
    object_rule("accommodation.request")(accommodation_request_rule)
    object_rule("housing.view")(housing_rule)
    object_rule("finance.view")(finance_rule)
    object_rule("finance.decide")(finance_rule)
    object_rule("agreement.download")(agreement_rule)
