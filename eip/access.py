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
from functools import lru_cache, wraps

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.http import Http404
from guardian.ctypes import get_content_type
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm
from guardian.utils import get_user_obj_perms_model

from eip.people.models import Role

R = Role
ALL_ROLES = frozenset(Role)

# action -> the roles that may perform it. The core's own actions are here; each pathway app
# declares its actions in its rules.py, registered from its AppConfig.ready().
ROLE_RULES: dict[str, frozenset[Role]] = {
    "home.view": ALL_ROLES,
    "notification.view": ALL_ROLES,
    "borough.view": ALL_ROLES,
    "audit.view": frozenset({R.SUPERVISOR, R.ADMINISTRATOR}),
    # Removing someone's second factor (a lost phone): an administrator, from the admin site.
    "people.two_factor_reset": frozenset({R.ADMINISTRATOR}),
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
    """The records of `queryset` this person holds an object grant `perm` on."""
    model = queryset.model
    grants = get_user_obj_perms_model(model)
    if (perm, model) not in _ASKED or not getattr(user, "is_authenticated", False) or grants.objects.is_generic():
        answer = _granted_by_guardian(user, perm, queryset)
        _ASKED.add((perm, model))  # guardian found the permission of this model (it raises otherwise)
        return answer
    # What get_objects_for_user() answers, built directly: its query also narrowed the grants to
    # the rows of `queryset` (which the outer filter does anyway) and cast each id, and building
    # it cost more than running it, on every list or record a social worker opens. The grants'
    # statement is written once per grant table; only the person and the permission vary.
    content_type = get_content_type(model)
    grants_sql = _grants_sql(grants, connection.vendor)
    # Our own statement from the models' table and column names; the values are parameters.
    return queryset.filter(
        pk__in=RawSQL(grants_sql, (content_type.pk, perm.rpartition(".")[2], user.pk))  # noqa: S611  # nosec B611
    )


@lru_cache(maxsize=16)
def _grants_sql(grants: type[models.Model], vendor: str) -> str:
    """The ids a person holds one object grant on, from a model's own grant table: what
    grants.objects.filter(user=…, permission__content_type=…, permission__codename=…)
    .values("content_object_id") asks, without building that query on every request."""
    quote = connection.ops.quote_name
    permission = grants._meta.get_field("permission").remote_field.model._meta
    names = {name: quote(grants._meta.get_field(name).column) for name in ("content_object", "permission", "user")}
    names.update(
        grants=quote(grants._meta.db_table),
        permissions=quote(permission.db_table),
        id=quote(permission.pk.column),
        content_type=quote(permission.get_field("content_type").column),
        codename=quote(permission.get_field("codename").column),
    )
    # Names from the models' own metadata, quoted; no text from a request.
    return _GRANTS_SQL.format(**names)  # noqa: S608  # nosec B608


_GRANTS_SQL = (
    "SELECT G.{content_object} FROM {grants} G INNER JOIN {permissions} P ON (G.{permission} = P.{id})"
    " WHERE P.{content_type} = %s AND P.{codename} = %s AND G.{user} = %s"
)


# (permission, model) pairs guardian has already checked: one permission of that very model.
_ASKED: set[tuple[str, type[models.Model]]] = set()


def _granted_by_guardian(user, perm: str, queryset: models.QuerySet) -> models.QuerySet:
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
