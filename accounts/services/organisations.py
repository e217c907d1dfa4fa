"""Writes on organisations: the Hub, agencies, companies, suppliers, partners, verifiers."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.models import Organisation, OrganisationType, RoleAssignment
from accounts.roles import ROLE_ORGANISATION_TYPES, Permission, Role
from audit.actions import Action
from audit.services import diff, record_event, snapshot
from core.errors import DomainError

_AUDITED_FIELDS = ["name", "short_name", "type", "country", "is_active"]


def _require_organisation_manage(actor: Any) -> None:
    if not principal_for(actor).has(Permission.ORGANISATION_MANAGE):
        raise DomainError("organisation.not_allowed", _("Your role cannot manage organisations."))


def _clean(
    *, name: str, short_name: str, type: str, country: str, pk: int | None
) -> dict[str, str]:
    name, short_name, country = name.strip(), short_name.strip(), country.strip().upper()
    if not name:
        raise DomainError("organisation.name_required", _("Give the name."), field="name")
    others = Organisation.objects.exclude(pk=pk) if pk is not None else Organisation.objects.all()
    if others.filter(name__iexact=name).exists():
        raise DomainError(
            "organisation.name_taken",
            _("Another organisation already has this name."),
            field="name",
        )
    if type not in OrganisationType.values:
        raise DomainError("organisation.type_unknown", _("Choose a type."), field="type")
    if len(country) != 2 or not country.isalpha():
        raise DomainError(
            "organisation.country_invalid",
            _("Use the two-letter country code, e.g. CD."),
            field="country",
        )
    return {"name": name, "short_name": short_name, "type": type, "country": country}


@transaction.atomic
def organisation_create(
    *, actor: Any, name: str, type: str, short_name: str = "", country: str = "CD"
) -> Organisation:
    _require_organisation_manage(actor)
    values = _clean(name=name, short_name=short_name, type=type, country=country, pk=None)
    organisation = Organisation.objects.create(**values)
    record_event(
        actor=actor, action=Action.ORGANISATION_CREATE, subject=organisation, changes=values
    )
    return organisation


def _roles_not_fitting(organisation: Organisation, new_type: str) -> list[str]:
    """Roles held now (or later) in `organisation` that a `new_type` organisation cannot hold."""
    today = timezone.localdate()
    held = (
        RoleAssignment.objects.filter(organisation=organisation)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("role", flat=True)
        .distinct()
    )
    return sorted(
        str(Role(role).label)
        for role in held
        if new_type not in ROLE_ORGANISATION_TYPES[Role(role)]
    )


@transaction.atomic
def organisation_update(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    type: str,
    short_name: str,
    country: str,
    is_active: bool,
) -> Organisation:
    """Rename, retype or (de)activate. A deactivated organisation's roles stop working at once
    (access.principal ignores them) and come back if it is reactivated."""
    _require_organisation_manage(actor)
    values = _clean(
        name=name, short_name=short_name, type=type, country=country, pk=organisation.pk
    )
    if values["type"] != organisation.type:
        misfits = _roles_not_fitting(organisation, values["type"])
        if misfits:
            raise DomainError(
                "organisation.type_conflicts_with_roles",
                _("People here hold roles this type cannot have (%(roles)s). End them first.")
                % {"roles": ", ".join(misfits)},
                field="type",
            )
    if (
        organisation.is_active
        and not is_active
        and organisation.pk in principal_for(actor).organisation_ids
    ):
        raise DomainError(
            "organisation.deactivate_own",
            _("You cannot deactivate an organisation you work for: you would lose your access."),
            field="is_active",
        )
    before = snapshot(organisation, _AUDITED_FIELDS)
    for field, value in values.items():
        setattr(organisation, field, value)
    organisation.is_active = is_active
    changes = diff(organisation, before, _AUDITED_FIELDS)
    if not changes:
        return organisation
    organisation.save(update_fields=_AUDITED_FIELDS)
    record_event(
        actor=actor, action=Action.ORGANISATION_UPDATE, subject=organisation, changes=changes
    )
    return organisation
