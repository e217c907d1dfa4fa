"""Reads of households, children and visits for pages, always within what the user may see.

Everything starts from access.monitoring (`households_visible_to`, `children_visible_to`,
`visits_visible_to`). Names are encrypted, so search compares keyed hashes of the normalised
query; only users who may see identities can search by name at all (a match would confirm
that a named person is on file).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from access.geo import areas_visible_to, sites_visible_to
from access.monitoring import (
    children_visible_to,
    households_visible_to,
    identifications_visible_to,
    identity_visible,
    visits_visible_to,
)
from access.principal import principal_for
from core.pagination import Page, keyset_page
from geo.models import Area, AreaLevel, Site, SiteKind
from monitoring.classification import UnknownRuleSetError, load_ruleset
from monitoring.classification.rules import LANGUAGES
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
from monitoring.services.children import child_name_hash, first_name_hash
from monitoring.services.households import head_name_hash

LIST_PAGE_SIZE = 30
FILTER_COMMUNITIES_LIMIT = 100  # above this, the list filter asks for a community code
# Newest households offered in the visit form; older ones start from their own page.
VISIT_FORM_HOUSEHOLDS_LIMIT = 30
HOUSEHOLD_PAGE_VISITS = 20
IDENTITY_FIELDS_CHILD = ("first_name", "last_name")
IDENTITY_FIELDS_HOUSEHOLD = ("head_name", "phone", "location")

AGE_BANDS: dict[str, tuple[int, int]] = {"5-11": (5, 11), "12-14": (12, 14), "15-17": (15, 17)}


# Communities and places ------------------------------------------------------------------------


def recording_communities(user: Any) -> list[Area]:
    """Villages where the user records visits: their assigned communities and villages below."""
    principal = principal_for(user)
    return list(
        areas_visible_to(user)
        .filter(level=AreaLevel.VILLAGE, is_active=True)
        .filter(principal.area_filter("path"))
        .order_by("name", "id")
    )


def filter_communities(user: Any) -> list[Area] | None:
    """Villages offered in a list filter, or None when there are too many for a drop-down."""
    villages = list(
        areas_visible_to(user)
        .filter(level=AreaLevel.VILLAGE)
        .order_by("name", "id")[: FILTER_COMMUNITIES_LIMIT + 1]
    )
    return None if len(villages) > FILTER_COMMUNITIES_LIMIT else villages


def visible_area_by_code(user: Any, code: str) -> Area | None:
    return areas_visible_to(user).filter(code__iexact=code.strip()).first()


def recording_sites(user: Any) -> list[Site]:
    """Sites in the user's communities, for site and school visits."""
    return list(sites_visible_to(user).select_related("area").order_by("name", "id"))


SCHOOL_SITE_KINDS = frozenset({SiteKind.SCHOOL, SiteKind.AFTER_SCHOOL_CENTRE})


def active_tasks() -> list[Task]:
    return list(Task.objects.filter(is_active=True).order_by("position", "code"))


# Latest observation of each child, as annotations (one subquery each, no N+1) ------------------


def latest_observation(field: str) -> Subquery:
    """`field` of a child's most recent observation (by visit day, then recording)."""
    newest = Observation.objects.filter(child=OuterRef("pk")).order_by("-visit__visited_on", "-id")
    return Subquery(newest.values(field)[:1])


def with_latest_observation(children: QuerySet[Child]) -> QuerySet[Child]:
    return children.annotate(
        latest_category=latest_observation("category"),
        latest_school_status=latest_observation("school_status"),
        latest_visited_on=latest_observation("visit__visited_on"),
    )


def without_identity(queryset: QuerySet[Any], user: Any, fields: tuple[str, ...]) -> Any:
    """Leave names out of the query for users who may not see them: nothing to decrypt or leak."""
    return queryset if identity_visible(user) else queryset.defer(*fields)


# Households ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdFilters:
    q: str = ""
    community: Area | None = None


def household_page(
    user: Any, filters: HouseholdFilters, *, cursor: str | None = None
) -> Page[Household]:
    households = households_visible_to(user).select_related("area")
    query = filters.q.strip()
    if query:
        match = Q(code__startswith=query.upper())
        if identity_visible(user):
            match |= Q(head_name_hash=head_name_hash(query))
        households = households.filter(match)
    if filters.community is not None:
        households = households.filter(area__path__startswith=filters.community.path)
    child_count = (
        Child.objects.filter(household=OuterRef("pk"), merged_into__isnull=True)
        .order_by()
        .values("household")
        .annotate(n=Count("id"))
        .values("n")
    )
    last_visit = (
        Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_on").values("visited_on")
    )
    households = households.annotate(
        child_count=Coalesce(Subquery(child_count, output_field=IntegerField()), 0),
        last_visited_on=Subquery(last_visit[:1]),
    )
    households = without_identity(households, user, IDENTITY_FIELDS_HOUSEHOLD)
    return keyset_page(households, order=["-id"], cursor=cursor, size=LIST_PAGE_SIZE)


def household_children(user: Any, household: Household) -> list[Child]:
    children = children_visible_to(user).filter(household=household, merged_into__isnull=True)
    children = without_identity(children, user, IDENTITY_FIELDS_CHILD)
    return list(with_latest_observation(children).order_by("birth_date", "id"))


def household_visits(user: Any, household: Household) -> list[Visit]:
    visits = (
        visits_visible_to(user)
        .filter(household=household)
        .select_related("facilitator", "site")
        .annotate(children_seen=Count("observations"))
        .order_by("-visited_on", "-id")
    )
    return list(visits[:HOUSEHOLD_PAGE_VISITS])


def recordable_households(user: Any) -> list[Household]:
    """Households of the user's communities for the visit form, newest first."""
    principal = principal_for(user)
    households = (
        households_visible_to(user)
        .filter(principal.area_filter("area__path"))
        .select_related("area")
        .order_by("-id")
    )
    return list(households[:VISIT_FORM_HOUSEHOLDS_LIMIT])


def recordable_household(user: Any, household_id: int | str) -> Household | None:
    principal = principal_for(user)
    try:
        wanted = int(household_id)
    except (TypeError, ValueError):
        return None
    return (
        households_visible_to(user)
        .filter(principal.area_filter("area__path"))
        .select_related("area")
        .filter(pk=wanted)
        .first()
    )


def recordable_household_by_code(user: Any, code: str) -> Household | None:
    principal = principal_for(user)
    return (
        households_visible_to(user)
        .filter(principal.area_filter("area__path"))
        .select_related("area")
        .filter(code=code)
        .first()
    )


def children_for_visit(user: Any, household: Household) -> list[Child]:
    """Children of `household` a visit can record (merged duplicates left out)."""
    return list(
        children_visible_to(user)
        .filter(household=household, merged_into__isnull=True)
        .order_by("birth_date", "id")
    )


# Children --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildFilters:
    q: str = ""
    community: Area | None = None
    age_band: str = ""
    sex: str = ""
    category: str = ""
    school_status: str = ""


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def born_for_ages(low: int, high: int, *, on: date) -> Q:
    """Children aged `low` to `high` completed years on `on`, as a filter on birth_date."""
    return Q(birth_date__gt=years_before(on, high + 1), birth_date__lte=years_before(on, low))


def children_in_community(path: str) -> Q:
    """Children of the area at `path` (or below): by their household's community, or, for a
    child whose household is not known, the community where they were met."""
    return Q(household__area__path__startswith=path) | Q(
        household__isnull=True, area__path__startswith=path
    )


def child_page(user: Any, filters: ChildFilters, *, cursor: str | None = None) -> Page[Child]:
    children = children_visible_to(user).filter(merged_into__isnull=True)
    query = filters.q.strip()
    if query:
        match = Q(code__startswith=query.upper())
        if identity_visible(user):
            match |= Q(name_hash=child_name_hash(query, "")) | Q(
                first_name_hash=first_name_hash(query)
            )
        children = children.filter(match)
    if filters.community is not None:
        children = children.filter(children_in_community(filters.community.path))
    if filters.age_band in AGE_BANDS:
        low, high = AGE_BANDS[filters.age_band]
        children = children.filter(born_for_ages(low, high, on=timezone.localdate()))
    if filters.sex:
        children = children.filter(sex=filters.sex)
    children = with_latest_observation(children.select_related("household__area", "area"))
    if filters.category:
        children = children.filter(Q(latest_category=filters.category))
    if filters.school_status:
        children = children.filter(Q(latest_school_status=filters.school_status))
    children = without_identity(children, user, IDENTITY_FIELDS_CHILD)
    children = children.defer(*(f"household__{name}" for name in IDENTITY_FIELDS_HOUSEHOLD))
    return keyset_page(children, order=["-id"], cursor=cursor, size=LIST_PAGE_SIZE)


def child_consents(child: Child) -> list[Consent]:
    return list(child.consents.select_related("obtained_by").order_by("-obtained_on", "-id"))


def child_observations(child: Child) -> list[Observation]:
    """Every observation of a visible child, newest first, with its visit and activities."""
    activities = Prefetch("activities", queryset=Activity.objects.select_related("task"))
    return list(
        child.observations.select_related("visit__area", "visit__site")
        .prefetch_related(activities)
        .order_by("-visit__visited_on", "-id")
    )


def child_identifications(user: Any, child: Child) -> list[Identification]:
    return list(
        identifications_visible_to(user)
        .filter(child=child)
        .select_related("latest_observation__visit")
        .order_by("-identified_at", "-id")
    )


# Visits ----------------------------------------------------------------------------------------


def visit_observations(user: Any, visit: Visit) -> list[Observation]:
    """The children seen on a visit the user can see, with their activities."""
    activities = Prefetch("activities", queryset=Activity.objects.select_related("task"))
    observations = (
        visit.observations.filter(child__in=children_visible_to(user).values("id"))
        .select_related("child")
        .prefetch_related(activities)
        .order_by("id")
    )
    if not identity_visible(user):
        observations = observations.defer(*(f"child__{name}" for name in IDENTITY_FIELDS_CHILD))
    return list(observations)


def visit_identifications(user: Any, visit: Visit) -> dict[int, Identification]:
    """Open or later identifications whose latest finding is this visit, by child id."""
    rows = identifications_visible_to(user).filter(latest_observation__visit=visit)
    return {row.child_id: row for row in rows}


def recent_visits(user: Any, *, limit: int = 5) -> list[Visit]:
    """The user's own latest visits, for their home page."""
    visits = (
        visits_visible_to(user)
        .filter(facilitator=user)
        .select_related("household", "area", "site")
        .annotate(children_seen=Count("observations"))
        .order_by("-visited_on", "-id")
    )
    return list(visits[:limit])


def household_count(user: Any) -> int:
    principal = principal_for(user)
    return households_visible_to(user).filter(principal.area_filter("area__path")).count()


# Explanations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    rule_id: str
    text: str


def _language(language: str | None = None) -> str:
    current = (language or get_language() or "en").split("-")[0]
    return current if current in LANGUAGES else "en"


@cache
def _rule_explanations(ruleset_name: str) -> dict[str, dict[str, str]]:
    try:
        ruleset = load_ruleset(ruleset_name)
    except UnknownRuleSetError:
        return {}
    return {rule.id: dict(rule.explanation) for rule in ruleset.rules}


def explain_reasons(
    ruleset_ref: str, reason_ids: Iterable[str], language: str | None = None
) -> list[Reason]:
    """The plain-language sentence of each rule that fired, in `language` (default: the
    user's). The one place pages, the desk and the API explain a stored result.

    Rule ids are stable across versions of a rule set; an id the rule set no longer has is
    shown as itself rather than hidden, so a decision is never left unexplained.
    """
    explanations = _rule_explanations(ruleset_ref.partition("@")[0])
    lang = _language(language)
    reasons = []
    for rule_id in reason_ids:
        texts = explanations.get(rule_id)
        if texts:
            text = texts.get(lang, texts["en"])
        else:
            text = _("Rule %(rule)s of %(ruleset)s") % {"rule": rule_id, "ruleset": ruleset_ref}
        reasons.append(Reason(rule_id=rule_id, text=text))
    return reasons
