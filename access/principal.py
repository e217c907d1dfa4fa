"""A user's effective permissions and scope, computed once per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.roles import AREA_SCOPED_ROLES, MFA_PERMISSIONS, ROLE_PERMISSIONS, Permission, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import RoleAssignment, User

_CACHE_ATTRIBUTE = "_kinga_principal"
_ORGANISATION_ATTRIBUTE = "_kinga_primary_organisation"


@dataclass(frozen=True)
class Principal:
    """What one user may do right now.

    `area_paths` is None when the user's roles are not limited to areas, otherwise the
    materialised paths of the areas they cover (empty: they cover nothing).
    """

    user_id: int | None
    roles: frozenset[Role] = frozenset()
    permissions: frozenset[Permission] = frozenset()
    organisation_ids: frozenset[int] = frozenset()
    primary_organisation_id: int | None = None
    area_paths: tuple[str, ...] | None = ()
    scoped_area_ids: frozenset[int] = field(default_factory=frozenset)

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def requires_mfa(self) -> bool:
        return bool(self.permissions & MFA_PERMISSIONS)

    def area_filter(self, path_field: str) -> Q:
        """A filter on `path_field` (an Area path) keeping rows inside the user's areas."""
        if self.area_paths is None:
            return Q()
        if not self.area_paths:
            return Q(pk__in=[])
        condition = Q()
        for path in self.area_paths:
            condition |= Q(**{f"{path_field}__startswith": path})
        return condition


ANONYMOUS = Principal(user_id=None)


def principal_for(user: User | AnonymousUser | Any) -> Principal:
    """The principal of `user`, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached: Principal | None = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    principal = _compute(cast("User", user))
    setattr(user, _CACHE_ATTRIBUTE, principal)
    return principal


def primary_organisation_id(user: User | AnonymousUser | Any) -> int | None:
    """The organisation of the user's first current role, as `principal_for(user)` has it.

    Audit rows need only this, so a request that has not computed the whole principal (a phone
    sending a form) pays at most a one-column read, not roles and every area of every role.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached: Principal | None = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached.primary_organisation_id
    if not hasattr(user, _ORGANISATION_ATTRIBUTE):
        first = _current_assignments(cast("User", user)).values_list("organisation_id").first()
        remember_primary_organisation(user, first[0] if first else None)
    organisation_id: int | None = getattr(user, _ORGANISATION_ATTRIBUTE)
    return organisation_id


def primary_organisation_subquery(user_field: str) -> Subquery:
    """`primary_organisation_id` of the user in `user_field`, for a query that loads the user.

    Pair it with `remember_primary_organisation` so that later audit rows need no query.
    """
    return Subquery(_current_assignments(OuterRef(user_field)).values("organisation_id")[:1])


def remember_primary_organisation(user: Any, organisation_id: int | None) -> None:
    setattr(user, _ORGANISATION_ATTRIBUTE, organisation_id)


def forget_principal(user: Any) -> None:
    """Drop the cached principal, after a role change within the same request."""
    for attribute in (_CACHE_ATTRIBUTE, _ORGANISATION_ATTRIBUTE):
        if hasattr(user, attribute):
            delattr(user, attribute)


def _current_assignments(user: User | OuterRef) -> QuerySet[RoleAssignment]:
    """The user's role assignments in force today, oldest first (the first is the primary)."""
    from accounts.models import RoleAssignment

    today = timezone.localdate()
    return (
        RoleAssignment.objects.filter(
            Q(user=user), starts_on__lte=today, organisation__is_active=True
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("created_at", "id")
    )


def _compute(user: User) -> Principal:
    assignments = list(_current_assignments(user).prefetch_related("areas"))
    roles: set[Role] = set()
    permissions: set[Permission] = set()
    organisation_ids: list[int] = []
    unrestricted = False
    area_paths: set[str] = set()
    area_ids: set[int] = set()
    for assignment in assignments:
        role = Role(assignment.role)
        roles.add(role)
        permissions |= ROLE_PERMISSIONS[role]
        organisation_ids.append(assignment.organisation_id)
        areas = list(assignment.areas.all())
        if areas:
            area_paths.update(area.path for area in areas)
            area_ids.update(area.id for area in areas)
        elif role not in AREA_SCOPED_ROLES:
            unrestricted = True
    return Principal(
        user_id=user.pk,
        roles=frozenset(roles),
        permissions=frozenset(permissions),
        organisation_ids=frozenset(organisation_ids),
        primary_organisation_id=organisation_ids[0] if organisation_ids else None,
        area_paths=None if unrestricted else tuple(sorted(area_paths)),
        scoped_area_ids=frozenset(area_ids),
    )
