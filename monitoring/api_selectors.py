"""Reads of households, children, visits, identifications and tasks for the JSON API.

Each list starts from access.monitoring, so a filter only narrows what the token's user may see,
and loads what its items show in one query (related rows joined, the latest category as a
subquery), so a page of 200 costs what a page of 2 does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from access.geo import sites_visible_to
from access.monitoring import (
    children_visible_to,
    households_visible_to,
    identifications_visible_to,
    identity_visible,
    visits_visible_to,
)
from core.pagination import DEFAULT_PAGE_SIZE, Page, keyset_page
from geo.models import Area, Site
from monitoring.choices import IdentificationStatus
from monitoring.models import (
    Activity,
    Child,
    Consent,
    Household,
    Identification,
    Observation,
    Task,
    Visit,
)
from monitoring.selectors import (
    children_in_community,
    latest_observation,
    without_identity,
    years_before,
)

HOUSEHOLD_ORDER = ("-id",)
CHILD_ORDER = ("-id",)
VISIT_ORDER = ("-visited_on", "-id")
IDENTIFICATION_ORDER = ("deadline_at", "id")
TASK_ORDER = ("position", "id")

_CHILD_NAMES = ("first_name", "last_name")
_HOUSEHOLD_PERSONAL = ("head_name", "phone", "location")


# Households ------------------------------------------------------------------------------------


def household_page(
    user: Any,
    *,
    area: Area | None,
    code: str,
    cursor: str | None,
    size: int = DEFAULT_PAGE_SIZE,
) -> Page[Household]:
    households = households_visible_to(user).select_related("area")
    if area is not None:
        households = households.filter(area__path__startswith=area.path)
    if code.strip():
        households = households.filter(code__icontains=code.strip())
    households = without_identity(households, user, _HOUSEHOLD_PERSONAL)
    return keyset_page(households, order=HOUSEHOLD_ORDER, cursor=cursor, size=size)


def household_children(user: Any, household: Household) -> list[Child]:
    """The live children of a household (merged duplicates left out), youngest last."""
    children = children_visible_to(user).filter(household=household, merged_into__isnull=True)
    children = without_identity(children, user, _CHILD_NAMES)
    return list(children.order_by("birth_date", "id"))


# Children --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildQuery:
    area: Area | None = None
    sex: str = ""
    category: str = ""
    age_min: int | None = None
    age_max: int | None = None


def child_page(
    user: Any, query: ChildQuery, *, cursor: str | None, size: int = DEFAULT_PAGE_SIZE
) -> Page[Child]:
    """Live child records (merged duplicates left out), newest first, each with
    `latest_category` annotated."""
    children = children_visible_to(user).filter(merged_into__isnull=True)
    if query.area is not None:
        children = children.filter(children_in_community(query.area.path))
    if query.sex:
        children = children.filter(sex=query.sex)
    today = timezone.localdate()
    if query.age_min is not None:
        children = children.filter(birth_date__lte=years_before(today, query.age_min))
    if query.age_max is not None:
        children = children.filter(birth_date__gt=years_before(today, query.age_max + 1))
    children = children.annotate(latest_category=latest_observation("category"))
    if query.category:
        children = children.filter(latest_category=query.category)
    children = children.select_related("household__area", "area").defer(
        *(f"household__{name}" for name in _HOUSEHOLD_PERSONAL)
    )
    children = without_identity(children, user, _CHILD_NAMES)
    return keyset_page(children, order=CHILD_ORDER, cursor=cursor, size=size)


def child_with_latest_category(user: Any, child_id: int) -> Child | None:
    children = children_visible_to(user).annotate(latest_category=latest_observation("category"))
    return (
        children.select_related("household__area", "area")
        .defer(*(f"household__{name}" for name in _HOUSEHOLD_PERSONAL))
        .filter(pk=child_id)
        .first()
    )


def child_consents(child: Child) -> list[Consent]:
    return list(Consent.objects.filter(child=child).order_by("-obtained_on", "-id"))


def child_observations(child: Child) -> list[Observation]:
    """Every finding about a child the caller may see, newest first, with its visit."""
    return list(
        Observation.objects.filter(child=child)
        .select_related("visit")
        .order_by("-visit__visited_on", "-id")
    )


def child_identifications(user: Any, child: Child) -> list[Identification]:
    return list(
        identifications_visible_to(user).filter(child=child).order_by("-identified_at", "-id")
    )


def children_by_id(user: Any, ids: list[int]) -> dict[int, Child]:
    """The visible children among `ids`, for a visit about to be recorded."""
    return {child.pk: child for child in children_visible_to(user).filter(pk__in=ids)}


# Visits ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitQuery:
    area: Area | None = None
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


def visit_page(
    user: Any, query: VisitQuery, *, cursor: str | None, size: int = DEFAULT_PAGE_SIZE
) -> Page[Visit]:
    visits = visits_visible_to(user).select_related("area", "household", "site")
    visits = visits.defer(*(f"household__{name}" for name in _HOUSEHOLD_PERSONAL))
    if query.area is not None:
        visits = visits.filter(area__path__startswith=query.area.path)
    if query.kind:
        visits = visits.filter(kind=query.kind)
    if query.date_from is not None:
        visits = visits.filter(visited_on__gte=query.date_from)
    if query.date_to is not None:
        visits = visits.filter(visited_on__lte=query.date_to)
    visits = visits.annotate(children_count=Count("observations"))
    return keyset_page(visits, order=VISIT_ORDER, cursor=cursor, size=size)


def visit_with_counts(user: Any, visit_id: int) -> Visit | None:
    return (
        visits_visible_to(user)
        .select_related("area", "household", "site")
        .defer(*(f"household__{name}" for name in _HOUSEHOLD_PERSONAL))
        .annotate(children_count=Count("observations"))
        .filter(pk=visit_id)
        .first()
    )


def visit_observations(user: Any, visit: Visit) -> list[Observation]:
    """The children seen on a visit, those the user may see, with their activities."""
    observations = (
        Observation.objects.filter(visit=visit, child__in=children_visible_to(user).values("id"))
        .select_related("child")
        .prefetch_related(
            Prefetch("activities", queryset=Activity.objects.select_related("task").order_by("id"))
        )
        .order_by("id")
    )
    if not identity_visible(user):
        observations = observations.defer(*(f"child__{name}" for name in _CHILD_NAMES))
    return list(observations)


def visit_identifications(user: Any, visit: Visit) -> dict[int, Identification]:
    """Identifications whose latest finding is on this visit, by child id."""
    rows = identifications_visible_to(user).filter(latest_observation__visit=visit)
    return {row.child_id: row for row in rows}


def visit_by_external_id(external_id: str) -> Visit | None:
    """Any visit with this external id, seen or not: a re-sent submission must not record twice,
    and one with someone else's id must be refused rather than answered."""
    return Visit.objects.filter(external_id=external_id).first()


def visible_household(user: Any, household_id: int) -> Household | None:
    return households_visible_to(user).select_related("area").filter(pk=household_id).first()


def visible_site(user: Any, site_id: int) -> Site | None:
    return sites_visible_to(user).select_related("area").filter(pk=site_id).first()


# Identifications -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentificationQuery:
    urgency: str = ""
    status: str = ""
    overdue: bool | None = None
    area: Area | None = None


def identification_page(
    user: Any,
    query: IdentificationQuery,
    *,
    now: datetime,
    cursor: str | None,
    size: int = DEFAULT_PAGE_SIZE,
) -> Page[Identification]:
    rows = identifications_visible_to(user).select_related("child", "area", "latest_observation")
    if query.urgency:
        rows = rows.filter(urgency=query.urgency)
    if query.status:
        rows = rows.filter(status=query.status)
    overdue = Q(status=IdentificationStatus.OPEN, deadline_at__lt=now)
    if query.overdue is True:
        rows = rows.filter(overdue)
    elif query.overdue is False:
        rows = rows.exclude(overdue)
    if query.area is not None:
        rows = rows.filter(area__path__startswith=query.area.path)
    if not identity_visible(user):
        rows = rows.defer(*(f"child__{name}" for name in _CHILD_NAMES))
    return keyset_page(rows, order=IDENTIFICATION_ORDER, cursor=cursor, size=size)


# Tasks -----------------------------------------------------------------------------------------


def task_page(*, cursor: str | None, size: int = DEFAULT_PAGE_SIZE) -> Page[Task]:
    """The active work-task catalogue: reference data, the same for every user."""
    return keyset_page(
        Task.objects.filter(is_active=True), order=TASK_ORDER, cursor=cursor, size=size
    )
