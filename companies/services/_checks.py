"""Checks shared by the company services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.models import Organisation, OrganisationType
from accounts.roles import Permission
from core.errors import DomainError


def require_permission(actor: Any, permission: Permission) -> None:
    """A person acting must hold `permission`; `actor=None` is the system (seed, import)."""
    if actor is None:
        return
    if not principal_for(actor).has(permission):
        raise DomainError("company.not_allowed", _("Your role cannot do this."))


def require_company(organisation: Organisation, *, field: str = "company") -> None:
    if organisation.type != OrganisationType.COMPANY:
        raise DomainError(
            "company.not_a_company", _("This organisation is not a member company."), field=field
        )


def require_own_company(actor: Any, company: Organisation) -> None:
    """A company member acts only for their own company; the Hub for any."""
    if actor is None:
        return
    principal = principal_for(actor)
    if principal.has(Permission.COMPANY_MANAGE):
        return
    if company.pk not in principal.organisation_ids:
        raise DomainError("company.not_allowed", _("Your role cannot do this."))
