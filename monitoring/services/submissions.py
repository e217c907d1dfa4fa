"""A household visit sent from a phone (ODK Collect / KoboCollect) becoming records.

The same services as the web form and imports (`household_create`, `child_register`,
`visit_record`) hold every rule; this module only gives each record an id derived from the
submission's instanceID (`odk:<uuid>`, `odk:<uuid>:child:<n>`) so that processing a
submission again, after a crash or a correction, finds what was already made instead of
making it twice. Refusals are raised again with the path of the input at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from geo.models import Area
from monitoring.choices import (
    AgeConfidence,
    AgeEvidence,
    ConsentKind,
    ConsentPurpose,
    VisitKind,
    VisitSource,
)
from monitoring.models import Child, Visit
from monitoring.services.children import ConsentInput, child_register
from monitoring.services.households import household_create
from monitoring.services.visit_entry import _inputs_at
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record

PHONE_ID_PREFIX = "odk:"


@dataclass(frozen=True)
class PhoneHousehold:
    area: Area
    head_name: str
    phone: str = ""
    location: str = ""
    members_count: int = 1
    mining_dependence: str = "none"
    school_cost_burden: str = "none"


@dataclass(frozen=True)
class PhoneChild:
    first_name: str
    sex: str
    age_evidence: str
    school_status: str
    last_name: str = ""
    birth_date: date | None = None
    age: int | None = None
    caregiver_consent: bool | None = None
    child_assent: bool | None = None
    activities: tuple[ActivityInput, ...] = ()
    household_chores_hours: Any = 0
    worst_forms: tuple[str, ...] = ()
    immediate_danger: bool = False
    notes: str = ""


def phone_external_id(instance_id: str) -> str:
    return f"{PHONE_ID_PREFIX}{instance_id.removeprefix('uuid:')}"


def _age_confidence(child: PhoneChild) -> str:
    if child.birth_date is None:
        return AgeConfidence.LOW
    if child.age_evidence == AgeEvidence.BIRTH_CERTIFICATE:
        return AgeConfidence.HIGH
    return AgeConfidence.MEDIUM


def _consents(child: PhoneChild, on: date) -> list[ConsentInput]:
    answers = (
        (ConsentKind.CAREGIVER_CONSENT, child.caregiver_consent),
        (ConsentKind.CHILD_ASSENT, child.child_assent),
    )
    return [
        ConsentInput(kind=kind, purpose=ConsentPurpose.IDENTIFICATION, given=given, obtained_on=on)
        for kind, given in answers
        if given is not None
    ]


@transaction.atomic
def household_visit_from_phone(
    *,
    actor: Any,
    instance_id: str,
    form_version: str,
    visited_on: date,
    household: PhoneHousehold,
    children: list[PhoneChild],
    notes: str = "",
) -> Visit:
    """Record a phone's household visit whole, or nothing; a known instanceID returns its visit."""
    key = phone_external_id(instance_id)
    existing = Visit.objects.filter(external_id=key).first()
    if existing is not None:
        return existing
    with _inputs_at("household"):
        home = household_create(
            actor=actor,
            area=household.area,
            head_name=household.head_name,
            phone=household.phone,
            location=household.location,
            members_count=household.members_count,
            mining_dependence=household.mining_dependence,
            school_cost_burden=household.school_cost_burden,
            external_id=key,
        )
    known = {
        child.external_id: child
        for child in Child.objects.filter(external_id__startswith=f"{key}:child:")
    }
    observations = []
    for index, seen in enumerate(children):
        child_key = f"{key}:child:{index + 1}"
        with _inputs_at(f"children[{index}]"):
            child = known.get(child_key) or child_register(
                actor=actor,
                household=home,
                first_name=seen.first_name,
                last_name=seen.last_name,
                sex=seen.sex,
                birth_date=seen.birth_date,
                estimated_age=seen.age if seen.birth_date is None else None,
                estimated_on=visited_on,
                age_evidence=seen.age_evidence,
                age_confidence=_age_confidence(seen),
                consents=_consents(seen, visited_on),
                external_id=child_key,
            )
        observations.append(
            ObservationInput(
                child=child,
                school_status=seen.school_status,
                activities=seen.activities,
                household_chores_hours=seen.household_chores_hours,
                worst_forms=seen.worst_forms,
                immediate_danger=seen.immediate_danger,
                notes=seen.notes,
            )
        )
    return visit_record(
        actor=actor,
        kind=VisitKind.HOUSEHOLD,
        visited_on=visited_on,
        facilitator=actor,
        observations=observations,
        source=VisitSource.ODK,
        household=home,
        external_id=key,
        form_version=form_version,
        notes=notes,
    )
