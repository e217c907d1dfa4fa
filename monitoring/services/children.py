"""Registering children, their age evidence and their consent.

Privacy choice (docs/privacy.md): without a caregiver's consent to identification, Kinga keeps
only what protecting the child needs — first name, sex, age and household — and refuses to
store a last name. A child is never left unprotected for lack of a signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import Action
from audit.services import record_event
from core.crypto import keyed_hash, normalise_name
from core.errors import DomainError
from geo.models import Area
from monitoring.choices import (
    AgeConfidence,
    AgeEvidence,
    ConsentKind,
    ConsentPurpose,
    Sex,
    choice_values,
)
from monitoring.models import Caregiver, Child, Consent, Household
from monitoring.services import duplicates
from monitoring.services.codes import unused_codes
from monitoring.services.households import ENCRYPTED
from monitoring.services.scope import require_recording_right

OLDEST_AGE_RECORDED = 24  # youth up to 24 join decent-work programmes


@dataclass(frozen=True)
class ConsentInput:
    kind: str
    purpose: str
    given: bool
    obtained_on: date
    caregiver: Caregiver | None = None
    notes: str = ""


def child_name_hash(first_name: str, last_name: str) -> str:
    return keyed_hash("person-name", normalise_name(f"{first_name} {last_name}"))


def first_name_hash(first_name: str) -> str:
    return keyed_hash("first-name", normalise_name(first_name))


def duplicate_key(
    first_name: str, birth_date: date, household: Household | None, met_in: Area | None = None
) -> str:
    """The exact-duplicate key: name and birth date in one household, or, for a child whose
    household is not known, in the community where they were met."""
    place = str(household.pk) if household is not None else f"met-in:{_pk(met_in)}"
    return keyed_hash("child", normalise_name(first_name), birth_date.isoformat(), place)


def _pk(area: Area | None) -> int:
    if area is None:
        raise ValueError("a child without a household needs the community where they were met")
    return area.pk


def birth_date_from(
    *, birth_date: date | None, estimated_age: int | None, estimated_on: date | None
) -> tuple[date, bool]:
    """A date of birth, or one estimated from an age stated on a day (mid-year of birth)."""
    today = timezone.localdate()
    if birth_date is not None:
        if birth_date > today:
            raise DomainError(
                "child.birth_date_future",
                _("The date of birth is in the future."),
                field="birth_date",
            )
        return birth_date, False
    if estimated_age is None:
        raise DomainError(
            "child.age_required",
            _("Give a date of birth or an estimated age."),
            field="birth_date",
        )
    if not 0 <= estimated_age <= OLDEST_AGE_RECORDED:
        raise DomainError(
            "child.age_range",
            _("An estimated age must be between 0 and %(max)s.") % {"max": OLDEST_AGE_RECORDED},
            field="estimated_age",
        )
    on = estimated_on or today
    # Born about half a year before the last birthday: the middle of the possible range.
    estimated = date(on.year - estimated_age, on.month, 1) - timedelta(days=182)
    return estimated, True


@dataclass(frozen=True)
class CheckedChild:
    first_name: str
    last_name: str
    birth_date: date
    estimated: bool


def validate_child(
    *,
    first_name: str,
    last_name: str,
    sex: str,
    age_evidence: str,
    age_confidence: str,
    birth_date: date | None,
    estimated_age: int | None,
    estimated_on: date | None,
) -> CheckedChild:
    """The rules a new child record must meet, without the database (one place for every path)."""
    first_name, last_name = first_name.strip(), last_name.strip()
    if not normalise_name(first_name):
        raise DomainError(
            "child.first_name_required", _("Give the child's first name."), field="first_name"
        )
    if sex not in choice_values(Sex):
        raise DomainError("child.sex", _("Choose girl or boy."), field="sex")
    if age_evidence not in choice_values(AgeEvidence):
        raise DomainError(
            "child.age_evidence", _("Say how the age is known."), field="age_evidence"
        )
    if age_confidence not in choice_values(AgeConfidence):
        raise DomainError(
            "child.age_confidence", _("Say how sure the age is."), field="age_confidence"
        )
    born, estimated = birth_date_from(
        birth_date=birth_date, estimated_age=estimated_age, estimated_on=estimated_on
    )
    check_birth_date_recordable(born)
    return CheckedChild(first_name, last_name, born, estimated)


def check_birth_date_recordable(born: date) -> None:
    if (timezone.localdate() - born).days > (OLDEST_AGE_RECORDED + 1) * 366:
        raise DomainError(
            "child.too_old",
            _("Kinga records children and youth up to %(max)s years old.")
            % {"max": OLDEST_AGE_RECORDED},
            field="birth_date",
        )


def already_recorded(code: str, *, in_household: bool = True) -> DomainError:
    message = (
        _("This child is already recorded in this household as %(code)s.")
        if in_household
        else _("This child was already met in this community and recorded as %(code)s.")
    )
    return DomainError("child.already_recorded", message % {"code": code}, field="first_name")


def same_child(key: str, *, other_than: Child | None = None) -> Child | None:
    """The live record with this exact-duplicate key, if any (other than `other_than`)."""
    found = Child.objects.filter(duplicate_key=key, merged_into__isnull=True)
    if other_than is not None:
        found = found.exclude(pk=other_than.pk)
    return found.first()


def validate_consent(*, actor: Any, consent: ConsentInput, household_id: int | None) -> None:
    """The rules a consent record must meet (`household_id`: the child's household)."""
    if consent.kind not in choice_values(ConsentKind):
        raise DomainError("consent.kind", _("Unknown kind of consent."), field="consent_kind")
    if consent.purpose not in choice_values(ConsentPurpose):
        raise DomainError("consent.purpose", _("Unknown consent purpose."), field="consent_purpose")
    if consent.obtained_on > timezone.localdate():
        raise DomainError(
            "consent.future", _("Consent cannot be dated in the future."), field="obtained_on"
        )
    if consent.caregiver is not None and consent.caregiver.household_id != household_id:
        raise DomainError(
            "consent.caregiver", _("The caregiver is not of this household."), field="caregiver"
        )
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise DomainError("consent.who", _("Consent must be recorded by a named person."))


def latest_consent_given(consents: list[ConsentInput], kind: str, purpose: str) -> bool:
    """What `has_consent` would answer after recording `consents` in this order on a new child:
    the latest by date wins, the last recorded among those of the same date."""
    matching = [
        (consent.obtained_on, index, consent.given)
        for index, consent in enumerate(consents)
        if consent.kind == kind and consent.purpose == purpose
    ]
    return bool(matching) and max(matching)[2]


def has_consent(child: Child, kind: str, purpose: str) -> bool:
    latest = (
        child.consents.filter(kind=kind, purpose=purpose).order_by("-obtained_on", "-id").first()
    )
    return bool(latest and latest.given)


def _household_or_community(household: Household | None, met_in: Area | None) -> Area:
    if household is not None and met_in is None:
        return household.area
    if household is None and met_in is not None:
        return met_in
    raise DomainError(
        "child.household_or_community",
        _(
            "Give the child's household, or, if it is not known, the community where the "
            "child was met."
        ),
        field="household",
    )


@transaction.atomic
def child_register(
    *,
    actor: Any,
    first_name: str,
    sex: str,
    age_evidence: str,
    age_confidence: str,
    last_name: str = "",
    birth_date: date | None = None,
    estimated_age: int | None = None,
    estimated_on: date | None = None,
    consents: list[ConsentInput] | None = None,
    external_id: str | None = None,
    household: Household | None = None,
    met_in: Area | None = None,
) -> Child:
    """Register a child in a household, with the consents obtained at the same time.

    A child met on a site whose family is not known is registered `met_in` the community
    where they were met, without a household; `child_attach_household` adds it later.
    """
    if external_id:
        existing = Child.objects.filter(external_id=external_id).first()
        if existing is not None:
            return existing
    community = _household_or_community(household, met_in)
    require_recording_right(actor, community)
    checked = validate_child(
        first_name=first_name,
        last_name=last_name,
        sex=sex,
        age_evidence=age_evidence,
        age_confidence=age_confidence,
        birth_date=birth_date,
        estimated_age=estimated_age,
        estimated_on=estimated_on,
    )
    first_name, last_name, born, estimated = (
        checked.first_name,
        checked.last_name,
        checked.birth_date,
        checked.estimated,
    )
    key = duplicate_key(first_name, born, household, met_in)
    same = same_child(key)
    if same is not None:
        raise already_recorded(same.code, in_household=household is not None)
    child = Child.objects.create(
        code=unused_codes(Child, "CH", 1)[0],
        household=household,
        area=met_in if household is None else None,
        first_name=first_name,
        last_name="",
        name_hash=child_name_hash(first_name, ""),
        first_name_hash=first_name_hash(first_name),
        sex=sex,
        birth_date=born,
        birth_date_is_estimated=estimated,
        age_evidence=age_evidence,
        age_confidence=age_confidence,
        duplicate_key=key,
        external_id=external_id or None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    for consent in consents or []:
        _record_consent(actor=actor, child=child, consent=consent)
    stored_last_name = ""
    if last_name and has_consent(
        child, ConsentKind.CAREGIVER_CONSENT, ConsentPurpose.IDENTIFICATION
    ):
        stored_last_name = last_name
        child.last_name = last_name
        child.name_hash = child_name_hash(first_name, last_name)
        child.save(update_fields=["last_name", "name_hash"])
    record_event(
        actor=actor,
        action=Action.CHILD_CREATE,
        subject=child,
        changes={
            "household": household.pk if household is not None else None,
            "met_in": community.pk if household is None else None,
            "first_name": ENCRYPTED,
            "last_name": ENCRYPTED if stored_last_name else "",
            "last_name_withheld": bool(last_name and not stored_last_name),
            "sex": sex,
            "birth_date_is_estimated": estimated,
        },
    )
    duplicates.find_candidates(child)
    return child


@transaction.atomic
def consent_record(*, actor: Any, child: Child, consent: ConsentInput) -> Consent:
    require_recording_right(actor, child.community)
    return _record_consent(actor=actor, child=child, consent=consent)


def _record_consent(*, actor: Any, child: Child, consent: ConsentInput) -> Consent:
    validate_consent(actor=actor, consent=consent, household_id=child.household_id)
    row = Consent.objects.create(
        child=child,
        kind=consent.kind,
        purpose=consent.purpose,
        given=consent.given,
        caregiver=consent.caregiver,
        obtained_by=actor,
        obtained_on=consent.obtained_on,
        notes=consent.notes,
    )
    record_event(
        actor=actor,
        action=Action.CONSENT_RECORD,
        subject=child,
        changes={"kind": consent.kind, "purpose": consent.purpose, "given": consent.given},
    )
    return row
