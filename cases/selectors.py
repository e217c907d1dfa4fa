"""Reads for case pages, the API and dashboards, always on top of access/cases.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from access.cases import cases_visible_to, referrals_visible_to, transfer_summaries_visible_to
from cases.choices import OPEN_CASE_STATES, CaseState, ClosureStatus, PlanStatus, ReferralStatus
from cases.models import Case, CaseEvent, CaseTransfer, FollowUp, PlanItem, Referral
from core.pagination import DEFAULT_PAGE_SIZE, Page, keyset_page


def case_list(
    user: Any,
    *,
    search: str = "",
    state: str = "",
    mine: bool = False,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> Page[Case]:
    """Newest cases first. `search` matches the case number or the child's code."""
    queryset = cases_visible_to(user).select_related("child", "agency", "case_manager")
    if search := search.strip():
        queryset = queryset.filter(Q(number__icontains=search) | Q(child__code__iexact=search))
    if state in CaseState.values:
        queryset = queryset.filter(state=state)
    elif state == "open":
        queryset = queryset.filter(state__in=OPEN_CASE_STATES)
    if mine:
        queryset = queryset.filter(case_manager_id=getattr(user, "pk", None))
    return keyset_page(queryset, order=["-id"], cursor=cursor, size=limit)


def case_timeline(case: Case) -> list[CaseEvent]:
    """The events of a case the caller already fetched through get_case_for_user."""
    return list(case.events.select_related("actor", "observation").order_by("occurred_at", "id"))


def case_plan_items(case: Case) -> list[PlanItem]:
    return list(PlanItem.objects.filter(plan__case=case).order_by("starts_on", "id"))


def case_follow_ups(case: Case) -> list[FollowUp]:
    return list(
        case.follow_ups.select_related("observation", "recorded_by").order_by("-visited_on", "-id")
    )


def referral_list(
    user: Any,
    *,
    status: str = "",
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> Page[Referral]:
    """Referrals the user may see; pending ones are what an agency has to answer."""
    queryset = referrals_visible_to(user).select_related("child", "agency", "area")
    if status in ReferralStatus.values:
        queryset = queryset.filter(status=status)
    return keyset_page(queryset, order=["-id"], cursor=cursor, size=limit)


def overdue_referrals(user: Any, *, now: datetime | None = None) -> QuerySet[Referral]:
    """Referrals still waiting for an agency's answer after their deadline, oldest first."""
    return (
        referrals_visible_to(user)
        .filter(status=ReferralStatus.PENDING, deadline_at__lt=now or timezone.now())
        .select_related("child", "agency")
        .order_by("deadline_at", "id")
    )


def overdue_cases(user: Any, *, now: datetime | None = None) -> QuerySet[Case]:
    """Open cases past the deadline of their step or of their next follow-up."""
    moment = now or timezone.now()
    return (
        cases_visible_to(user)
        .filter(state__in=OPEN_CASE_STATES)
        .filter(Q(step_due_at__lt=moment) | Q(next_follow_up_due_on__lt=timezone.localdate(moment)))
        .select_related("child", "agency", "case_manager")
        .order_by("step_due_at", "next_follow_up_due_on", "id")
    )


def approvals_waiting(user: Any) -> QuerySet[Case]:
    """Cases with a plan or a closure waiting for a supervisor's approval."""
    return (
        cases_visible_to(user)
        .filter(
            Q(plan__status=PlanStatus.AWAITING_APPROVAL) | Q(closures__status=ClosureStatus.PENDING)
        )
        .distinct()
        .select_related("child", "case_manager")
        .order_by("step_due_at", "id")
    )


def transfer_summaries(
    user: Any, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> Page[CaseTransfer]:
    queryset = transfer_summaries_visible_to(user).select_related("from_agency", "to_agency")
    return keyset_page(queryset, order=["-id"], cursor=cursor, size=limit)
