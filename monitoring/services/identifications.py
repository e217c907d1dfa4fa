"""Identification: a child found in child labour gets a referral deadline by urgency.

Worst forms or immediate danger: 24 hours. Hazardous child labour: 72 hours. Other child
labour: 7 days (DESIGN.md, case lifecycle). A child already waiting keeps one identification,
which a new finding can make more urgent but never less.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import record_event
from monitoring.choices import IDENTIFYING_CATEGORIES, IdentificationStatus, Urgency
from monitoring.classification import Category
from monitoring.models import Child, Identification, Observation

URGENCY_WINDOWS = {
    Urgency.IMMEDIATE: timedelta(hours=24),
    Urgency.HIGH: timedelta(hours=72),
    Urgency.STANDARD: timedelta(days=7),
}
_URGENCY_RANK = {Urgency.STANDARD: 0, Urgency.HIGH: 1, Urgency.IMMEDIATE: 2}


def urgency_for(category: Category, *, immediate_danger: bool) -> Urgency:
    if category == Category.WORST_FORMS or immediate_danger:
        return Urgency.IMMEDIATE
    if category == Category.HAZARDOUS_CHILD_LABOUR:
        return Urgency.HIGH
    return Urgency.STANDARD


def visit_moment(visited_on: date, now: datetime) -> datetime:
    """When the child was seen, as far as we know: now for a visit entered on its day, else the
    end of the visit day (local time). A visit records its day, not its hour, so the end of
    the day is the latest moment it can have happened: a late entry never restarts the clock,
    and the delay counted is never more than what really passed."""
    end_of_day = timezone.make_aware(datetime.combine(visited_on + timedelta(days=1), time.min))
    return min(now, end_of_day)


def deadline_for(urgency: Urgency, *, visited_on: date, now: datetime) -> datetime:
    """The referral deadline runs from the visit, not from data entry: a visit entered three
    days late with a 24-hour deadline is already overdue."""
    return visit_moment(visited_on, now) + URGENCY_WINDOWS[urgency]


def new_identification(
    *, observation: Observation, category: Category, urgency: Urgency, now: datetime
) -> Identification:
    """An unsaved identification for a child with none open."""
    return Identification(
        child=observation.child,
        first_observation=observation,
        latest_observation=observation,
        category=category.value,
        urgency=urgency,
        identified_at=now,
        deadline_at=deadline_for(urgency, visited_on=observation.visit.visited_on, now=now),
        area=observation.visit.area,
    )


def merge_finding(
    current: Identification,
    *,
    observation: Observation,
    category: Category,
    urgency: Urgency,
    now: datetime,
) -> dict[str, Any]:
    """Link a new finding to the open identification (in memory): it can make it more severe,
    more urgent, or due sooner, never less. Returns the changes, for the audit trail."""
    deadline = deadline_for(urgency, visited_on=observation.visit.visited_on, now=now)
    changes: dict[str, Any] = {"latest_observation": observation.pk}
    current.latest_observation = observation
    if Category(category).severity > Category(current.category).severity:
        changes["category"] = {"old": current.category, "new": category.value}
        current.category = category.value
    if _URGENCY_RANK[urgency] > _URGENCY_RANK[Urgency(current.urgency)]:
        changes["urgency"] = {"old": current.urgency, "new": urgency.value}
        current.urgency = urgency
    if deadline < current.deadline_at:
        changes["deadline_at"] = {
            "old": current.deadline_at.isoformat(),
            "new": deadline.isoformat(),
        }
        current.deadline_at = deadline
    return changes


@transaction.atomic
def identify(*, actor: Any, observation: Observation, category: Category) -> Identification | None:
    """Open an identification for the observed child, or update the one already open.

    None when the child already has a case: the case takes the finding (cases module).
    """
    # Imported here: cases depends on monitoring, so a module-level import would be a cycle.
    from cases.services.reidentification import absorb_identification

    if absorb_identification(actor=actor, observation=observation, category=category):
        return None
    urgency = urgency_for(category, immediate_danger=observation.immediate_danger)
    now = timezone.now()
    current = (
        Identification.objects.select_for_update()
        .filter(child=observation.child, status=IdentificationStatus.OPEN)
        .first()
    )
    if current is None:
        identification = new_identification(
            observation=observation, category=category, urgency=urgency, now=now
        )
        identification.save()
        record_event(
            actor=actor,
            action=Action.IDENTIFICATION_CREATE,
            subject=identification,
            changes={
                "category": category.value,
                "urgency": urgency.value,
                "child": observation.child_id,
            },
        )
        return identification
    changes = merge_finding(
        current, observation=observation, category=category, urgency=urgency, now=now
    )
    current.save()
    record_event(actor=actor, action=Action.IDENTIFICATION_UPDATE, subject=current, changes=changes)
    return current


def reassess_open_identification(*, actor: Any, child: Child) -> dict[str, Any] | None:
    """Make the child's open identification follow what their visits find now.

    Used after a correction re-classified the child's visits (a corrected date of birth): a
    finding can then be milder than when the child was identified, which `identify` never
    lowers. When no visit finds child labour any more, the identification is closed; else its
    category and urgency become those of the most severe visit. The deadline is never moved
    later. Returns the changes (also audited), or None when nothing was open or changed.
    """
    current = (
        Identification.objects.select_for_update()
        .filter(child=child, status=IdentificationStatus.OPEN)
        .first()
    )
    if current is None:
        return None
    findings = [
        (Category(category), danger)
        for category, danger in Observation.objects.filter(
            child=child, category__in=[category.value for category in IDENTIFYING_CATEGORIES]
        ).values_list("category", "immediate_danger")
    ]
    changes: dict[str, Any] = {}
    if not findings:
        changes["status"] = {"old": current.status, "new": IdentificationStatus.CLOSED.value}
        current.status = IdentificationStatus.CLOSED
    else:
        category = max((found for found, _danger in findings), key=lambda c: c.severity)
        urgency = max(
            (urgency_for(found, immediate_danger=danger) for found, danger in findings),
            key=_URGENCY_RANK.__getitem__,
        )
        if category.value != current.category:
            changes["category"] = {"old": current.category, "new": category.value}
            current.category = category.value
        if urgency != current.urgency:
            changes["urgency"] = {"old": current.urgency, "new": urgency.value}
            current.urgency = urgency
    if not changes:
        return None
    current.save()
    changes["because"] = "visits re-classified after a correction of the child's record"
    record_event(actor=actor, action=Action.IDENTIFICATION_UPDATE, subject=current, changes=changes)
    return changes
