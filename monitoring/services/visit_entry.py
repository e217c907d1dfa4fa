"""One visit as a facilitator enters it: maybe a new household, maybe new children, then the visit.

On a site or school visit the household may be left out: the children met there are recorded
in the site's community until their household is found (decision 0009).

Everything happens in one transaction, so a refusal anywhere (a child already recorded, hours
that do not fit in a week) leaves nothing half-saved. Refusals of the inner services are raised
again with the path of the input at fault (`household.head_name`, `children[1].first_name`),
the same paths `visit_record` uses, so a form can show each message beside its field.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from geo.models import Area, Site
from monitoring.choices import ConsentKind, ConsentPurpose, VisitKind, VisitSource
from monitoring.models import Child, Household, Visit
from monitoring.services.children import ConsentInput, child_register, consent_record
from monitoring.services.households import household_create
from monitoring.services.visits import EARLIEST_VISIT, ActivityInput, ObservationInput, visit_record


@dataclass(frozen=True)
class NewHousehold:
    area: Area
    head_name: str
    phone: str = ""
    location: str = ""  # "lat,lon" of the dwelling (phones capture it)
    members_count: int = 1
    income_sources: tuple[str, ...] = ()
    mining_dependence: str = "none"
    school_cost_burden: str = "none"
    external_id: str | None = None  # a phone submission's key: sent again, found again


@dataclass(frozen=True)
class NewChild:
    first_name: str
    sex: str
    age_evidence: str
    age_confidence: str
    last_name: str = ""
    birth_date: date | None = None
    estimated_age: int | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class ChildSeen:
    """One child on the visit: an existing record (`child`) or a new one (`new_child`).

    `caregiver_consent` and `child_assent` are True (given), False (refused) or None (not
    asked on this visit); both are for identification and referral.
    """

    school_status: str
    child: Child | None = None
    new_child: NewChild | None = None
    caregiver_consent: bool | None = None
    child_assent: bool | None = None
    activities: tuple[ActivityInput, ...] = ()
    household_chores_hours: Any = 0
    worst_forms: tuple[str, ...] = ()
    immediate_danger: bool = False
    notes: str = ""


@dataclass(frozen=True)
class VisitEntry:
    kind: str
    visited_on: date
    children: list[ChildSeen] = field(default_factory=list)
    household: Household | None = None
    new_household: NewHousehold | None = None
    site: Site | None = None
    notes: str = ""
    # Where the entry comes from; a phone submission's key makes sending it again harmless.
    source: str = VisitSource.WEB
    external_id: str | None = None
    form_version: str = ""


@contextmanager
def _inputs_at(prefix: str) -> Iterator[None]:
    """Re-raise a refusal with its field path placed under `prefix`."""
    try:
        yield
    except DomainError as error:
        path = f"{prefix}.{error.field}" if error.field else prefix
        raise DomainError(error.code, error.message, field=path) from error


def _consents(seen: ChildSeen, on: date) -> list[ConsentInput]:
    given = (
        (ConsentKind.CAREGIVER_CONSENT, seen.caregiver_consent),
        (ConsentKind.CHILD_ASSENT, seen.child_assent),
    )
    return [
        ConsentInput(kind=kind, purpose=ConsentPurpose.IDENTIFICATION, given=answer, obtained_on=on)
        for kind, answer in given
        if answer is not None
    ]


def _child(
    actor: Any,
    index: int,
    seen: ChildSeen,
    *,
    household: Household | None,
    met_in: Area | None,
    on: date,
) -> Child:
    prefix = f"children[{index}]"
    consents = _consents(seen, on)
    if seen.child is not None:
        with _inputs_at(prefix):
            for consent in consents:
                consent_record(actor=actor, child=seen.child, consent=consent)
        return seen.child
    new = seen.new_child
    if new is None:
        raise DomainError(
            "visit.child_missing", _("Choose a child or describe a new one."), field=prefix
        )
    with _inputs_at(prefix):
        return child_register(
            actor=actor,
            household=household,
            met_in=met_in,
            first_name=new.first_name,
            last_name=new.last_name,
            sex=new.sex,
            birth_date=new.birth_date,
            estimated_age=new.estimated_age,
            estimated_on=on,
            age_evidence=new.age_evidence,
            age_confidence=new.age_confidence,
            consents=consents,
            external_id=new.external_id,
        )


def _where_children_without_household_were_met(
    entry: VisitEntry, household: Household | None
) -> Area | None:
    """On a site or school visit the household may be unknown (a child met on a mine site):
    new children are then recorded in the site's community. Household visits need one."""
    if household is not None:
        return None
    if entry.kind not in (VisitKind.SITE, VisitKind.SCHOOL):
        raise DomainError(
            "visit.household_required", _("Choose the household visited."), field="household"
        )
    if entry.site is None:
        raise DomainError(
            "visit.site_required", _("Choose the site or school visited."), field="site"
        )
    return entry.site.area


@transaction.atomic
def visit_enter(*, actor: Any, entry: VisitEntry) -> Visit:
    """Record `entry` (household, children, visit) in one transaction, or nothing at all.

    With an `external_id` already recorded, return that visit (a phone sending again)."""
    if entry.external_id:
        existing = Visit.objects.filter(external_id=entry.external_id).first()
        if existing is not None:
            return existing
    if not EARLIEST_VISIT <= entry.visited_on <= timezone.localdate():
        # Checked first: consents are dated on the visit day and must not be in the future.
        raise DomainError(
            "visit.date", _("The visit date must be a past or present day."), field="visited_on"
        )
    if not entry.children:
        raise DomainError(
            "visit.no_child", _("Add at least one child seen on this visit."), field="children"
        )
    household = entry.household
    if household is None and entry.new_household is not None:
        new = entry.new_household
        with _inputs_at("household"):
            household = household_create(
                actor=actor,
                area=new.area,
                head_name=new.head_name,
                phone=new.phone,
                location=new.location,
                members_count=new.members_count,
                income_sources=list(new.income_sources),
                mining_dependence=new.mining_dependence,
                school_cost_burden=new.school_cost_burden,
                external_id=new.external_id,
            )
    met_in = _where_children_without_household_were_met(entry, household)
    observations = [
        ObservationInput(
            child=_child(
                actor, index, seen, household=household, met_in=met_in, on=entry.visited_on
            ),
            school_status=seen.school_status,
            activities=seen.activities,
            household_chores_hours=seen.household_chores_hours,
            worst_forms=seen.worst_forms,
            immediate_danger=seen.immediate_danger,
            notes=seen.notes,
        )
        for index, seen in enumerate(entry.children)
    ]
    return visit_record(
        actor=actor,
        facilitator=actor,
        kind=entry.kind,
        visited_on=entry.visited_on,
        household=household,
        site=entry.site,
        observations=observations,
        notes=entry.notes,
        source=entry.source,
        external_id=entry.external_id,
        form_version=entry.form_version,
    )
