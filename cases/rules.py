"""Who may do what with a case and its emergency access:
registered with the one permission policy (eip.access) from CasesConfig.ready()."""

from eip.access import has_grant, object_rule, role_rule
from eip.people.cover import covers
from eip.people.models import Role

R = Role

ROLES = {
    "case.list": {R.SOCIAL_WORKER, R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR},
    "case.view": {R.SOCIAL_WORKER, R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR},
    # Safety planning, partner consent details and partner support.
    "case.view_partner": {R.SOCIAL_WORKER, R.PRACTITIONER, R.SUPERVISOR},
    # Recording the work: practitioners. Supervisors read and do not edit.
    "case.work": {R.PRACTITIONER},
    # Reopening a closed case: the practitioner who held it (or covers them).
    "case.reopen": {R.PRACTITIONER},
    # Moving cases between practitioners: supervisors allocate the work.
    "case.reassign": {R.SUPERVISOR},
    # Marking a practitioner away with a named cover: themselves or a supervisor.
    "absence.view": {R.PRACTITIONER, R.SUPERVISOR},
    "absence.set": {R.PRACTITIONER, R.SUPERVISOR},
    # The social worker explains the service and obtains consent, so may record it.
    "case.consent": {R.SOCIAL_WORKER, R.PRACTITIONER},
    # Break the glass: a social worker may ask for emergency access to a case in their own borough
    # they cannot normally see, with a reason; supervisors are alerted, approve it beyond a limit
    # and review every grant. (A borough SPOC already sees every case in their borough, and
    # emergency access never opens partner details, so it would give them nothing.)
    "case.break_glass": {R.SOCIAL_WORKER},
    "emergency_access.review": {R.SUPERVISOR},
    "emergency_access.approve": {R.SUPERVISOR},
}


def case_rights(user, case) -> bool:
    """A user's own rights to a case, without emergency access. Public: the apps that hang
    records on a case (assessments, accommodation, subject access) grant on the same terms."""
    if user.role == R.SUPERVISOR:
        return True
    if user.role == R.PRACTITIONER:
        return holds_case(user, case)
    if user.role == R.BOROUGH_SPOC and case.borough_id == user.borough_id:
        return True
    return user.role == R.SOCIAL_WORKER and has_grant(user, "cases.view_case", case)


def _emergency_access(user, case) -> bool:
    from .models import EmergencyAccess

    return EmergencyAccess.objects.open_to(user).filter(case=case).exists()


def case_rule(user, case) -> bool:
    return case_rights(user, case) or _emergency_access(user, case)


# Emergency access opens the case record (case.view) and nothing else: never partner or
# children's details, consent, assessments (the DASH is about the partner) or accommodation
# (exclusion areas and return-home reviews say where the family lives). The rules below ask
# for the user's own rights.
def case_partner_rule(user, case) -> bool:
    return user.role != R.BOROUGH_SPOC and case_rights(user, case)


def holds_case(user, case) -> bool:
    """The practitioner holds the case, or covers the colleague away who holds it. Cover has
    full rights, not a read-only view: the reminders they receive need the work done (a meeting
    recorded, a consent taken). A case reassigned away is no longer theirs."""
    return case.practitioner_id == user.pk or covers(user=user, practitioner_id=case.practitioner_id)


def case_work_rule(user, case) -> bool:
    return holds_case(user, case)


def case_reopen_rule(user, case) -> bool:
    return not case.is_open and holds_case(user, case)


def case_consent_rule(user, case) -> bool:
    return case.is_open and case_rights(user, case)


def absence_set_rule(user, practitioner) -> bool:
    """A practitioner marks themselves away; a supervisor marks any practitioner."""
    if practitioner.role != R.PRACTITIONER:
        return False
    return user.role == R.SUPERVISOR or practitioner.pk == user.pk


def emergency_access_review_rule(user, emergency_access) -> bool:
    return True  # any supervisor; every grant is reviewed


def register() -> None:
    for action, roles in ROLES.items():
        role_rule(action, roles)
    object_rule("case.view")(case_rule)
    object_rule("case.view_partner")(case_partner_rule)
    object_rule("case.work")(case_work_rule)
    object_rule("case.consent")(case_consent_rule)
    object_rule("case.reopen")(case_reopen_rule)
    object_rule("case.reassign")(lambda user, case: True)  # any supervisor, any case
    object_rule("absence.set")(absence_set_rule)
    object_rule("emergency_access.review")(emergency_access_review_rule)
    object_rule("emergency_access.approve")(emergency_access_review_rule)
