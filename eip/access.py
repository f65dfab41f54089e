"""The one permission policy. Every view, download and export asks it; nothing else
decides who may see what.

Two layers:
- role rules: which roles may ever perform an action (ROLE_RULES);
- object rules: for an action on one record, whether this user may act on *that* record
  (OBJECT_RULES) — by borough, by assignment, or by a django-guardian object grant (a social
  worker is granted the referrals they made and the cases that came from them).

Denials: a role that may never perform the action gets 403; a record the user may not see
is reported as missing (404), so its existence is not revealed.
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from eip.people.models import Role

R = Role
ALL_ROLES = frozenset(Role)

# action -> the roles that may perform it.
ROLE_RULES: dict[str, frozenset[Role]] = {
    "home.view": ALL_ROLES,
    "notification.view": ALL_ROLES,
    "borough.view": ALL_ROLES,
    "audit.view": frozenset({R.SUPERVISOR, R.ADMINISTRATOR}),
    # Removing someone's second factor (a lost phone): an administrator, from the admin site.
    "people.two_factor_reset": frozenset({R.ADMINISTRATOR}),
    # Referrals
    "referral.create": frozenset({R.SOCIAL_WORKER}),
    "referral.list": frozenset({R.SOCIAL_WORKER, R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR}),
    "referral.view": frozenset({R.SOCIAL_WORKER, R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR}),
    "referral.edit": frozenset({R.SOCIAL_WORKER}),
    # Partner/victim and children's details: practitioners, supervisors, and the social
    # worker who referred (they wrote them).
    "referral.view_partner": frozenset({R.SOCIAL_WORKER, R.PRACTITIONER, R.SUPERVISOR}),
    "referral.triage": frozenset({R.PRACTITIONER}),
    # A change to a safe address needs a second person: a practitioner or supervisor.
    "referral.confirm_address": frozenset({R.PRACTITIONER, R.SUPERVISOR}),
    # Cases
    "case.list": frozenset({R.SOCIAL_WORKER, R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR}),
    "case.view": frozenset({R.SOCIAL_WORKER, R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR}),
    # Safety planning, partner consent details and partner support.
    "case.view_partner": frozenset({R.SOCIAL_WORKER, R.PRACTITIONER, R.SUPERVISOR}),
    # Recording the work: practitioners. Supervisors read and do not edit.
    "case.work": frozenset({R.PRACTITIONER}),
    # The social worker explains the service and obtains consent, so may record it.
    "case.consent": frozenset({R.SOCIAL_WORKER, R.PRACTITIONER}),
    # Break the glass: a social worker may ask for emergency access to a case in their own borough
    # they cannot normally see, with a reason; supervisors are alerted, approve it beyond a limit
    # and review every grant. (A borough SPOC already sees every case in their borough, and
    # emergency access never opens partner details, so it would give them nothing.)
    "case.break_glass": frozenset({R.SOCIAL_WORKER}),
    "emergency_access.review": frozenset({R.SUPERVISOR}),
    "emergency_access.approve": frozenset({R.SUPERVISOR}),
    # Assessments: clinical detail, never for borough SPOCs, housing or finance.
    "assessment.view": frozenset({R.SOCIAL_WORKER, R.PRACTITIONER, R.SUPERVISOR}),
    "assessment.record": frozenset({R.PRACTITIONER}),
    # The DASH is usually completed by the social worker with the partner.
    "assessment.record_dash": frozenset({R.SOCIAL_WORKER, R.PRACTITIONER}),
    # Accommodation. Housing sees what a booking needs; finance sees placements and money.
    "accommodation.view": frozenset({R.SOCIAL_WORKER, R.PRACTITIONER, R.SUPERVISOR}),
    "accommodation.request": frozenset({R.PRACTITIONER}),
    "housing.view": frozenset({R.HOUSING_SPOC}),
    "finance.view": frozenset({R.FINANCE}),
    "finance.decide": frozenset({R.FINANCE}),
    "fund.view": frozenset({R.FINANCE, R.PROGRAMME_MANAGER, R.SUPERVISOR}),
    "agreement.download": frozenset({R.PRACTITIONER, R.SUPERVISOR, R.HOUSING_SPOC}),
    # Subject access requests: a practitioner prepares the client's export (third-party data
    # withheld), a supervisor who did not prepare it reviews it, then it is released. The
    # supervisor reads it before approving; the practitioner downloads it only once approved.
    "sar.view": frozenset({R.PRACTITIONER, R.SUPERVISOR}),
    "sar.prepare": frozenset({R.PRACTITIONER}),
    "sar.review": frozenset({R.SUPERVISOR}),
    "sar.release": frozenset({R.PRACTITIONER, R.SUPERVISOR}),
    "sar.download": frozenset({R.PRACTITIONER, R.SUPERVISOR}),
    # Monitoring: aggregates only. The evaluator gets the anonymised export and nothing else.
    "report.view": frozenset({R.PROGRAMME_MANAGER, R.SUPERVISOR}),
    "evaluation.export": frozenset({R.EVALUATOR}),
    # The partner's own account of their safety: the social worker asks and records it; the
    # supervisor oversees. Not the practitioner, who works with the person causing harm.
    "partner_outcome.view": frozenset({R.SOCIAL_WORKER, R.SUPERVISOR}),
    "partner_outcome.record": frozenset({R.SOCIAL_WORKER}),
}

# action -> a predicate (user, record) -> bool, for actions on one record.
OBJECT_RULES: dict[str, Callable[[object, models.Model], bool]] = {}


def role_rule(action: str, roles) -> None:
    """Declare which roles may perform an action. Apps call this from AppConfig.ready()."""
    ROLE_RULES[action] = frozenset(roles)


def object_rule(action: str):
    """Declare the record-level rule for an action (decorator)."""

    def register(predicate):
        OBJECT_RULES[action] = predicate
        return predicate

    return register


# --- record rules ------------------------------------------------------------------------


def _referral_rule(user, referral) -> bool:
    if user.role in (R.PRACTITIONER, R.SUPERVISOR):
        return referral.status != "draft"
    if user.role == R.BOROUGH_SPOC:
        return referral.borough_id == user.borough_id and referral.status != "draft"
    if user.role == R.SOCIAL_WORKER:
        return has_grant(user, "referrals.view_referral", referral)
    return False


OBJECT_RULES["referral.view"] = _referral_rule


@object_rule("referral.view_partner")
def _referral_partner_rule(user, referral) -> bool:
    if user.role == R.BOROUGH_SPOC:
        return False
    return _referral_rule(user, referral)


@object_rule("referral.edit")
def _referral_edit_rule(user, referral) -> bool:
    return referral.status in ("draft", "more_info") and has_grant(user, "referrals.change_referral", referral)


OBJECT_RULES["referral.confirm_address"] = _referral_rule


@object_rule("referral.triage")
def _referral_triage_rule(user, referral) -> bool:
    return referral.status != "draft"


def _case_rights(user, case) -> bool:
    """A user's own rights to a case, without emergency access."""
    if user.role in (R.PRACTITIONER, R.SUPERVISOR):
        return True
    if user.role == R.BOROUGH_SPOC and case.borough_id == user.borough_id:
        return True
    return user.role == R.SOCIAL_WORKER and has_grant(user, "cases.view_case", case)


@object_rule("case.view")
def _case_rule(user, case) -> bool:
    return _case_rights(user, case) or _emergency_access(user, case)


def _emergency_access(user, case) -> bool:
    from cases.models import EmergencyAccess

    return EmergencyAccess.objects.open_to(user).filter(case=case).exists()


# Emergency access opens the case record (case.view) and nothing else: never partner or
# children's details, consent, assessments (the DASH is about the partner) or accommodation
# (exclusion areas and return-home reviews say where the family lives). The rules below ask
# for the user's own rights.
@object_rule("case.view_partner")
def _case_partner_rule(user, case) -> bool:
    return user.role != R.BOROUGH_SPOC and _case_rights(user, case)


@object_rule("partner_outcome.view")
@object_rule("partner_outcome.record")
def _partner_outcome_rule(user, case) -> bool:
    return _case_partner_rule(user, case)


@object_rule("case.work")
def _case_work_rule(user, case) -> bool:
    return True  # any practitioner of the small pan-London team may cover a colleague's case


@object_rule("case.consent")
def _case_consent_rule(user, case) -> bool:
    return case.is_open and _case_rights(user, case)


OBJECT_RULES["assessment.view"] = _case_rights


@object_rule("assessment.record")
def _assessment_record_rule(user, case) -> bool:
    return case.is_open


@object_rule("assessment.record_dash")
def _assessment_dash_rule(user, case) -> bool:
    return case.is_open and _case_rights(user, case)


OBJECT_RULES["accommodation.view"] = _case_rights


@object_rule("accommodation.request")
def _accommodation_request_rule(user, case) -> bool:
    return case.is_open


@object_rule("housing.view")
def _housing_rule(user, request) -> bool:
    return request.borough_id == user.borough_id


@object_rule("finance.view")
def _finance_rule(user, placement) -> bool:
    return True  # Camden finance pays for every borough


OBJECT_RULES["finance.decide"] = _finance_rule


@object_rule("agreement.download")
def _agreement_rule(user, placement) -> bool:
    if user.role == R.HOUSING_SPOC:
        return placement.request.borough_id == user.borough_id
    return True


OBJECT_RULES["sar.view"] = _case_rights
OBJECT_RULES["sar.prepare"] = _case_work_rule  # the same team-wide rule as recording the work


@object_rule("sar.review")
def _sar_review_rule(user, sar) -> bool:
    return True  # any supervisor; the service refuses the one who prepared it


@object_rule("sar.release")
def _sar_release_rule(user, sar) -> bool:
    return True  # the service refuses anything not approved by a second person


@object_rule("sar.download")
def _sar_download_rule(user, sar) -> bool:
    if user.role == R.SUPERVISOR:
        return True  # reads it before approving
    return sar.status in ("approved", "released")


@object_rule("emergency_access.review")
def _emergency_access_review_rule(user, emergency_access) -> bool:
    return True  # any supervisor; every grant is reviewed


OBJECT_RULES["emergency_access.approve"] = _emergency_access_review_rule


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role)


def allowed(user, action: str, record: models.Model | None = None) -> bool:
    if action not in ROLE_RULES:
        raise KeyError(f"No permission rule for {action!r}")  # a programming error
    if not _active(user) or user.role not in ROLE_RULES[action]:
        return False
    if record is None:
        return True
    rule = OBJECT_RULES.get(action)
    if rule is None:
        raise KeyError(f"No record-level rule for {action!r}")
    return bool(rule(user, record))


def require(user, action: str, record: models.Model | None = None) -> None:
    if not _active(user) or user.role not in ROLE_RULES.get(action, ()):
        raise PermissionDenied
    if record is not None and not allowed(user, action, record):
        raise Http404


def get_for_user(user, action: str, queryset: models.QuerySet, **lookup):
    """The access gate for one record: fetch it and check the record-level rule, or 404."""
    require(user, action)
    try:
        record = queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    require(user, action, record)
    return record


# --- object grants (django-guardian) -----------------------------------------------------


def grant(user, perm: str, record: models.Model) -> None:
    assign_perm(perm, user, record)
    user.__dict__.pop("_eip_grants", None)


def revoke(user, perm: str, record: models.Model) -> None:
    remove_perm(perm, user, record)
    user.__dict__.pop("_eip_grants", None)


def has_grant(user, perm: str, record: models.Model) -> bool:
    # Not user.has_perm(): it would also say yes to a model-wide permission or to a
    # superuser, which must never widen access to a case. Remembered on the user object,
    # which lives for one request: a case page asks about each of its sections.
    answers = user.__dict__.setdefault("_eip_grants", {})
    key = (perm, record._meta.label, record.pk)
    if key not in answers:
        answers[key] = granted(user, perm, type(record)._default_manager.filter(pk=record.pk)).exists()
    return answers[key]


def granted(user, perm: str, queryset: models.QuerySet) -> models.QuerySet:
    # accept_global_perms=False: a model-wide grant must not return every record.
    # use_groups=False: EIP grants people, never groups.
    return get_objects_for_user(
        user, perm, klass=queryset, accept_global_perms=False, with_superuser=False, use_groups=False
    )


# --- views -------------------------------------------------------------------------------


def policy(action: str):
    """Decorate a function view: only roles allowed `action` get in (others get 403,
    anonymous users the sign-in page). Record-level checks happen in the view through
    get_for_user(). The URL x role test refuses any view without this mark."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            require(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.policy_action = action
        return wrapped

    return decorate


def public(view):
    """Mark a view that needs no sign-in (sign-in, password reset)."""
    view.policy_action = None
    return view
