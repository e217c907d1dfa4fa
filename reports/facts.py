"""From monitoring and case rows to one `ChildFact` per child, and from a fact to cube keys.

`compute_facts(child_ids)` reads a batch of children with a fixed number of queries (one per
source table), whatever the batch size. `contributions(fact)` lists the cube cells a fact
counts in: the cube is the sum of the contributions of every stored fact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from cases.choices import CaseEventKind, CaseState, ClosureReason, PlanItemKind, PlanItemStatus
from cases.models import Case, CaseEvent, FollowUp, PlanItem, Referral
from monitoring.choices import IDENTIFYING_CATEGORIES
from monitoring.models import Child, Identification, Observation
from reports.catalogue import BREAKDOWN_MEASURES, CONSECUTIVE_CLEAR_FOLLOW_UPS, DAYS_CAP, Measure
from reports.models import AgeBand, ChildFact, Grain

CubeKey = tuple[str, str, date, int, int, int, str, str, str]
# The month of measures that are a state today, not an event of a month.
STANDING = date(1970, 1, 1)
_IDENTIFYING = frozenset(str(category) for category in IDENTIFYING_CATEGORIES)


def age_band(birth_date: date, on: date | None) -> str:
    if on is None:
        return AgeBand.UNKNOWN
    years = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if years < 5:
        return AgeBand.UNDER_5
    if years <= 11:
        return AgeBand.AGE_5_11
    if years <= 14:
        return AgeBand.AGE_12_14
    if years <= 17:
        return AgeBand.AGE_15_17
    return AgeBand.ADULT


def territory_of(path: str) -> int:
    """The third id of an area path (country/province/territory or city), else the last."""
    ids = [int(part) for part in path.strip("/").split("/") if part]
    return ids[2] if len(ids) > 2 else ids[-1]


def _day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def compute_facts(
    child_ids: Iterable[int], *, id_range: tuple[int, int] | None = None
) -> dict[int, ChildFact]:
    """The facts of the listed children that exist and are not merged into another record.

    `id_range` (first, last) says that the list holds every child in that range (the full
    rebuild): the source tables are then read by range, which costs the database and the driver
    far less than a list of thousands of ids.
    """
    ids = sorted(set(child_ids))
    if not ids:
        return {}

    def of_children(path: str) -> dict[str, Any]:
        if id_range is not None:
            return {f"{path}__gte": id_range[0], f"{path}__lte": id_range[1]}
        return {f"{path}__in": ids}

    children = list(
        Child.objects.filter(**of_children("id"), merged_into__isnull=True).values(
            "id",
            "household_id",
            "household__area_id",
            "household__area__path",
            "area_id",
            "area__path",
            "sex",
            "birth_date",
        )
    )
    if not children:
        return {}
    ids = [row["id"] for row in children]
    households = {row["household_id"] for row in children if row["household_id"] is not None}
    first_of_household: dict[int, int] = {}
    for household_id, child_id in (
        Child.objects.filter(household_id__in=households, merged_into__isnull=True)
        .order_by("household_id", "id")
        .values_list("household_id", "id")
    ):
        first_of_household.setdefault(household_id, child_id)

    observations: dict[int, list[tuple[date, int, str]]] = defaultdict(list)
    for child_id, visited_on, observation_id, category in Observation.objects.filter(
        **of_children("child_id")
    ).values_list("child_id", "visit__visited_on", "id", "category"):
        observations[child_id].append((visited_on, observation_id, category))

    first_identification: dict[int, dict[str, Any]] = {}
    latest_category: dict[int, str] = {}
    for found in (
        Identification.objects.filter(**of_children("child_id"))
        .order_by("child_id", "identified_at", "id")
        .values(
            "child_id",
            "identified_at",
            "deadline_at",
            "category",
            "first_observation__visit__site_id",
        )
    ):
        first_identification.setdefault(found["child_id"], dict(found))
        latest_category[found["child_id"]] = found["category"]

    first_referral: dict[int, datetime] = {}
    for child_id, at in (
        Referral.objects.filter(**of_children("child_id"))
        .order_by("child_id", "referred_at", "id")
        .values_list("child_id", "referred_at")
    ):
        first_referral.setdefault(child_id, at)

    latest_case: dict[int, dict[str, Any]] = {}
    for held in (
        Case.objects.filter(**of_children("child_id"))
        .order_by("child_id", "-id")
        .values(
            "id",
            "child_id",
            "agency_id",
            "case_manager_id",
            "sponsor_id",
            "state",
            "opened_at",
            "remediation_started_on",
            "closed_at",
            "closure_reason",
            "plan__agreed_at",
        )
    ):
        latest_case.setdefault(held["child_id"], dict(held))
    # Follow-ups, relapses and placements of every case of these children: only the latest
    # case's are read below, and a filter on the children is cheaper than a list of cases.

    follow_ups: dict[int, list[str]] = defaultdict(list)
    for case_id, category in (
        FollowUp.objects.filter(**of_children("case__child_id"))
        .order_by("case_id", "visited_on", "id")
        .values_list("case_id", "observation__category")
    ):
        follow_ups[case_id].append(category)
    relapsed = set(
        CaseEvent.objects.filter(
            **of_children("case__child_id"),
            kind__in=[CaseEventKind.RELAPSE, CaseEventKind.REOPENED],
        ).values_list("case_id", flat=True)
    )
    placed = set(
        PlanItem.objects.filter(
            **of_children("plan__case__child_id"),
            kind=PlanItemKind.DECENT_WORK_PLACEMENT,
            status=PlanItemStatus.DONE,
        ).values_list("plan__case_id", flat=True)
    )

    facts: dict[int, ChildFact] = {}
    now = timezone.now()
    for row in children:
        child_id = row["id"]
        seen = sorted(observations.get(child_id, ()))
        identification = first_identification.get(child_id)
        case = latest_case.get(child_id)
        # A child met without a household (decision 0009) counts in the community where met,
        # and counts no household.
        in_household = row["household_id"] is not None
        fact = ChildFact(
            child_id=child_id,
            household_id=row["household_id"],
            community_id=row["household__area_id"] if in_household else row["area_id"],
            territory_id=territory_of(
                row["household__area__path"] if in_household else row["area__path"]
            ),
            sex=row["sex"],
            counts_household=in_household
            and first_of_household.get(row["household_id"]) == child_id,
            first_observed_on=seen[0][0] if seen else None,
            latest_category=seen[-1][2] if seen else "",
            refreshed_at=now,
        )
        if identification is not None:
            fact.identified_on = _day(identification["identified_at"])
            fact.identification_category = latest_category[child_id]
            fact.site_id = identification["first_observation__visit__site_id"]
            fact.referral_due_on = _day(identification["deadline_at"])
            referred_at = first_referral.get(child_id)
            fact.referred_in_time = (
                referred_at is not None and referred_at <= identification["deadline_at"]
            )
        if case is not None:
            _case_into(fact, case, identification, follow_ups, relapsed, placed)
        reference = fact.identified_on or fact.case_opened_on or fact.first_observed_on
        fact.age_band = age_band(row["birth_date"], reference)
        facts[child_id] = fact
    return facts


def _case_into(  # noqa: PLR0917 — private helper fed by compute_facts' lookups
    fact: ChildFact,
    case: dict[str, Any],
    identification: dict[str, Any] | None,
    follow_ups: dict[int, list[str]],
    relapsed: set[int],
    placed: set[int],
) -> None:
    case_id = case["id"]
    fact.case_id = case_id
    fact.agency_id = case["agency_id"]
    fact.case_manager_id = case["case_manager_id"]
    fact.sponsor_id = case["sponsor_id"]
    fact.case_opened_on = _day(case["opened_at"])
    if identification is not None:
        elapsed = case["opened_at"] - identification["identified_at"]
        fact.days_to_case = min(max(elapsed.days, 0), DAYS_CAP)
    fact.case_open = case["state"] != CaseState.CLOSED
    fact.plan_agreed = case["plan__agreed_at"] is not None
    fact.reached_remediation = case["remediation_started_on"] is not None
    categories = follow_ups.get(case_id, [])
    fact.follow_ups = len(categories)
    streak = 0
    for category in reversed(categories):
        if category in _IDENTIFYING:
            break
        streak += 1
    fact.clear_streak = streak
    fact.clear_at_last_follow_up = streak > 0
    fact.relapsed = case_id in relapsed
    if not fact.case_open:
        fact.closed_on = _day(case["closed_at"])
        fact.closure_reason = case["closure_reason"]
    fact.decent_work = case["closure_reason"] == ClosureReason.DECENT_WORK or case_id in placed


def _month(day: date) -> date:
    return day.replace(day=1)


def events(fact: ChildFact) -> Iterator[tuple[Measure, date, str]]:
    """(measure, month, detail) for each thing this child counts in."""
    if fact.first_observed_on is not None:
        month = _month(fact.first_observed_on)
        yield Measure.CHILDREN_MONITORED, month, ""
        if fact.counts_household:
            yield Measure.HOUSEHOLDS_MONITORED, month, ""
    if fact.identified_on is not None:
        yield Measure.CHILDREN_IDENTIFIED, _month(fact.identified_on), fact.identification_category
    if fact.referral_due_on is not None:
        month = _month(fact.referral_due_on)
        yield Measure.REFERRAL_DUE, month, ""
        if fact.referred_in_time:
            yield Measure.REFERRED_IN_TIME, month, ""
    if fact.case_opened_on is not None:
        month = _month(fact.case_opened_on)
        yield Measure.CASES_OPENED, month, ""
        if fact.days_to_case is not None:
            yield Measure.DAYS_TO_CASE, month, str(fact.days_to_case)
        flags = (
            (fact.case_open, Measure.OPEN_CASES),
            (fact.plan_agreed, Measure.PLAN_AGREED),
            (fact.reached_remediation, Measure.REACHED_REMEDIATION),
            (fact.follow_ups > 0, Measure.FOLLOWED_UP),
            (fact.clear_at_last_follow_up, Measure.CLEAR_AT_LAST_FOLLOW_UP),
            (fact.clear_streak >= CONSECUTIVE_CLEAR_FOLLOW_UPS, Measure.CLEAR_CONSECUTIVE),
            (fact.relapsed, Measure.RELAPSED),
        )
        for flag, measure in flags:
            if flag:
                yield measure, month, ""
        if fact.decent_work:
            yield Measure.DECENT_WORK, _month(fact.closed_on or fact.case_opened_on), ""
    if fact.closed_on is not None:
        yield Measure.CLOSED, _month(fact.closed_on), fact.closure_reason


@dataclass(frozen=True)
class GrainRule:
    """Which dimensions one grain keeps, and for which measures. The single description of the
    grains: `contributions` (one fact at a time) and the full rebuild's SQL
    (reports/services/rebuild.py) both read it."""

    grain: Grain
    area: str = ""  # "territory" or "community": the fact field kept in `area_id`
    site: bool = False  # only facts with a site, which is kept
    sponsor: bool = False
    sex_age: bool = False
    detail: bool = True
    measures: frozenset[Measure] | None = None  # None: every measure


# Sex and age band are kept only where they are read (docs/decisions/0010): for every measure
# at the `total` grain, for the two headline counts by territory, and for children identified
# by community and by site (the company table). The site grains keep the child's community, so
# that a company's chain (its sites plus their communities) counts each child once.
_IDENTIFIED = frozenset({Measure.CHILDREN_IDENTIFIED})
GRAIN_RULES = (
    GrainRule(Grain.TOTAL, sex_age=True),
    GrainRule(Grain.PROGRAMME, area="territory", sponsor=True),
    GrainRule(Grain.COMMUNITY, area="community"),
    GrainRule(Grain.SITE, area="community", site=True),
    GrainRule(
        Grain.PROGRAMME_SEX_AGE,
        area="territory",
        sponsor=True,
        sex_age=True,
        detail=False,
        measures=frozenset(BREAKDOWN_MEASURES),
    ),
    GrainRule(
        Grain.COMMUNITY_SEX_AGE, area="community", sex_age=True, detail=False, measures=_IDENTIFIED
    ),
    GrainRule(
        Grain.SITE_SEX_AGE,
        area="community",
        site=True,
        sex_age=True,
        detail=False,
        measures=_IDENTIFIED,
    ),
)


def contributions(fact: ChildFact) -> Iterator[CubeKey]:
    """The cube keys this fact adds one to: each event, at each grain it belongs to."""
    if fact.case_open and fact.case_manager_id:
        detail = str(fact.case_manager_id)
        yield (Grain.TOTAL.value, Measure.CASELOAD.value, STANDING, 0, 0, 0, "", "", detail)
    site, sponsor = fact.site_id or 0, fact.sponsor_id or 0
    areas = {"": 0, "territory": fact.territory_id, "community": fact.community_id}
    for measure, month, detail in events(fact):
        for rule in GRAIN_RULES:
            if (rule.measures is not None and measure not in rule.measures) or (
                rule.site and not site
            ):
                continue
            yield (
                rule.grain.value,
                measure.value,
                month,
                areas[rule.area],
                site if rule.site else 0,
                sponsor if rule.sponsor else 0,
                fact.sex if rule.sex_age else "",
                fact.age_band if rule.sex_age else "",
                detail if rule.detail else "",
            )


def key_string(key: CubeKey) -> str:
    grain, measure, month, area, site, sponsor, sex, band, detail = key
    return f"{grain}|{measure}|{month:%Y-%m}|{area}|{site}|{sponsor}|{sex}|{band}|{detail}"


FACT_FIELDS = [field.name for field in ChildFact._meta.concrete_fields]


def same_fact(old: ChildFact, new: ChildFact) -> bool:
    return all(
        getattr(old, name) == getattr(new, name) for name in FACT_FIELDS if name != "refreshed_at"
    )
