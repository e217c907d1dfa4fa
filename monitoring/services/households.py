"""Recording and updating households."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import Action
from audit.services import record_event
from core.crypto import keyed_hash, normalise_name
from core.errors import DomainError
from geo.models import Area, AreaLevel
from monitoring.choices import IncomeSource, MiningDependence, SchoolCostBurden, choice_values
from monitoring.models import Household
from monitoring.services.codes import unused_codes
from monitoring.services.scope import require_recording_right

ENCRYPTED = "[encrypted]"


def head_name_hash(name: str) -> str:
    return keyed_hash("person-name", normalise_name(name))


def validate_household(
    *,
    area: Area,
    head_name: str,
    members_count: int,
    income_sources: list[str],
    mining_dependence: str,
    school_cost_burden: str,
    location: str,
) -> None:
    if area.level != AreaLevel.VILLAGE:
        raise DomainError(
            "household.area_not_community", _("Choose a village or quarter."), field="area"
        )
    if not normalise_name(head_name):
        raise DomainError(
            "household.head_name_required",
            _("Give the name of the head of household."),
            field="head_name",
        )
    if not 1 <= members_count <= 60:
        raise DomainError(
            "household.members_count",
            _("People in household must be between 1 and 60."),
            field="members_count",
        )
    unknown = sorted(set(income_sources) - choice_values(IncomeSource))
    if unknown:
        raise DomainError(
            "household.income_source_unknown",
            _("Unknown income source: %(values)s.") % {"values": ", ".join(unknown)},
            field="income_sources",
        )
    if mining_dependence not in choice_values(MiningDependence):
        raise DomainError(
            "household.mining_dependence",
            _("Unknown dependence on mining."),
            field="mining_dependence",
        )
    if school_cost_burden not in choice_values(SchoolCostBurden):
        raise DomainError(
            "household.school_cost_burden",
            _("Unknown school costs burden."),
            field="school_cost_burden",
        )
    if location:
        _check_location(location)


def clean_household_inputs(
    *, head_name: str, phone: str, location: str, income_sources: list[str] | None
) -> tuple[str, str, str, list[str]]:
    """Stripped texts and de-duplicated income sources, as every path stores them."""
    sources = list(dict.fromkeys(income_sources or []))
    return head_name.strip(), phone.strip(), location.strip(), sources


def _check_location(location: str) -> None:
    try:
        latitude, longitude = (float(part) for part in location.split(","))
    except ValueError:
        raise DomainError(
            "household.location_format",
            _("The GPS location must be 'latitude,longitude' in decimal degrees."),
            field="location",
        ) from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DomainError(
            "household.location_range",
            _("The GPS location is outside the globe."),
            field="location",
        )


@transaction.atomic
def household_create(
    *,
    actor: Any,
    area: Area,
    head_name: str,
    phone: str = "",
    location: str = "",
    members_count: int = 1,
    income_sources: list[str] | None = None,
    mining_dependence: str = MiningDependence.NONE,
    school_cost_burden: str = SchoolCostBurden.NONE,
    external_id: str | None = None,
) -> Household:
    """Record a household; with an `external_id` already known, return that one unchanged."""
    if external_id:
        existing = Household.objects.filter(external_id=external_id).first()
        if existing is not None:
            return existing
    require_recording_right(actor, area)
    head_name, phone, location, sources = clean_household_inputs(
        head_name=head_name, phone=phone, location=location, income_sources=income_sources
    )
    validate_household(
        area=area,
        head_name=head_name,
        members_count=members_count,
        income_sources=sources,
        mining_dependence=mining_dependence,
        school_cost_burden=school_cost_burden,
        location=location,
    )
    household = Household.objects.create(
        code=unused_codes(Household, "HH", 1)[0],
        area=area,
        head_name=head_name,
        head_name_hash=head_name_hash(head_name),
        phone=phone,
        location=location,
        members_count=members_count,
        income_sources=sources,
        mining_dependence=mining_dependence,
        school_cost_burden=school_cost_burden,
        external_id=external_id or None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_event(
        actor=actor,
        action=Action.HOUSEHOLD_CREATE,
        subject=household,
        changes={
            "area": area.pk,
            "head_name": ENCRYPTED,
            "phone": ENCRYPTED if phone else "",
            "location": ENCRYPTED if location else "",
            "members_count": members_count,
        },
    )
    return household


@transaction.atomic
def household_update(
    *,
    actor: Any,
    household: Household,
    head_name: str,
    phone: str,
    location: str,
    members_count: int,
    income_sources: list[str],
    mining_dependence: str,
    school_cost_burden: str,
) -> Household:
    require_recording_right(actor, household.area)
    head_name, phone, location, sources = clean_household_inputs(
        head_name=head_name, phone=phone, location=location, income_sources=income_sources
    )
    validate_household(
        area=household.area,
        head_name=head_name,
        members_count=members_count,
        income_sources=sources,
        mining_dependence=mining_dependence,
        school_cost_burden=school_cost_burden,
        location=location,
    )
    changes: dict[str, Any] = {}
    for name, new in (("head_name", head_name), ("phone", phone), ("location", location)):
        if getattr(household, name) != new:
            changes[name] = ENCRYPTED  # never the plaintext, not even in the audit log
    for name, new_value in (
        ("members_count", members_count),
        ("income_sources", sources),
        ("mining_dependence", mining_dependence),
        ("school_cost_burden", school_cost_burden),
    ):
        old_value = getattr(household, name)
        if old_value != new_value:
            changes[name] = {"old": old_value, "new": new_value}
    household.head_name = head_name
    household.head_name_hash = head_name_hash(head_name)
    household.phone = phone
    household.location = location
    household.members_count = members_count
    household.income_sources = sources
    household.mining_dependence = mining_dependence
    household.school_cost_burden = school_cost_burden
    household.updated_at = timezone.now()
    household.save()
    if changes:
        record_event(
            actor=actor, action=Action.HOUSEHOLD_UPDATE, subject=household, changes=changes
        )
    return household
