"""Visibility of households, children, visits, identifications and duplicate candidates.

- Facilitators see the households, children and visits of their assigned communities; a child
  without a known household belongs to the community where they were met (`Child.area`).
- Hub staff holding household:read see all of them.
- Auditors (child:read_pseudonymised) see children and their observations, never households,
  and never names: `identity_visible` is False for them.
- Case managers and supervisors see the children of their agency's cases (access/cases.py);
  until a child's case is with their agency, they see none.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from access.cases import cases_visible_to
from access.principal import principal_for
from accounts.roles import Permission
from monitoring.models import Child, DuplicateCandidate, Household, Identification, Visit

M = TypeVar("M", bound=Model)


def identity_visible(user: Any) -> bool:
    """Whether names and contact details may be shown without asking for a reason."""
    return principal_for(user).has(Permission.CHILD_READ_IDENTIFIED)


def identity_needs_reason(user: Any) -> bool:
    """Programme managers see identities only after stating why, each time (audited)."""
    principal = principal_for(user)
    return not principal.has(Permission.CHILD_READ_IDENTIFIED) and principal.has(
        Permission.CHILD_READ_IDENTIFIED_WITH_REASON
    )


def households_visible_to(user: Any) -> QuerySet[Household]:
    principal = principal_for(user)
    if not principal.has(Permission.HOUSEHOLD_READ):
        return Household.objects.none()
    return Household.objects.filter(principal.area_filter("area__path"))


def children_visible_to(user: Any) -> QuerySet[Child]:
    principal = principal_for(user)
    if principal.has(Permission.HOUSEHOLD_READ):
        if principal.area_paths is None:
            return Child.objects.all()
        return Child.objects.filter(
            principal.area_filter("household__area__path")
            | (Q(household__isnull=True) & principal.area_filter("area__path"))
        )
    if principal.has(Permission.CHILD_READ_PSEUDONYMISED):
        return Child.objects.all()
    if principal.has(Permission.CASE_READ):
        # Case managers and supervisors: the children of the cases their agency holds now.
        return Child.objects.filter(id__in=cases_visible_to(user).values("child_id"))
    return Child.objects.none()


def visits_visible_to(user: Any) -> QuerySet[Visit]:
    principal = principal_for(user)
    if principal.has(Permission.HOUSEHOLD_READ):
        return Visit.objects.filter(principal.area_filter("area__path"))
    return Visit.objects.none()


def identifications_visible_to(user: Any) -> QuerySet[Identification]:
    """The referral desk sees every identification; a facilitator, those in their communities
    (to follow what became of the children they found)."""
    principal = principal_for(user)
    if principal.has(Permission.REFERRAL_MANAGE):
        return Identification.objects.all()
    if principal.has(Permission.HOUSEHOLD_READ):
        return Identification.objects.filter(principal.area_filter("area__path"))
    return Identification.objects.none()


def duplicates_visible_to(user: Any) -> QuerySet[DuplicateCandidate]:
    principal = principal_for(user)
    if not principal.has(Permission.CHILD_MERGE):
        return DuplicateCandidate.objects.none()
    visible = children_visible_to(user)
    return DuplicateCandidate.objects.filter(
        Q(child__in=visible.values("id")) & Q(other__in=visible.values("id"))
    )


def _get(queryset: QuerySet[M], object_id: int | str, what: str) -> M:
    try:
        return queryset.get(pk=int(object_id))
    except (ObjectDoesNotExist, ValueError):
        raise Http404(f"No such {what}") from None


def get_household_for_user(user: Any, household_id: int | str) -> Household:
    return _get(households_visible_to(user).select_related("area"), household_id, "household")


def get_child_for_user(user: Any, child_id: int | str) -> Child:
    queryset = children_visible_to(user).select_related("household__area", "area")
    return _get(queryset, child_id, "child")


def get_visit_for_user(user: Any, visit_id: int | str) -> Visit:
    return _get(
        visits_visible_to(user).select_related("area", "household", "site"), visit_id, "visit"
    )


def get_identification_for_user(user: Any, identification_id: int | str) -> Identification:
    queryset = identifications_visible_to(user).select_related("child", "area")
    return _get(queryset, identification_id, "identification")


def get_duplicate_for_user(user: Any, candidate_id: int | str) -> DuplicateCandidate:
    queryset = duplicates_visible_to(user).select_related("child__household", "other__household")
    return _get(queryset, candidate_id, "duplicate candidate")


def merged_record_for_user(user: Any, child: Child) -> Child | None:
    """The live record `child` was merged into, if the user may see it; None for a live record.

    A merged record's pages redirect there, so old links and bookmarks reach the kept child.
    Follows chains (A merged into B, later B into C) and stops at anything unseen.
    """
    current = child
    followed: set[int] = set()
    while current.merged_into_id is not None and current.pk not in followed:
        followed.add(current.pk)
        found = (
            children_visible_to(user)
            .select_related("household__area", "area")
            .filter(pk=current.merged_into_id)
            .first()
        )
        if found is None:
            return None
        current = found
    return None if current.pk == child.pk else current
