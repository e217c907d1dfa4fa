"""Reads of users, organisations, role assignments and API tokens for pages and commands.

Everything about other people starts from access.accounts (`users_visible_to`,
`organisations_visible_to`): only the Hub's administrators see the whole directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.accounts import get_user_for_admin, organisations_visible_to, users_visible_to
from access.geo import areas_visible_to
from accounts.models import ApiToken, Organisation, RoleAssignment, User
from accounts.services.mfa import recovery_codes_left
from core.pagination import DEFAULT_PAGE_SIZE, Page, keyset_page
from geo.models import Area, AreaLevel

USER_ORDER = ("username", "id")
ORGANISATION_ORDER = ("name", "id")
# A parent area with more villages than this is too broad to tick through; pick a lower one.
AREA_CHOICES_LIMIT = 300
# Nobody needs more personal tokens than this; the page lists them all up to here.
TOKEN_LIST_LIMIT = 100


def _current(today: Any = None) -> Q:
    day = today or timezone.localdate()
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


# Users ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    role: str = ""
    organisation: Organisation | None = None
    active: bool | None = None

    @property
    def any(self) -> bool:
        return bool(self.q or self.role or self.organisation or self.active is not None)


def user_page(
    actor: Any, filters: UserFilters, *, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE
) -> Page[User]:
    """One keyset page of users, each with `current_assignments` (and their organisation).

    Two queries whatever the page size: the users, then their current assignments.
    """
    users = users_visible_to(actor)
    q = filters.q.strip()
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(full_name__icontains=q) | Q(email__icontains=q)
        )
    if filters.role or filters.organisation is not None:
        # Role and organisation must match on the same current assignment.
        matching = RoleAssignment.objects.filter(_current(), user=OuterRef("pk"))
        if filters.role:
            matching = matching.filter(role=filters.role)
        if filters.organisation is not None:
            matching = matching.filter(organisation=filters.organisation)
        users = users.filter(Exists(matching))
    if filters.active is not None:
        users = users.filter(is_active=filters.active)
    users = users.prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.filter(_current())
            .select_related("organisation")
            .order_by("role", "id"),
            to_attr="current_assignments",
        )
    )
    return keyset_page(users, order=USER_ORDER, cursor=cursor, size=size)


def role_assignments_of(user: User) -> tuple[list[RoleAssignment], list[RoleAssignment]]:
    """(current or upcoming, ended) assignments of `user`, with organisation and areas."""
    today = timezone.localdate()
    assignments = list(
        RoleAssignment.objects.filter(user=user)
        .select_related("organisation")
        .prefetch_related(Prefetch("areas", queryset=Area.objects.order_by("name", "id")))
        .order_by("-starts_on", "-id")
    )
    ended = [a for a in assignments if a.ends_on is not None and a.ends_on < today]
    current = [a for a in assignments if a not in ended]
    return current, ended


def get_assignment_for_admin(
    actor: Any, user_id: int | str, assignment_id: int | str
) -> RoleAssignment:
    """A role assignment of a user the actor manages, or 404."""
    user = get_user_for_admin(actor, user_id)
    try:
        return RoleAssignment.objects.select_related("user", "organisation").get(
            pk=int(assignment_id), user=user
        )
    except (RoleAssignment.DoesNotExist, ValueError):
        raise Http404("No such role assignment") from None


@dataclass(frozen=True)
class SecurityStatus:
    has_authenticator: bool
    recovery_codes_left: int
    failed_sign_ins: int
    locked_out: bool


def security_status(user: User) -> SecurityStatus:
    """Second factor and sign-in lockout of `user`, as the administrator needs to see them."""
    failures = recent_sign_in_failures(user.get_username())
    return SecurityStatus(
        has_authenticator=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        recovery_codes_left=recovery_codes_left(user=user),
        failed_sign_ins=failures,
        locked_out=failures >= settings.AXES_FAILURE_LIMIT,
    )


def recent_sign_in_failures(username: str) -> int:
    """Failed sign-ins django-axes still counts against `username` (within the cool-off)."""
    from axes.models import AccessAttempt

    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=timezone.now() - cool_off
    ).aggregate(n=Sum("failures_since_start"))["n"]
    return int(total or 0)


# Organisations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationFilters:
    q: str = ""
    type: str = ""

    @property
    def any(self) -> bool:
        return bool(self.q or self.type)


def organisation_page(
    actor: Any,
    filters: OrganisationFilters,
    *,
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> Page[Organisation]:
    """A keyset page of organisations, each with `member_count` (people with a current role)."""
    organisations = organisations_visible_to(actor)
    q = filters.q.strip()
    if q:
        organisations = organisations.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    if filters.type:
        organisations = organisations.filter(type=filters.type)
    today = timezone.localdate()
    organisations = organisations.annotate(
        member_count=Count(
            "role_assignments__user",
            filter=Q(role_assignments__starts_on__lte=today)
            & (Q(role_assignments__ends_on__isnull=True) | Q(role_assignments__ends_on__gte=today)),
            distinct=True,
        )
    )
    return keyset_page(organisations, order=ORGANISATION_ORDER, cursor=cursor, size=size)


def organisation_choices(actor: Any) -> QuerySet[Organisation]:
    """Organisations a role can be given in: the active ones the actor sees."""
    return organisations_visible_to(actor).filter(is_active=True).order_by("name", "id")


# Areas for role assignments ------------------------------------------------------------------


def area_by_code(actor: Any, code: str) -> Area | None:
    code = code.strip()
    return areas_visible_to(actor).filter(code=code).first() if code else None


def area_choices(actor: Any, parent: Area | None) -> QuerySet[Area]:
    """What a role can be limited to under `parent`: the parent itself and its villages."""
    if parent is None:
        return Area.objects.none()
    return (
        areas_visible_to(actor)
        .filter(is_active=True)
        .filter(Q(pk=parent.pk) | Q(path__startswith=parent.path, level=AreaLevel.VILLAGE))
        .order_by(Case(When(pk=parent.pk, then=Value(0)), default=Value(1)), "name", "id")
    )


# API tokens ----------------------------------------------------------------------------------


def tokens_of(user: Any) -> list[ApiToken]:
    """The signed-in user's own tokens, newest first; nobody lists anyone else's."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        ApiToken.objects.filter(user=user).order_by("-created_at", "-id")[:TOKEN_LIST_LIMIT]
    )


def get_own_token(user: Any, token_id: int | str) -> ApiToken:
    try:
        return ApiToken.objects.get(pk=int(token_id), user=user)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404("No such token") from None
