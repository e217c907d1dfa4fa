"""Visibility of users and organisations (administration is the Hub's)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from access.principal import principal_for
from accounts.models import Organisation, User
from accounts.roles import Permission


def users_visible_to(user: Any) -> QuerySet[User]:
    """Hub administrators manage everyone; anyone else sees only themself."""
    principal = principal_for(user)
    if principal.has(Permission.USER_MANAGE):
        return User.objects.all()
    if principal.user_id is None:
        return User.objects.none()
    return User.objects.filter(pk=principal.user_id)


def get_user_for_admin(user: Any, user_id: int | str) -> User:
    try:
        return users_visible_to(user).get(pk=int(user_id))
    except (User.DoesNotExist, ValueError):
        raise Http404("No such user") from None


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    """Hub staff see every organisation; others see the organisations they work for."""
    principal = principal_for(user)
    if principal.has(Permission.ORGANISATION_MANAGE) or principal.has(
        Permission.REPORT_PROGRAMME_READ
    ):
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=principal.organisation_ids)


def get_organisation_for_user(user: Any, organisation_id: int | str) -> Organisation:
    try:
        return organisations_visible_to(user).get(pk=int(organisation_id))
    except (Organisation.DoesNotExist, ValueError):
        raise Http404("No such organisation") from None
