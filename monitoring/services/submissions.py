"""A household visit sent from a phone (ODK Collect / KoboCollect) becoming records.

It goes through `visit_enter`, the path of the web form, so every rule lives once; this module
only turns the phone's answers into a `VisitEntry` whose records carry ids derived from the
submission's instanceID (`odk:<uuid>`, `odk:<uuid>:child:<n>`), so that processing a
submission again, after a crash or a correction, finds what was already made instead of
making it twice. Refusals carry the path of the input at fault, as on the web form.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from monitoring.choices import AgeConfidence, AgeEvidence, VisitKind, VisitSource
from monitoring.models import Visit
from monitoring.services.visit_entry import (
    ChildSeen,
    NewChild,
    NewHousehold,
    VisitEntry,
    visit_enter,
)
from monitoring.services.visits import ActivityInput

PHONE_ID_PREFIX = "odk:"

# The household part of the phone form has exactly the web form's fields (and the GPS point).
PhoneHousehold = NewHousehold


@dataclass(frozen=True)
class PhoneChild:
    """One child of the phone form's repeat group, as flat as the form sends it: the phone
    gives an age or a date of birth, and the confidence in it follows from the evidence."""

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

    def seen(self, *, external_id: str) -> ChildSeen:
        """The same child as the web form describes a new one."""
        return ChildSeen(
            school_status=self.school_status,
            new_child=NewChild(
                first_name=self.first_name,
                last_name=self.last_name,
                sex=self.sex,
                age_evidence=self.age_evidence,
                age_confidence=self._age_confidence(),
                birth_date=self.birth_date,
                estimated_age=self.age if self.birth_date is None else None,
                external_id=external_id,
            ),
            caregiver_consent=self.caregiver_consent,
            child_assent=self.child_assent,
            activities=self.activities,
            household_chores_hours=self.household_chores_hours,
            worst_forms=self.worst_forms,
            immediate_danger=self.immediate_danger,
            notes=self.notes,
        )

    def _age_confidence(self) -> str:
        if self.birth_date is None:
            return AgeConfidence.LOW
        if self.age_evidence == AgeEvidence.BIRTH_CERTIFICATE:
            return AgeConfidence.HIGH
        return AgeConfidence.MEDIUM


def phone_external_id(instance_id: str) -> str:
    return f"{PHONE_ID_PREFIX}{instance_id.removeprefix('uuid:')}"


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
    entry = VisitEntry(
        kind=VisitKind.HOUSEHOLD,
        visited_on=visited_on,
        new_household=replace(household, external_id=key),
        children=[
            child.seen(external_id=f"{key}:child:{number}")
            for number, child in enumerate(children, start=1)
        ],
        notes=notes,
        source=VisitSource.ODK,
        external_id=key,
        form_version=form_version,
    )
    return visit_enter(actor=actor, entry=entry)
