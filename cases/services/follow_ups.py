"""Follow-ups: the same questions as a monitoring visit, classified by the same engine.

A follow-up is recorded through `monitoring.services.visits.visit_record` (kind follow_up) and
the resulting observation is linked to a FollowUp row, so that what counts as child labour is
decided in one place and re-run by `manage.py reclassify` like every other observation.
A follow-up that finds child labour is a relapse: the case returns to assessment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit.actions import Action
from audit.services import record_event
from cases.choices import CaseEventKind, CaseState
from cases.models import Case, FollowUp
from cases.policy import next_follow_up_due
from cases.services.reidentification import recording_follow_up
from cases.services.state import begin, move, relapse_resets, require_state
from core.errors import DomainError
from monitoring.choices import IDENTIFYING_CATEGORIES, VisitKind
from monitoring.classification import Category
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record


@transaction.atomic
def case_record_follow_up(
    *,
    actor: Any,
    case: Case,
    expected_version: int,
    visited_on: date,
    school_status: str,
    activities: Sequence[ActivityInput] = (),
    household_chores_hours: Decimal | float | int | str = 0,
    worst_forms: Sequence[str] = (),
    immediate_danger: bool = False,
    in_training: bool = False,
    notes: str = "",
) -> FollowUp:
    """Record a follow-up visit of the case's child; a finding of child labour is a relapse.

    The visit is recorded with `actor=None` because monitoring's recording right belongs to
    facilitators; the case right was checked here, and the follow-up's audit row names the
    case manager.
    """
    case = begin(actor, case, expected_version)
    require_state(case, CaseState.IN_REMEDIATION, CaseState.FOLLOW_UP)
    started_on = case.remediation_started_on
    if started_on is None or visited_on < started_on:
        raise DomainError(
            "follow_up.before_remediation",
            _("A follow-up comes after remediation started."),
            field="visited_on",
        )
    last = case.follow_ups.order_by("-visited_on", "-id").first()
    if last is not None and visited_on < last.visited_on:
        raise DomainError(
            "follow_up.out_of_order",
            _("A later follow-up is already recorded, on %(date)s.")
            % {"date": last.visited_on.isoformat()},
            field="visited_on",
        )
    with recording_follow_up(case.pk):
        visit = visit_record(
            actor=None,
            kind=VisitKind.FOLLOW_UP,
            visited_on=visited_on,
            facilitator=actor,
            household=case.child.household,
            observations=[
                ObservationInput(
                    child=case.child,
                    school_status=school_status,
                    activities=tuple(activities),
                    household_chores_hours=household_chores_hours,
                    worst_forms=tuple(worst_forms),
                    immediate_danger=immediate_danger,
                    notes=notes,
                )
            ],
        )
    observation = visit.observations.get(child=case.child)
    follow_up = FollowUp.objects.create(
        case=case,
        observation=observation,
        visited_on=visited_on,
        in_training=in_training,
        recorded_by=actor,
    )
    relapse = Category(observation.category) in IDENTIFYING_CATEGORIES
    record_event(
        actor=actor,
        action=Action.FOLLOW_UP_RECORD,
        subject=follow_up,
        changes={
            "case": case.pk,
            "visit": visit.pk,
            "category": observation.category,
            "school_status": school_status,
            "in_training": in_training,
            "relapse": relapse,
        },
    )
    if relapse:
        relapse_resets(case)
        move(
            actor=actor,
            case=case,
            expected_version=expected_version,
            to_state=CaseState.ASSESSMENT,
            kind=CaseEventKind.RELAPSE,
            observation=observation,
            remediation_started_on=None,
            next_follow_up_due_on=None,
        )
    else:
        done_since_start = case.follow_ups.filter(visited_on__gte=started_on).count()
        move(
            actor=actor,
            case=case,
            expected_version=expected_version,
            to_state=CaseState.FOLLOW_UP,
            kind=CaseEventKind.FOLLOW_UP,
            observation=observation,
            next_follow_up_due_on=next_follow_up_due(
                remediation_started_on=started_on,
                follow_ups_since_start=done_since_start,
                last_visit_on=visited_on,
            ),
        )
    follow_up.case = case
    return follow_up
