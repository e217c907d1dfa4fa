"""When monitoring finds a child in child labour who already has a case.

`monitoring.services.identifications.identify` asks `absorb_identification` first (a lazy
import: cases depends on monitoring, not the other way round). A child with an open case gets
no second identification or referral: the finding goes on the case timeline for the case
manager. A closed case still under post-closure monitoring is reopened (a relapse).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction

from audit.actions import Action
from audit.services import record_event
from cases.choices import OPEN_CASE_STATES, CaseEventKind
from cases.models import Case
from cases.services.closure import is_under_post_closure_monitoring, reopen_after_relapse
from cases.services.state import add_event, lock_case
from monitoring.classification import Category
from monitoring.models import Observation

# The case whose follow-up is being recorded in this context: its own visit is handled by
# case_record_follow_up (relapse), not reported back to it as a re-identification.
_follow_up_case_id: ContextVar[int | None] = ContextVar("follow_up_case_id", default=None)


@contextmanager
def recording_follow_up(case_id: int) -> Iterator[None]:
    token = _follow_up_case_id.set(case_id)
    try:
        yield
    finally:
        _follow_up_case_id.reset(token)


@transaction.atomic
def absorb_identification(*, actor: Any, observation: Observation, category: Category) -> bool:
    """True when the child's case takes this finding, so no identification is opened."""
    open_case = (
        Case.objects.filter(child_id=observation.child_id, state__in=OPEN_CASE_STATES)
        .only("pk")
        .first()
    )
    if open_case is not None:
        if _follow_up_case_id.get() == open_case.pk:
            return True
        case = lock_case(open_case.pk)
        add_event(
            case,
            kind=CaseEventKind.REIDENTIFIED,
            actor=actor,
            from_state=case.state,
            to_state=case.state,
            detail=category.value,
            observation=observation,
        )
        record_event(
            actor=actor,
            action=Action.CASE_REIDENTIFIED,
            subject=case,
            changes={"observation": observation.pk, "category": category.value},
        )
        return True
    latest = Case.objects.filter(child_id=observation.child_id).order_by("-opened_at", "-id")
    closed = latest.only("pk").first()
    if closed is None:
        return False
    case = lock_case(closed.pk)
    if not is_under_post_closure_monitoring(case):
        return False
    reopen_after_relapse(
        actor=actor,
        case=case,
        expected_version=case.version,
        note="",
        detail=category.value,
        observation=observation,
    )
    return True
