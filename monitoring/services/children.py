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
from monitoring.choices import AgeConfidence, AgeEvidence, ConsentKind, ConsentPurpose, Sex
from monitoring.models import Caregiver, Child, Consent, Household
from monitoring.services import duplicates
from monitoring.services.codes import new_code
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


def duplicate_key(first_name: str, birth_date: date, household: Household) -> str:
    return keyed_hash(
        "child", normalise_name(first_name), birth_date.isoformat(), str(household.pk)
    )


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
    if sex not in Sex.values:
        raise DomainError("child.sex", _("Choose girl or boy."), field="sex")
    if age_evidence not in AgeEvidence.values:
        raise DomainError(
            "child.age_evidence", _("Say how the age is known."), field="age_evidence"
        )
    if age_confidence not in AgeConfidence.values:
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


def already_recorded(code: str) -> DomainError:
    return DomainError(
        "child.already_recorded",
        _("This child is already recorded in this household as %(code)s.") % {"code": code},
        field="first_name",
    )


def validate_consent(*, actor: Any, consent: ConsentInput, household_id: int | None) -> None:
    """The rules a consent record must meet (`household_id`: the child's household)."""
    if consent.kind not in ConsentKind.values:
        raise DomainError("consent.kind", _("Unknown kind of consent."), field="consent_kind")
    if consent.purpose not in ConsentPurpose.values:
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


@transaction.atomic
def child_register(
    *,
    actor: Any,
    household: Household,
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
) -> Child:
    """Register a child in a household, with the consents obtained at the same time."""
    if external_id:
        existing = Child.objects.filter(external_id=external_id).first()
        if existing is not None:
            return existing
    require_recording_right(actor, household.area)
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
    key = duplicate_key(first_name, born, household)
    same = Child.objects.filter(duplicate_key=key, merged_into__isnull=True).first()
    if same is not None:
        raise already_recorded(same.code)
    child = Child.objects.create(
        code=new_code("CH"),
        household=household,
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
            "household": household.pk,
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
    require_recording_right(actor, child.household.area)
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


@transaction.atomic
def child_update(
    *,
    actor: Any,
    child: Child,
    first_name: str,
    last_name: str,
    birth_date: date,
    birth_date_is_estimated: bool = False,
) -> Child:
    """Correct a child's first name or date of birth, or add or correct the last name.

    The last name follows the registration rule: kept only once a caregiver consented to
    identification (a last name without it is refused, never silently dropped). The audit
    event says which fields changed, never their values.
    """
    require_recording_right(actor, child.household.area)
    if child.merged_into_id is not None:
        raise DomainError(
            "child.merged", _("This child record was merged into another."), field="first_name"
        )
    first_name, last_name = first_name.strip(), last_name.strip()
    if not normalise_name(first_name):
        raise DomainError(
            "child.first_name_required", _("Give the child's first name."), field="first_name"
        )
    born, _estimated = birth_date_from(birth_date=birth_date, estimated_age=None, estimated_on=None)
    check_birth_date_recordable(born)
    if last_name and not has_consent(
        child, ConsentKind.CAREGIVER_CONSENT, ConsentPurpose.IDENTIFICATION
    ):
        raise DomainError(
            "child.last_name_without_consent",
            _("A last name is kept only once a caregiver has consented to identification."),
            field="last_name",
        )
    key = duplicate_key(first_name, born, child.household)
    same = (
        Child.objects.filter(duplicate_key=key, merged_into__isnull=True)
        .exclude(pk=child.pk)
        .first()
    )
    if same is not None:
        raise already_recorded(same.code)
    changes: dict[str, Any] = {}
    for name, new in (("first_name", first_name), ("last_name", last_name)):
        if getattr(child, name) != new:
            changes[name] = ENCRYPTED  # never the names, not even in the audit log
    if child.birth_date != born:
        changes["birth_date"] = "changed"  # the date itself stays out of the log
    if child.birth_date_is_estimated != birth_date_is_estimated:
        changes["birth_date_is_estimated"] = {
            "old": child.birth_date_is_estimated,
            "new": birth_date_is_estimated,
        }
    if not changes:
        return child
    child.first_name = first_name
    child.last_name = last_name
    child.name_hash = child_name_hash(first_name, last_name)
    child.first_name_hash = first_name_hash(first_name)
    child.birth_date = born
    child.birth_date_is_estimated = birth_date_is_estimated
    child.duplicate_key = key
    child.updated_at = timezone.now()
    child.save()
    record_event(actor=actor, action=Action.CHILD_UPDATE, subject=child, changes=changes)
    duplicates.find_candidates(child)
    return child
