"""The closure rule: when a case may close as a success (docs/cases.md).

Completed: the N most recent follow-ups (N = KINGA_CLOSURE_CLEAN_FOLLOW_UPS, default 2) all
found no child labour and the child attending school (regularly or irregularly) or training,
and no other visit since the first of them found the child working. A relapse is a follow-up
with child labour, so it breaks the run and the count starts again after it.

Decent work: the young person is of working age (16), a decent-work placement in the plan is
done, and the latest follow-up found no child labour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import PlanItemKind, PlanItemStatus
from cases.models import Case, FollowUp, PlanItem
from cases.policy import ENROLLED_SCHOOL_STATUSES, WORKING_AGE, follow_up_policy
from monitoring.choices import IDENTIFYING_CATEGORIES
from monitoring.classification import Category
from monitoring.models import Observation


@dataclass(frozen=True)
class ClosureRuleStatus:
    """Where a case stands against the closure rule; the refusals are sentences for people."""

    clean_follow_ups: int
    needed: int
    completed_refusal: str | None
    decent_work_refusal: str | None

    @property
    def completed_met(self) -> bool:
        return self.completed_refusal is None

    @property
    def decent_work_met(self) -> bool:
        return self.decent_work_refusal is None


def found_child_labour(follow_up: FollowUp) -> bool:
    return Category(follow_up.observation.category) in IDENTIFYING_CATEGORIES


def is_clean(follow_up: FollowUp) -> bool:
    """No child labour, and in school or training."""
    in_school = follow_up.observation.school_status in ENROLLED_SCHOOL_STATUSES
    return not found_child_labour(follow_up) and (in_school or follow_up.in_training)


def _completed_refusal(
    case: Case, newest_first: list[FollowUp], needed: int
) -> tuple[int, str | None]:
    clean = 0
    for follow_up in newest_first:
        if not is_clean(follow_up):
            break
        clean += 1
    if clean < needed:
        return clean, _(
            "The case can close as a success after %(needed)s follow-ups in a row with no "
            "child labour and the child in school or training; it has %(clean)s."
        ) % {"needed": needed, "clean": clean}
    first = newest_first[needed - 1]
    # Recorded after the first counted follow-up: a later day, or the same day but later.
    after_run_start = Q(visit__visited_on__gt=first.visited_on) | Q(
        visit__visited_on=first.visited_on, pk__gt=first.observation_id
    )
    working_since = (
        Observation.objects.filter(
            after_run_start,
            child_id=case.child_id,
            category__in=[category.value for category in IDENTIFYING_CATEGORIES],
        )
        .order_by("-visit__visited_on")
        .select_related("visit")
        .first()
    )
    if working_since is not None:
        return clean, _(
            "A monitoring visit on %(date)s found the child working during these follow-ups."
        ) % {"date": working_since.visit.visited_on.isoformat()}
    return clean, None


def _decent_work_refusal(case: Case, newest_first: list[FollowUp], on: date) -> str | None:
    age = case.child.age_on(on)
    if age < WORKING_AGE:
        return _(
            "A case closes on decent work only from the age of %(working_age)s; this child "
            "is %(age)s."
        ) % {"working_age": WORKING_AGE, "age": age}
    placed = PlanItem.objects.filter(
        plan__case=case, kind=PlanItemKind.DECENT_WORK_PLACEMENT, status=PlanItemStatus.DONE
    ).exists()
    if not placed:
        return _("No decent-work placement in the plan is recorded as done.")
    if not newest_first or found_child_labour(newest_first[0]):
        return _("The latest follow-up must find no child labour.")
    return None


def closure_rule_status(case: Case, *, on: date | None = None) -> ClosureRuleStatus:
    day = on or timezone.localdate()
    needed = follow_up_policy().clean_follow_ups_to_close
    newest_first = list(
        case.follow_ups.select_related("observation").order_by("-visited_on", "-id")
    )
    clean, completed_refusal = _completed_refusal(case, newest_first, needed)
    return ClosureRuleStatus(
        clean_follow_ups=clean,
        needed=needed,
        completed_refusal=completed_refusal,
        decent_work_refusal=_decent_work_refusal(case, newest_first, day),
    )
