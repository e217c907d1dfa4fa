"""Agencies: accreditation, staff records, and which agencies may take a child now.

An agency whose accreditation is not active and valid today, that does not serve the child's
area, or that is at capacity receives no new case; neither does a case manager whose
background check has lapsed (DESIGN.md, privacy and safety). Each refusal says exactly why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.models import Organisation, OrganisationType, RoleAssignment, User
from accounts.roles import Permission, Role
from audit.actions import Action
from audit.services import record_event
from cases.choices import (
    OPEN_CASE_STATES,
    AccreditationLevel,
    AccreditationStatus,
    BackgroundCheckType,
    Language,
    PlanItemKind,
)
from cases.models import Accreditation, BackgroundCheck, Case, CaseWorkerProfile, TrainingRecord
from cases.services.permissions import permissions_in
from core.errors import DomainError
from geo.models import Area


def _require_hub_admin(actor: Any) -> None:
    if not principal_for(actor).has(Permission.ORGANISATION_MANAGE):
        raise DomainError(
            "accreditation.not_allowed", _("Only the Hub administration manages accreditation.")
        )


def _unknown(values: Iterable[str], allowed: list[str]) -> list[str]:
    return sorted(set(values) - set(allowed))


@transaction.atomic
def accreditation_set(
    *,
    actor: Any,
    agency: Organisation,
    level: str,
    status: str,
    valid_from: date,
    valid_to: date,
    capacity: int,
    service_areas: list[Area],
    languages: list[str],
    services_offered: list[str],
) -> Accreditation:
    """Accredit an agency, or renew, change, suspend or expire its accreditation."""
    _require_hub_admin(actor)
    if agency.type != OrganisationType.AGENCY:
        raise DomainError(
            "accreditation.not_agency", _("Only a case management agency is accredited.")
        )
    if level not in AccreditationLevel.values:
        raise DomainError("accreditation.level", _("Choose junior or full."), field="level")
    if status not in AccreditationStatus.values:
        raise DomainError("accreditation.status", _("Choose a status."), field="status")
    if valid_to < valid_from:
        raise DomainError(
            "accreditation.period",
            _("The end of validity must come after its start."),
            field="valid_to",
        )
    if capacity < 1:
        raise DomainError(
            "accreditation.capacity", _("Capacity must be at least one case."), field="capacity"
        )
    if not service_areas:
        raise DomainError(
            "accreditation.areas", _("Choose at least one area served."), field="service_areas"
        )
    if unknown := _unknown(languages, Language.values):
        raise DomainError(
            "accreditation.language",
            _("Unknown language: %(v)s.") % {"v": ", ".join(unknown)},
            field="languages",
        )
    if unknown := _unknown(services_offered, PlanItemKind.values):
        raise DomainError(
            "accreditation.service",
            _("Unknown service: %(v)s.") % {"v": ", ".join(unknown)},
            field="services_offered",
        )
    values = {
        "level": level,
        "status": status,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "capacity": capacity,
        "languages": sorted(set(languages)),
        "services_offered": sorted(set(services_offered)),
        "updated_at": timezone.now(),
    }
    accreditation, created = Accreditation.objects.select_for_update().update_or_create(
        agency=agency, defaults=values
    )
    accreditation.service_areas.set(service_areas)
    changes = {
        key: (value.isoformat() if isinstance(value, date) else value)
        for key, value in values.items()
        if key != "updated_at"
    }
    changes["service_areas"] = sorted(area.pk for area in service_areas)
    changes["created"] = created
    record_event(
        actor=actor, action=Action.ACCREDITATION_SET, subject=accreditation, changes=changes
    )
    return accreditation


@transaction.atomic
def caseworker_level_set(*, actor: Any, user: User, level: str) -> CaseWorkerProfile:
    """Record a case manager's or supervisor's own accreditation level."""
    _require_hub_admin(actor)
    if level not in AccreditationLevel.values:
        raise DomainError("staff.level", _("Choose junior or full."), field="level")
    profile, _created = CaseWorkerProfile.objects.update_or_create(
        user=user, defaults={"level": level, "updated_at": timezone.now()}
    )
    record_event(actor=actor, action=Action.STAFF_LEVEL_SET, subject=user, changes={"level": level})
    return profile


@transaction.atomic
def background_check_record(
    *, actor: Any, user: User, type: str, checked_on: date, expires_on: date, notes: str = ""
) -> BackgroundCheck:
    """Record a verified background check; the Hub verifies, so `verified_by` is the actor."""
    _require_hub_admin(actor)
    if type not in BackgroundCheckType.values:
        raise DomainError("background_check.type", _("Choose the kind of check."), field="type")
    if checked_on > timezone.localdate():
        raise DomainError(
            "background_check.future",
            _("A check cannot be dated in the future."),
            field="checked_on",
        )
    if expires_on <= checked_on:
        raise DomainError(
            "background_check.period",
            _("The check must expire after the day it was made."),
            field="expires_on",
        )
    check = BackgroundCheck.objects.create(
        user=user,
        type=type,
        checked_on=checked_on,
        expires_on=expires_on,
        verified_by=actor,
        notes=notes.strip(),
    )
    record_event(
        actor=actor,
        action=Action.BACKGROUND_CHECK_RECORD,
        subject=user,
        changes={
            "type": type,
            "checked_on": checked_on.isoformat(),
            "expires_on": expires_on.isoformat(),
        },
    )
    return check


@transaction.atomic
def training_record_add(
    *, actor: Any, user: User, course: str, completed_on: date
) -> TrainingRecord:
    """Hub administration, or a supervisor of an agency the trainee works for."""
    principal = principal_for(actor)
    trainee_agencies = principal_for(user).organisation_ids
    allowed = principal.has(Permission.ORGANISATION_MANAGE) or any(
        Permission.CASE_APPROVE in permissions_in(actor, agency_id)
        for agency_id in trainee_agencies
    )
    if not allowed:
        raise DomainError(
            "training.not_allowed",
            _("Only the Hub or a supervisor of this person's agency records training."),
        )
    course = course.strip()
    if not course:
        raise DomainError("training.course", _("Name the course."), field="course")
    if completed_on > timezone.localdate():
        raise DomainError(
            "training.future", _("Training cannot end in the future."), field="completed_on"
        )
    record = TrainingRecord.objects.create(
        user=user, course=course, completed_on=completed_on, recorded_by=actor
    )
    record_event(
        actor=actor,
        action=Action.TRAINING_RECORD,
        subject=user,
        changes={"course": course, "completed_on": completed_on.isoformat()},
    )
    return record


def open_case_counts(agency_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Case.objects.filter(agency_id__in=list(agency_ids), state__in=OPEN_CASE_STATES)
        .values("agency_id")
        .annotate(open_cases=Count("id"))
    )
    return {row["agency_id"]: row["open_cases"] for row in rows}


def accreditation_of(agency: Organisation) -> Accreditation | None:
    # The reverse one-to-one raises a DoesNotExist that is also an AttributeError.
    found: Accreditation | None = getattr(agency, "accreditation", None)
    return found


def _serves(accreditation: Accreditation, area: Area) -> bool:
    return any(area.path.startswith(served.path) for served in accreditation.service_areas.all())


def agency_refusal(  # noqa: PLR0911 — one return per refusal reads as the list of rules
    agency: Organisation, *, area: Area | None, open_cases: int, on: date
) -> str | None:
    """Why `agency` cannot take a new case in `area` on `on`, or None when it can.

    Expects `agency.accreditation` loaded (with service areas prefetched for many agencies).
    """
    name = agency.name
    if agency.type != OrganisationType.AGENCY or not agency.is_active:
        return _("%(agency)s is not an active case management agency.") % {"agency": name}
    accreditation = accreditation_of(agency)
    if accreditation is None:
        return _("%(agency)s has no accreditation.") % {"agency": name}
    if accreditation.status == AccreditationStatus.SUSPENDED:
        return _("%(agency)s's accreditation is suspended.") % {"agency": name}
    if accreditation.status == AccreditationStatus.EXPIRED or accreditation.valid_to < on:
        return _("%(agency)s's accreditation expired on %(date)s.") % {
            "agency": name,
            "date": accreditation.valid_to.isoformat(),
        }
    if accreditation.valid_from > on:
        return _("%(agency)s's accreditation only starts on %(date)s.") % {
            "agency": name,
            "date": accreditation.valid_from.isoformat(),
        }
    if area is not None and not _serves(accreditation, area):
        return _("%(agency)s does not work in %(area)s.") % {"agency": name, "area": area.name}
    if open_cases >= accreditation.capacity:
        return _("%(agency)s is at capacity: %(open)s open cases for %(capacity)s places.") % {
            "agency": name,
            "open": open_cases,
            "capacity": accreditation.capacity,
        }
    return None


def require_agency_can_take_case(agency: Organisation, *, area: Area | None) -> None:
    """Refuse unless `agency` may take one more case today. Locks its accreditation row so
    that two acceptances at once cannot both take the last place."""
    Accreditation.objects.select_for_update().filter(agency=agency).first()
    agency = Organisation.objects.select_related("accreditation").get(pk=agency.pk)
    refusal = agency_refusal(
        agency,
        area=area,
        open_cases=open_case_counts([agency.pk]).get(agency.pk, 0),
        on=timezone.localdate(),
    )
    if refusal is not None:
        raise DomainError("case.agency_refused", refusal, field="agency")


@dataclass(frozen=True)
class AgencyOption:
    agency: Organisation
    open_cases: int
    capacity: int

    @property
    def places_left(self) -> int:
        return self.capacity - self.open_cases


@dataclass(frozen=True)
class AgencyExclusion:
    agency: Organisation
    open_cases: int
    reason: str


@dataclass(frozen=True)
class AgencySuggestions:
    eligible: list[AgencyOption]
    excluded: list[AgencyExclusion]


def agencies_with_cleared_staff(agency_ids: Iterable[int], *, on: date) -> set[int]:
    """Agencies with at least one case manager or supervisor whose background check is valid
    on `on`: the others could accept a referral but name nobody to manage the case."""
    rows = (
        RoleAssignment.objects.filter(
            organisation_id__in=list(agency_ids),
            role__in=[Role.CASE_MANAGER, Role.CASE_SUPERVISOR],
            starts_on__lte=on,
            user__is_active=True,
            user__background_checks__checked_on__lte=on,
            user__background_checks__expires_on__gte=on,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    return set(rows)


def agency_suggestions(*, area: Area, on: date | None = None) -> AgencySuggestions:
    """Agencies that may take a child found in `area`, most places left first, and every
    other active agency with the reason it cannot (four queries whatever the count)."""
    day = on or timezone.localdate()
    agencies = list(
        Organisation.objects.filter(type=OrganisationType.AGENCY, is_active=True)
        .select_related("accreditation")
        .prefetch_related("accreditation__service_areas")
        .order_by("name", "id")
    )
    counts = open_case_counts(agency.pk for agency in agencies)
    cleared = agencies_with_cleared_staff((agency.pk for agency in agencies), on=day)
    eligible: list[AgencyOption] = []
    excluded: list[AgencyExclusion] = []
    for agency in agencies:
        open_cases = counts.get(agency.pk, 0)
        refusal = agency_refusal(agency, area=area, open_cases=open_cases, on=day)
        if refusal is None and agency.pk not in cleared:
            refusal = _(
                "%(agency)s has no case manager with a valid background check to take the child."
            ) % {"agency": agency.name}
        accreditation = accreditation_of(agency)
        if refusal is None and accreditation is not None:
            eligible.append(
                AgencyOption(agency=agency, open_cases=open_cases, capacity=accreditation.capacity)
            )
        else:
            excluded.append(
                AgencyExclusion(agency=agency, open_cases=open_cases, reason=refusal or "")
            )
    eligible.sort(key=lambda option: (-option.places_left, option.agency.name))
    return AgencySuggestions(eligible=eligible, excluded=excluded)
