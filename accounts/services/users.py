"""Writes on users and their role assignments: the hub administrator's work.

Each function checks the actor's permission itself (a view's check is a convenience, the
service is the last word), runs in one transaction and records its audit event with the old and
new values. Nothing here ever records a password, temporary or not.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.principal import forget_principal, principal_for
from accounts.models import Organisation, OrganisationType, RoleAssignment, User
from accounts.roles import (
    AREA_SCOPED_ROLES,
    ROLE_ORGANISATION_TYPES,
    ROLE_PERMISSIONS,
    Permission,
    Role,
)
from accounts.services.mfa import reset_second_factor
from audit.actions import Action
from audit.services import diff, record_event, snapshot
from core.errors import DomainError
from geo.models import Area

_USER_AUDITED_FIELDS = ["full_name", "email", "preferred_language"]
# Four groups of five from an alphabet without look-alikes: easy to read out over a phone line.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_TEMPORARY_GROUPS = 4
_TEMPORARY_GROUP_LENGTH = 5


@dataclass(frozen=True)
class CreatedUser:
    """A new user and, when Kinga chose it, the temporary password to hand over once."""

    user: User
    temporary_password: str | None


def _require_user_manage(actor: Any) -> None:
    if not principal_for(actor).has(Permission.USER_MANAGE):
        raise DomainError("user.not_allowed", _("Your role cannot manage users."))


def _languages() -> set[str]:
    field = User._meta.get_field("preferred_language")
    return {str(value) for value, _label in field.choices or ()}


def _clean_profile(*, full_name: str, email: str, preferred_language: str) -> tuple[str, str]:
    full_name, email = full_name.strip(), email.strip().lower()
    if not full_name:
        raise DomainError(
            "user.full_name_required", _("Give the person's full name."), field="full_name"
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(
                "user.email_invalid", _("This email address is not valid."), field="email"
            ) from None
    if preferred_language not in _languages():
        raise DomainError(
            "user.language_unknown", _("Choose English or French."), field="preferred_language"
        )
    return full_name, email


def _temporary_password() -> str:
    return "-".join(
        "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(_TEMPORARY_GROUP_LENGTH))
        for _ in range(_TEMPORARY_GROUPS)
    )


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    email: str,
    preferred_language: str,
    password: str | None = None,
) -> CreatedUser:
    """Create a user with no role yet (see role_assign, or user_create_with_role).

    Without a password, Kinga makes a temporary one, returned here and never stored in clear:
    the administrator hands it over once and the person changes it.
    """
    _require_user_manage(actor)
    username = username.strip()
    if not username:
        raise DomainError("user.username_required", _("Choose a username."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            "user.username_taken", _("Someone already has this username."), field="username"
        )
    full_name, email = _clean_profile(
        full_name=full_name, email=email, preferred_language=preferred_language
    )
    user = User(
        username=username, full_name=full_name, email=email, preferred_language=preferred_language
    )
    temporary = None
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise DomainError(
                "user.password_weak", " ".join(error.messages), field="password"
            ) from None
    else:
        temporary = password = _temporary_password()
    user.set_password(password)
    user.must_change_password = True  # the administrator knows it; the user must replace it
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:  # e.g. a username with spaces or a name too long
        field, problems = next(iter(error.message_dict.items()))
        raise DomainError("user.invalid", " ".join(problems), field=field) from None
    user.save()
    record_event(
        actor=actor,
        action=Action.USER_CREATE,
        subject=user,
        changes={
            "username": username,
            "full_name": full_name,
            "email": email,
            "preferred_language": preferred_language,
            "password": "temporary" if temporary else "chosen by the administrator",
        },
    )
    return CreatedUser(user=user, temporary_password=temporary)


@transaction.atomic
def user_create_with_role(
    *,
    actor: Any,
    username: str,
    full_name: str,
    email: str,
    preferred_language: str,
    password: str | None = None,
    role: str,
    organisation: Organisation,
    areas: Iterable[Area] = (),
) -> CreatedUser:
    """A new user and their first role in one step: either both exist afterwards, or neither."""
    created = user_create(
        actor=actor,
        username=username,
        full_name=full_name,
        email=email,
        preferred_language=preferred_language,
        password=password,
    )
    role_assign(actor=actor, user=created.user, role=role, organisation=organisation, areas=areas)
    return created


@transaction.atomic
def user_update(
    *, actor: Any, user: User, full_name: str, email: str, preferred_language: str
) -> User:
    _require_user_manage(actor)
    full_name, email = _clean_profile(
        full_name=full_name, email=email, preferred_language=preferred_language
    )
    before = snapshot(user, _USER_AUDITED_FIELDS)
    user.full_name, user.email, user.preferred_language = full_name, email, preferred_language
    changes = diff(user, before, _USER_AUDITED_FIELDS)
    if not changes:
        return user
    user.save(update_fields=_USER_AUDITED_FIELDS)
    record_event(actor=actor, action=Action.USER_UPDATE, subject=user, changes=changes)
    return user


def _required_reason(reason: str, code: str, message: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError(code, message, field="reason")
    return reason


@transaction.atomic
def user_deactivate(*, actor: Any, user: User, reason: str) -> User:
    """Stop a person signing in, keeping their history. Their sessions and tokens stop too:
    Django refuses inactive users on every request, and API tokens check `is_active`."""
    _require_user_manage(actor)
    reason = _required_reason(
        reason, "user.reason_required", _("Say why this account is deactivated.")
    )
    if user.pk == getattr(actor, "pk", None):
        raise DomainError(
            "user.deactivate_self",
            _("You cannot deactivate your own account. Ask another administrator."),
        )
    if not user.is_active:
        raise DomainError("user.already_inactive", _("This account is already deactivated."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    forget_principal(user)
    record_event(
        actor=actor,
        action=Action.USER_DEACTIVATE,
        subject=user,
        changes={"is_active": {"old": True, "new": False}},
        reason=reason,
    )
    return user


@transaction.atomic
def user_reactivate(*, actor: Any, user: User, reason: str) -> User:
    _require_user_manage(actor)
    reason = _required_reason(
        reason, "user.reason_required", _("Say why this account is reactivated.")
    )
    if user.is_active:
        raise DomainError("user.already_active", _("This account is already active."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    forget_principal(user)
    record_event(
        actor=actor,
        action=Action.USER_REACTIVATE,
        subject=user,
        changes={"is_active": {"old": False, "new": True}},
        reason=reason,
    )
    return user


@transaction.atomic
def unlock_user(*, actor: Any, user: User) -> int:
    """Clear the sign-in lockout of `user` (django-axes); returns how many records went."""
    from axes.utils import reset

    _require_user_manage(actor)
    cleared = int(reset(username=user.get_username()))
    record_event(
        actor=actor, action=Action.USER_UNLOCK, subject=user, changes={"cleared_attempts": cleared}
    )
    return cleared


@transaction.atomic
def user_reset_mfa(*, actor: Any, user: User, reason: str) -> None:
    """An administrator removes someone's second factor (lost phone).

    The work is mfa.reset_second_factor's; this adds the permission check it leaves to callers.
    """
    _require_user_manage(actor)
    reset_second_factor(actor=actor, user=user, reason=reason)


# Role assignments ----------------------------------------------------------------------------


def _organisation_type_label(value: str) -> str:
    try:
        return str(OrganisationType(value).label)
    except ValueError:
        return value


def _check_role_rules(
    *, role: Role, organisation: Organisation, areas: list[Area], user: User
) -> None:
    allowed = ROLE_ORGANISATION_TYPES[role]
    if organisation.type not in allowed:
        raise DomainError(
            "role.organisation_type",
            _("A %(role)s works in: %(allowed)s. %(organisation)s is a %(type)s.")
            % {
                "role": role.label,
                "allowed": ", ".join(sorted(_organisation_type_label(t) for t in allowed)),
                "organisation": organisation.name,
                "type": _organisation_type_label(organisation.type),
            },
            field="organisation",
        )
    if not organisation.is_active:
        raise DomainError(
            "role.organisation_inactive",
            _("%(organisation)s is inactive; reactivate it first.")
            % {"organisation": organisation.name},
            field="organisation",
        )
    if role in AREA_SCOPED_ROLES and not areas:
        raise DomainError(
            "role.areas_required",
            _("A %(role)s must be assigned at least one community.") % {"role": role.label},
            field="areas",
        )
    if any(not area.is_active for area in areas):
        raise DomainError(
            "role.area_inactive", _("One of the chosen areas is inactive."), field="areas"
        )
    if not user.is_active:
        raise DomainError(
            "role.user_inactive", _("This account is deactivated; reactivate it first.")
        )


def _overlaps(user: User, role: Role, organisation: Organisation, starts_on: date) -> bool:
    """Whether `user` already holds `role` in `organisation` on or after `starts_on`."""
    return (
        RoleAssignment.objects.filter(user=user, role=role, organisation=organisation)
        .exclude(ends_on__lt=starts_on)
        .exists()
    )


@transaction.atomic
def role_assign(
    *,
    actor: Any,
    user: User,
    role: str,
    organisation: Organisation,
    areas: Iterable[Area] = (),
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> RoleAssignment:
    """Give `user` a role in an organisation of the right type, optionally within some areas.

    The organisation type must fit the role (accounts.roles.ROLE_ORGANISATION_TYPES), and a
    facilitator must name the communities they visit: without areas they would see none.
    """
    _require_user_manage(actor)
    try:
        chosen = Role(role)
    except ValueError:
        raise DomainError("role.unknown", _("Unknown role."), field="role") from None
    area_list = list(dict.fromkeys(areas))
    _check_role_rules(role=chosen, organisation=organisation, areas=area_list, user=user)
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(
            "role.dates_reversed", _("The end date is before the start date."), field="ends_on"
        )
    if _overlaps(user, chosen, organisation, starts_on):
        raise DomainError(
            "role.already_held",
            _("%(user)s already holds this role in %(organisation)s. End it first.")
            % {"user": user, "organisation": organisation.name},
            field="role",
        )
    assignment = RoleAssignment.objects.create(
        user=user, role=chosen, organisation=organisation, starts_on=starts_on, ends_on=ends_on
    )
    if area_list:
        assignment.areas.set(area_list)
    forget_principal(user)
    if getattr(actor, "pk", None) == user.pk:
        forget_principal(actor)
    record_event(
        actor=actor,
        action=Action.ROLE_ASSIGN,
        subject=assignment,
        changes={
            "user": user.pk,
            "role": chosen.value,
            "organisation": organisation.pk,
            "areas": sorted(area.pk for area in area_list),
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
        },
    )
    return assignment


def _grants_user_manage(role: str) -> bool:
    return Permission.USER_MANAGE in ROLE_PERMISSIONS.get(Role(role), frozenset())


@transaction.atomic
def role_end(*, actor: Any, assignment: RoleAssignment, ends_on: date | None = None) -> None:
    """End a role assignment; the row stays, so that past access can still be explained.

    `ends_on` is the last day the role applies. By default that is yesterday, so the access
    stops at once (a role ending today would still work until midnight).
    """
    _require_user_manage(actor)
    today = timezone.localdate()
    if assignment.ends_on is not None and assignment.ends_on < today:
        raise DomainError("role.already_ended", _("This role has already ended."))
    if assignment.user_id == getattr(actor, "pk", None) and _grants_user_manage(assignment.role):
        raise DomainError(
            "role.end_own_admin",
            _("You cannot end your own administrator role. Ask another administrator."),
        )
    # A role that has not started yet is cancelled by ending it the day before it starts.
    earliest = assignment.starts_on - timedelta(days=1)
    if ends_on is None:
        ends_on = max(today - timedelta(days=1), earliest)
    if assignment.ends_on is not None and ends_on > assignment.ends_on:
        raise DomainError(
            "role.end_later",
            _("This role already ends on %(day)s; ending it cannot extend it.")
            % {"day": assignment.ends_on.isoformat()},
            field="ends_on",
        )
    if ends_on < earliest:
        raise DomainError(
            "role.end_before_start",
            _("The last day cannot be before the role started."),
            field="ends_on",
        )
    before = snapshot(assignment, ["ends_on"])
    assignment.ends_on = ends_on
    changes = diff(assignment, before, ["ends_on"])
    assignment.save(update_fields=["ends_on"])
    forget_principal(assignment.user)
    if getattr(actor, "pk", None) == assignment.user_id:
        forget_principal(actor)
    record_event(
        actor=actor,
        action=Action.ROLE_END,
        subject=assignment,
        changes={**changes, "user": assignment.user_id, "role": assignment.role},
    )
