"""The agency dashboard: an agency's caseload, deadlines and outcomes, from its own cases.

Read through access.cases (only the cases the user's agency holds); a handful of grouped
counts over an agency's cases, which the (agency, state) index serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from access.cases import cases_visible_to, referrals_visible_to
from cases.choices import (
    OPEN_CASE_STATES,
    SUCCESS_CLOSURES,
    CaseState,
    ClosureReason,
    ReferralStatus,
)

OUTCOME_MONTHS = 12


@dataclass(frozen=True)
class AgencyDashboard:
    open_by_state: list[tuple[str, int]]
    by_case_manager: list[tuple[str, int, int]]  # name, open cases, overdue steps
    overdue_steps: int
    overdue_follow_ups: int
    due_this_week: int
    referrals_waiting: int
    referrals_overdue: int
    closed_by_reason: list[tuple[str, int]]
    closed_total: int
    closed_successfully: int

    @property
    def open_total(self) -> int:
        return sum(n for _label, n in self.open_by_state)

    @property
    def success_share(self) -> float | None:
        return 100 * self.closed_successfully / self.closed_total if self.closed_total else None


def agency_dashboard(user: Any) -> AgencyDashboard:
    now = timezone.now()
    today = timezone.localdate()
    cases = cases_visible_to(user)
    open_cases = cases.filter(state__in=OPEN_CASE_STATES)
    states = dict(open_cases.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    deadlines = open_cases.aggregate(
        overdue_steps=Count("id", filter=Q(step_due_at__lt=now)),
        overdue_follow_ups=Count("id", filter=Q(next_follow_up_due_on__lt=today)),
        due_this_week=Count(
            "id",
            filter=Q(step_due_at__gte=now, step_due_at__lt=now + timedelta(days=7))
            | Q(
                next_follow_up_due_on__gte=today,
                next_follow_up_due_on__lt=today + timedelta(days=7),
            ),
        ),
    )
    managers = (
        open_cases.values("case_manager__full_name", "case_manager__username")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(step_due_at__lt=now)))
        .order_by("-n", "case_manager__username")
    )
    since = now - timedelta(days=30 * OUTCOME_MONTHS)
    closed = dict(
        cases.filter(state=CaseState.CLOSED, closed_at__gte=since)
        .values_list("closure_reason")
        .annotate(n=Count("id"))
        .values_list("closure_reason", "n")
    )
    referrals = (
        referrals_visible_to(user)
        .filter(status=ReferralStatus.PENDING)
        .aggregate(waiting=Count("id"), overdue=Count("id", filter=Q(deadline_at__lt=now)))
    )
    return AgencyDashboard(
        open_by_state=[
            (str(state.label), states.get(state.value, 0))
            for state in CaseState
            if state.value in OPEN_CASE_STATES
        ],
        by_case_manager=[
            (
                row["case_manager__full_name"] or row["case_manager__username"],
                row["n"],
                row["overdue"],
            )
            for row in managers
        ],
        overdue_steps=deadlines["overdue_steps"],
        overdue_follow_ups=deadlines["overdue_follow_ups"],
        due_this_week=deadlines["due_this_week"],
        referrals_waiting=referrals["waiting"],
        referrals_overdue=referrals["overdue"],
        closed_by_reason=[
            (str(reason.label), closed.get(reason.value, 0)) for reason in ClosureReason
        ],
        closed_total=sum(closed.values()),
        closed_successfully=sum(n for reason, n in closed.items() if reason in SUCCESS_CLOSURES),
    )
