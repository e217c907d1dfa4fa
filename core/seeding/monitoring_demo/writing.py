"""Writing the plan: only rows whose key is missing, with bulk_create in batches (which still
encrypts names, in `EncryptedTextField.get_prep_value`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.utils import timezone

from core.seeding import monitoring_rows as rows
from core.seeding.monitoring_demo.households import KEY_PREFIX, PlannedChild, PlannedHousehold
from core.seeding.monitoring_demo.plan import DemoPlan, plan_demo
from core.seeding.monitoring_demo.visits import PlannedObservation, PlannedVisit
from monitoring.choices import ConsentKind, ConsentPurpose, VisitSource
from monitoring.models import (
    Activity,
    Caregiver,
    Child,
    Consent,
    Household,
    Identification,
    Observation,
    Task,
    Visit,
)
from monitoring.services.children import child_name_hash, duplicate_key, first_name_hash
from monitoring.services.duplicates import find_candidates
from monitoring.services.households import head_name_hash

BATCH_SIZE = 1000
_FORM_VERSION: dict[str, str] = {VisitSource.ODK: "2025.06"}

M = TypeVar("M", bound=models.Model)

if TYPE_CHECKING:  # demo.py imports this module to list its step
    from core.seeding.demo import DemoContext


def seed_monitoring(context: DemoContext) -> None:
    """Write whatever part of the planned monitoring data is missing."""
    plan = plan_demo(now=timezone.now())
    created = _write(context, plan)
    for label, count in created.items():
        if count:
            context.created[label] += count
    if any(created.values()):
        rows.refresh_statistics()


def _bulk(model: type[M], objects: Iterable[M]) -> list[M]:
    saved: list[M] = []
    iterator = iter(objects)
    while batch := list(islice(iterator, BATCH_SIZE)):
        saved.extend(model._default_manager.bulk_create(batch))
    return saved


def _existing(model: type[models.Model]) -> dict[str, int]:
    return dict(
        model._default_manager.filter(external_id__startswith=KEY_PREFIX).values_list(
            "external_id", "id"
        )
    )


def _write(context: DemoContext, plan: DemoPlan) -> dict[str, int]:
    created: dict[str, int] = {}
    users = {username: user.pk for username, user in context.users.items()}
    areas = {code: area.pk for code, area in context.areas.items()}
    sites = {code: site.pk for code, site in context.sites.items()}

    household_ids = _existing(Household)
    new_households = [h for h in plan.households if h.key not in household_ids]
    saved = _bulk(Household, (_household_row(h, areas, users) for h in new_households))
    household_ids.update({row.external_id or "": row.pk for row in saved})
    created["households"] = len(saved)
    caregivers = _bulk(
        Caregiver,
        (
            Caregiver(
                household_id=household_ids[h.key],
                name=c.name,
                relationship=c.relationship,
                phone=c.phone,
                is_head=c.is_head,
            )
            for h in new_households
            for c in h.caregivers
        ),
    )
    created["caregivers"] = len(caregivers)
    heads = dict(
        Caregiver.objects.filter(
            household__external_id__startswith=KEY_PREFIX, is_head=True
        ).values_list("household_id", "id")
    )

    child_ids = _existing(Child)
    new_children = [c for c in plan.children if c.key not in child_ids]
    saved_children = _bulk(Child, (_child_row(c, household_ids, users) for c in new_children))
    child_ids.update({row.external_id or "": row.pk for row in saved_children})
    created["children"] = len(saved_children)
    consents = _bulk(
        Consent,
        (
            consent
            for child in new_children
            for consent in _consents(
                child, child_ids=child_ids, household_ids=household_ids, heads=heads, users=users
            )
        ),
    )
    created["consents"] = len(consents)

    visit_ids = _existing(Visit)
    new_visits = [v for v in plan.visits if v.key not in visit_ids]
    saved_visits = _bulk(
        Visit, (_visit_row(v, household_ids, areas, sites, users) for v in new_visits)
    )
    visit_ids.update({row.external_id or "": row.pk for row in saved_visits})
    created["visits"] = len(saved_visits)
    observations = _bulk(
        Observation,
        (
            _observation_row(o, visit_ids[v.key], child_ids[o.child.key], v.at)
            for v in new_visits
            for o in v.observations
        ),
    )
    created["observations"] = len(observations)
    tasks = dict(Task.objects.values_list("code", "id"))
    planned = (o for v in new_visits for o in v.observations)
    activities = _bulk(
        Activity,
        (
            Activity(
                observation_id=row.pk,
                task_id=tasks[fact.task_code],
                sector=fact.sector,
                hours_per_week=fact.hours_per_week,
                hazards=list(fact.hazards),
                night=fact.night,
            )
            for row, observation in zip(observations, planned, strict=True)
            for fact in observation.facts.activities
        ),
    )
    created["activities"] = len(activities)
    created["identifications"] = _write_identifications(plan, visit_ids, child_ids, areas)

    # The duplicate review page's pairs come from the service that finds them at registration.
    new_keys = {child.key for child in new_children}
    twins = Child.objects.filter(
        pk__in=[child_ids[c.key] for c in plan.duplicates if c.key in new_keys]
    )
    created["duplicate candidates"] = sum(len(find_candidates(child)) for child in twins)
    return created


def _household_row(
    household: PlannedHousehold, areas: dict[str, int], users: dict[str, int]
) -> Household:
    return Household(
        code=household.code,
        area_id=areas[household.community.code],
        head_name=household.head_name,
        head_name_hash=head_name_hash(household.head_name),
        phone=household.phone,
        location=household.location,
        members_count=household.members_count,
        income_sources=list(household.livelihood.income_sources),
        mining_dependence=household.livelihood.mining_dependence,
        school_cost_burden=household.livelihood.school_cost_burden,
        external_id=household.key,
        created_by_id=users[household.community.facilitator],
        created_at=household.first_visit,
        updated_at=household.second_visit or household.first_visit,
    )


def _child_row(child: PlannedChild, household_ids: dict[str, int], users: dict[str, int]) -> Child:
    household_id = household_ids[child.household.key]
    # duplicate_key reads only the household's id.
    key = duplicate_key(child.first_name, child.birth_date, Household(pk=household_id))
    return Child(
        code=child.code,
        household_id=household_id,
        first_name=child.first_name,
        last_name=child.last_name,
        name_hash=child_name_hash(child.first_name, child.last_name),
        first_name_hash=first_name_hash(child.first_name),
        sex=child.sex,
        birth_date=child.birth_date,
        birth_date_is_estimated=child.estimated,
        age_evidence=child.age_evidence,
        age_confidence=child.age_confidence,
        duplicate_key=key,
        external_id=child.key,
        created_by_id=users[child.household.community.facilitator],
        created_at=child.registered_at,
        updated_at=child.registered_at,
    )


def _consents(
    child: PlannedChild,
    *,
    child_ids: dict[str, int],
    household_ids: dict[str, int],
    heads: dict[int, int],
    users: dict[str, int],
) -> list[Consent]:
    """The head's answer on identification; children of 12 and over are asked for assent."""
    household = child.household
    common: dict[str, Any] = {
        "child_id": child_ids[child.key],
        "purpose": ConsentPurpose.IDENTIFICATION,
        "obtained_by_id": users[household.community.facilitator],
        "obtained_on": child.registered_at.date(),
        "recorded_at": child.registered_at,
    }
    consents = [
        Consent(
            kind=ConsentKind.CAREGIVER_CONSENT,
            given=household.consent_given,
            caregiver_id=heads.get(household_ids[household.key]),
            notes="" if household.consent_given else _REFUSAL_NOTE,
            **common,
        )
    ]
    if household.consent_given and rows.age_on(child.birth_date, child.registered_at.date()) >= 12:
        consents.append(Consent(kind=ConsentKind.CHILD_ASSENT, given=True, **common))
    return consents


_REFUSAL_NOTE = "The caregiver agrees to the visit but not to giving the family name."


def _visit_row(
    visit: PlannedVisit,
    household_ids: dict[str, int],
    areas: dict[str, int],
    sites: dict[str, int],
    users: dict[str, int],
) -> Visit:
    return Visit(
        kind=visit.kind,
        visited_on=timezone.localtime(visit.at).date(),
        facilitator_id=users[visit.facilitator],
        area_id=areas[visit.area_code],
        household_id=household_ids[visit.household.key] if visit.household else None,
        site_id=sites[visit.site_code] if visit.site_code else None,
        source=visit.source,
        external_id=visit.key,
        form_version=_FORM_VERSION.get(visit.source, ""),
        created_at=visit.at,
    )


def _observation_row(
    observation: PlannedObservation, visit_id: int, child_id: int, at: datetime
) -> Observation:
    verdict = observation.verdict
    return Observation(
        visit_id=visit_id,
        child_id=child_id,
        age_at_visit=observation.age,
        household_chores_hours=observation.facts.chores_hours,
        school_status=observation.school_status,
        worst_forms=list(observation.facts.worst_forms),
        immediate_danger=observation.facts.immediate_danger,
        notes=observation.notes,
        category=verdict.category,
        reasons=list(verdict.reasons),
        ruleset=verdict.ruleset,
        classified_at=at,
    )


def _write_identifications(
    plan: DemoPlan, visit_ids: dict[str, int], child_ids: dict[str, int], areas: dict[str, int]
) -> int:
    """The desk's identifications, for children that have none yet."""
    have = set(
        Identification.objects.filter(child__external_id__startswith=KEY_PREFIX).values_list(
            "child_id", flat=True
        )
    )
    observation_ids = {
        (visit, child): pk
        for visit, child, pk in Observation.objects.filter(
            visit__external_id__startswith=KEY_PREFIX
        ).values_list("visit_id", "child_id", "id")
    }

    def observation_id(reference: tuple[str, str]) -> int | None:
        visit_key, child_key = reference
        if visit_key not in visit_ids or child_key not in child_ids:
            return None
        return observation_ids.get((visit_ids[visit_key], child_ids[child_key]))

    rows_to_write = []
    for child_key, found in plan.identifications.items():
        first, latest = observation_id(found.first), observation_id(found.latest)
        # Rows written by an earlier version of the plan keep the identification they have.
        if child_ids[child_key] in have or first is None or latest is None:
            continue
        rows_to_write.append(
            Identification(
                child_id=child_ids[child_key],
                first_observation_id=first,
                latest_observation_id=latest,
                category=found.category,
                urgency=found.urgency,
                identified_at=found.identified_at,
                deadline_at=found.deadline_at,
                area_id=areas[found.area],
            )
        )
    return len(_bulk(Identification, rows_to_write))
