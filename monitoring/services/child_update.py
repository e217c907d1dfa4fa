"""Correcting a child's record: names and date of birth, and joining the household once found.

A corrected date of birth changes the child's age on every visit, and so what each visit
found: the visits are classified again, the identification follows, and the audit event says
which categories moved (never the names, nor the dates themselves).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import Action
from audit.services import record_event
from core.crypto import normalise_name
from core.errors import DomainError
from monitoring.choices import IDENTIFYING_CATEGORIES, ConsentKind, ConsentPurpose
from monitoring.classification import Category
from monitoring.models import Child, Household, Observation
from monitoring.services import duplicates
from monitoring.services.children import (
    already_recorded,
    birth_date_from,
    check_birth_date_recordable,
    child_name_hash,
    duplicate_key,
    first_name_hash,
    has_consent,
    same_child,
)
from monitoring.services.classification import (
    ACTIVITIES_WITH_TASKS,
    classify_stored,
    ruleset_in_force,
)
from monitoring.services.households import ENCRYPTED
from monitoring.services.identifications import identify, reassess_open_identification
from monitoring.services.scope import require_recording_right


@transaction.atomic
def child_update(
    *,
    actor: Any,
    child: Child,
    first_name: str,
    last_name: str,
    birth_date: Any,
    birth_date_is_estimated: bool = False,
) -> Child:
    """Correct a child's first name or date of birth, or add or correct the last name.

    The last name follows the registration rule: kept only once a caregiver consented to
    identification (a last name without it is refused, never silently dropped). The audit
    event says which fields changed, never their values. A new date of birth re-classifies
    the child's visits at their corrected ages (`reclassify_child`).
    """
    require_recording_right(actor, child.community)
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
    first_visit = Observation.objects.filter(child=child).order_by("visit__visited_on").first()
    if first_visit is not None and born > first_visit.visit.visited_on:
        raise DomainError(
            "child.born_after_a_visit",
            _("The child was seen on a visit on %(day)s, before this date of birth.")
            % {"day": first_visit.visit.visited_on.isoformat()},
            field="birth_date",
        )
    key = duplicate_key(first_name, born, child.household, child.area)
    same = same_child(key, other_than=child)
    if same is not None:
        raise already_recorded(same.code, in_household=child.household_id is not None)
    changes: dict[str, Any] = {}
    for name, new in (("first_name", first_name), ("last_name", last_name)):
        if getattr(child, name) != new:
            changes[name] = ENCRYPTED  # never the names, not even in the audit log
    born_changed = child.birth_date != born
    if born_changed:
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
    if born_changed:
        changes["classification"] = reclassify_child(actor=actor, child=child)
    record_event(actor=actor, action=Action.CHILD_UPDATE, subject=child, changes=changes)
    duplicates.find_candidates(child)
    return child


def reclassify_child(*, actor: Any, child: Child) -> dict[str, Any]:
    """Classify each of the child's visits again at the child's age that day, then open or
    update the identification to match. Returns what moved, for the audit trail: the number
    of visits re-run and each category move (`"not_applicable->child_labour": 1`)."""
    ruleset = ruleset_in_force()
    observations = list(
        Observation.objects.filter(child=child)
        .select_related("visit__site")
        .prefetch_related(ACTIVITIES_WITH_TASKS)
        .order_by("visit__visited_on", "id")
    )
    moves: Counter[str] = Counter()
    now_identifying: list[tuple[Observation, Category]] = []
    for observation in observations:
        age = child.age_on(observation.visit.visited_on)
        result = classify_stored(observation, ruleset, age=age)
        old = Category(observation.category)
        if result.category != old:
            moves[f"{old.value}->{result.category.value}"] += 1
            if result.category in IDENTIFYING_CATEGORIES and (
                result.category.severity > old.severity
            ):
                now_identifying.append((observation, result.category))
        observation.age_at_visit = age
        observation.category = result.category.value
        observation.reasons = list(result.reason_ids)
        observation.ruleset = result.ruleset_ref
        observation.classified_at = timezone.now()
    Observation.objects.bulk_update(
        observations, ["age_at_visit", "category", "reasons", "ruleset", "classified_at"]
    )
    # In visit order, so that the earliest visit that now finds child labour is the first.
    for observation, category in now_identifying:
        identify(actor=actor, observation=observation, category=category)
    reassess_open_identification(actor=actor, child=child)
    return {"visits": len(observations), "moves": dict(moves)}


@transaction.atomic
def child_attach_household(*, actor: Any, child: Child, household: Household) -> Child:
    """A child met without a known household (on a mine site, say) joins it once found.

    The actor must be able to record both where the child was met and in the household's
    community. A record of the same child already in that household is refused: the two
    records are then merged from the duplicates page instead.
    """
    if child.household_id is not None:
        raise DomainError(
            "child.has_household",
            _("This child already belongs to household %(code)s.")
            % {"code": child.household.code if child.household else ""},
            field="household",
        )
    if child.merged_into_id is not None:
        raise DomainError(
            "child.merged", _("This child record was merged into another."), field="household"
        )
    require_recording_right(actor, child.community)
    require_recording_right(actor, household.area)
    key = duplicate_key(child.first_name, child.birth_date, household)
    same = same_child(key, other_than=child)
    if same is not None:
        raise already_recorded(same.code)
    met_in = child.area_id
    child.household = household
    child.area = None
    child.duplicate_key = key
    child.updated_at = timezone.now()
    child.save(update_fields=["household", "area", "duplicate_key", "updated_at"])
    record_event(
        actor=actor,
        action=Action.CHILD_ATTACH_HOUSEHOLD,
        subject=child,
        changes={"household": household.pk, "met_in": met_in},
    )
    duplicates.find_candidates(child)
    return child
