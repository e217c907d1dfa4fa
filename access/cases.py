"""Visibility of cases, referrals and transfer summaries.

- The Hub's referral desk (hub admin, programme manager: referral:manage) sees every case and
  referral: it routes them.
- Case managers and supervisors (case:read) see the cases and referrals of their agency only.
  A case transferred away disappears from the old agency, which keeps its transfer summary.
- Facilitators see no case; they may see the referral status of the children of their
  communities (`referral_status_for_children`), to know what became of a child they found.
- Company members and auditors see no case (auditors may later get pseudonymised views).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404

from access.principal import Principal, principal_for
from accounts.roles import Permission
from cases.choices import ReferralStatus
from cases.models import Case, CaseTransfer, Referral


def _agency_ids(principal: Principal) -> frozenset[int]:
    return principal.organisation_ids


def cases_visible_to(user: Any) -> QuerySet[Case]:
    principal = principal_for(user)
    if not principal.has(Permission.CASE_READ):
        return Case.objects.none()
    if principal.has(Permission.REFERRAL_MANAGE):
        return Case.objects.all()
    return Case.objects.filter(agency_id__in=_agency_ids(principal))


def get_case_for_user(user: Any, case_id: int | str) -> Case:
    queryset = cases_visible_to(user).select_related(
        "child__household__area", "child__area", "agency", "case_manager", "sponsor"
    )
    try:
        return queryset.get(pk=int(case_id))
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such case") from None


def referrals_visible_to(user: Any) -> QuerySet[Referral]:
    """The desk sees every referral; an agency, those made to it (to accept or decline)."""
    principal = principal_for(user)
    if principal.has(Permission.REFERRAL_MANAGE):
        return Referral.objects.all()
    if principal.has(Permission.CASE_READ):
        return Referral.objects.filter(agency_id__in=_agency_ids(principal))
    return Referral.objects.none()


def get_referral_for_user(user: Any, referral_id: int | str) -> Referral:
    queryset = referrals_visible_to(user).select_related("child", "agency", "area")
    try:
        return queryset.get(pk=int(referral_id))
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such referral") from None


def transfer_summaries_visible_to(user: Any) -> QuerySet[CaseTransfer]:
    """An agency sees the transfers out of and into it; the desk sees them all."""
    principal = principal_for(user)
    if principal.has(Permission.REFERRAL_MANAGE):
        return CaseTransfer.objects.all()
    if principal.has(Permission.CASE_READ):
        agencies = _agency_ids(principal)
        return CaseTransfer.objects.filter(
            Q(from_agency_id__in=agencies) | Q(to_agency_id__in=agencies)
        )
    return CaseTransfer.objects.none()


@dataclass(frozen=True)
class ChildReferralStatus:
    """What a facilitator may know of a child they found: where the referral stands."""

    child_id: int
    status: str
    status_label: str
    referred_at: datetime
    deadline_at: datetime
    agency_name: str


def referral_status_for_children(
    user: Any, child_ids: Iterable[int]
) -> dict[int, ChildReferralStatus]:
    """The latest referral of each listed child the user may see (one query).

    Children outside the user's communities are left out, as are users who follow
    households or cases neither.
    """
    from access.monitoring import children_visible_to  # access.monitoring imports this module

    principal = principal_for(user)
    if not (principal.has(Permission.HOUSEHOLD_READ) or principal.has(Permission.CASE_READ)):
        return {}
    ids = {int(child_id) for child_id in child_ids}
    referrals = (
        Referral.objects.filter(child_id__in=ids)
        .filter(child_id__in=children_visible_to(user).values("id"))
        .select_related("agency")
        .order_by("child_id", "-referred_at", "-id")
    )
    statuses: dict[int, ChildReferralStatus] = {}
    for referral in referrals:
        if referral.child_id in statuses:
            continue
        statuses[referral.child_id] = ChildReferralStatus(
            child_id=referral.child_id,
            status=referral.status,
            status_label=str(ReferralStatus(referral.status).label),
            referred_at=referral.referred_at,
            deadline_at=referral.deadline_at,
            agency_name=referral.agency.name,
        )
    return statuses
