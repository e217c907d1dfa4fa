"""Monitoring records built through the services, as production builds them."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from monitoring.choices import AgeConfidence, AgeEvidence, ConsentKind, ConsentPurpose, Sex
from monitoring.services.children import ConsentInput, child_register
from monitoring.services.households import household_create


def make_household(actor, area, head_name="Kabila Mwamba", **extra):
    return household_create(actor=actor, area=area, head_name=head_name, members_count=5, **extra)


def identification_consent(on: date | None = None) -> ConsentInput:
    return ConsentInput(
        kind=ConsentKind.CAREGIVER_CONSENT,
        purpose=ConsentPurpose.IDENTIFICATION,
        given=True,
        obtained_on=on or timezone.localdate(),
    )


def make_child(actor, household, first_name="Amani", birth_date=date(2013, 3, 1), **extra):
    extra.setdefault("consents", [identification_consent()])
    extra.setdefault("last_name", "Ilunga")
    return child_register(
        actor=actor,
        household=household,
        first_name=first_name,
        sex=extra.pop("sex", Sex.FEMALE),
        birth_date=birth_date,
        age_evidence=AgeEvidence.CAREGIVER_REPORT,
        age_confidence=AgeConfidence.MEDIUM,
        **extra,
    )
