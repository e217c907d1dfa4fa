"""Reads of the summary tables: the programme dashboard, the map, company indicators.

Every figure here comes from `CubeCell` (counts by dimension and month) or, for filters finer
than a territory and for a company's cohorts, from `ChildFact` rows of those few children; never
from a scan of the monitoring or case tables. Company figures are suppressed
(reports/suppression.py) before they leave this module.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from cases.choices import ClosureReason
from geo.models import Area
from monitoring.choices import CATEGORY_LABELS, IDENTIFYING_CATEGORIES, Sex
from reports.catalogue import BREAKDOWN_MEASURES, BY_CODE, CATALOGUE, Indicator, Kind, Measure
from reports.facts import events
from reports.models import AgeBand, ChildFact, CubeCell, Grain
from reports.suppression import (
    Figure,
    Rate,
    Table,
    median_of,
    rate,
    suppress_figure,
    suppress_list,
    suppress_table,
)

# The measures whose detail (category, closure reason, days) is shown.
DETAIL_MEASURES = frozenset(
    {Measure.CHILDREN_IDENTIFIED.value, Measure.CLOSED.value, Measure.DAYS_TO_CASE.value}
)
AGE_BANDS = [AgeBand.AGE_5_11, AgeBand.AGE_12_14, AgeBand.AGE_15_17]
CATEGORIES = [str(category) for category in sorted(IDENTIFYING_CATEGORIES)]
# Levels at or above the territory: the programme grain of the cube has them.
_COARSE_DEPTH = 2


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # the first day of the last month included
    area: Area | None = None
    sponsor_id: int | None = None

    @classmethod
    def last_months(cls, months: int = 12, **extra: Any) -> Filters:
        end = month_start(timezone.localdate())
        return cls(start=add_months(end, -(months - 1)), end=end, **extra)

    def months(self) -> list[date]:
        out, month = [], self.start
        while month <= self.end:
            out.append(month)
            month = add_months(month, 1)
        return out


@dataclass
class Counts:
    """What one dashboard needs, read in a handful of GROUP BYs over the cube."""

    by_month: dict[tuple[str, date], int] = field(default_factory=dict)
    by_sex_age: dict[tuple[str, str, str], int] = field(default_factory=dict)
    by_detail: dict[tuple[str, str], int] = field(default_factory=dict)
    by_area: dict[tuple[str, int], int] = field(default_factory=dict)

    def total(self, measure: Measure) -> int:
        return sum(n for (name, _month), n in self.by_month.items() if name == measure)

    def detail(self, measure: Measure) -> dict[str, int]:
        return {detail: n for (name, detail), n in self.by_detail.items() if name == measure}


def _areas_under(area: Area) -> QuerySet[Area]:
    return Area.objects.filter(path__startswith=area.path).values("id")  # type: ignore[return-value]


def _period(grain: Grain, filters: Filters) -> QuerySet[CubeCell]:
    return CubeCell.objects.filter(grain=grain, month__gte=filters.start, month__lte=filters.end)


def _programme_cells(grain: Grain, filters: Filters) -> QuerySet[CubeCell]:
    """Cells of a programme grain (territory, sponsor) within the filters."""
    cells = _period(grain, filters)
    if filters.area is not None:
        cells = cells.filter(area_id__in=_areas_under(filters.area))
    if filters.sponsor_id is not None:
        cells = cells.filter(sponsor_id=filters.sponsor_id)
    return cells


def _cube(filters: Filters) -> QuerySet[CubeCell]:
    """Every measure within the filters: the `total` grain when nothing narrows it."""
    if filters.area is None and filters.sponsor_id is None:
        return _period(Grain.TOTAL, filters)
    return _programme_cells(Grain.PROGRAMME, filters)


def _add_months_and_details(counts: Counts, cells: QuerySet[CubeCell]) -> None:
    """One GROUP BY (measure, month, detail) fills both the monthly totals and the details."""
    by_month: Counter[tuple[str, date]] = Counter()
    by_detail: Counter[tuple[str, str]] = Counter()
    for measure, month, detail, n in cells.values_list("measure", "month", "detail").annotate(
        n=Sum("n")
    ):
        by_month[(measure, month)] += n
        if measure in DETAIL_MEASURES:
            by_detail[(measure, detail)] += n
    counts.by_month.update(by_month)
    counts.by_detail.update(by_detail)


def _add_sex_age(counts: Counts, cells: QuerySet[CubeCell], *, with_areas: bool) -> None:
    """One GROUP BY (measure, area, sex, age band) fills the sex and age table and the areas."""
    by_sex_age: Counter[tuple[str, str, str]] = Counter()
    by_area: Counter[tuple[str, int]] = Counter()
    for measure, area_id, sex, band, n in cells.values_list(
        "measure", "area_id", "sex", "age_band"
    ).annotate(n=Sum("n")):
        by_sex_age[(measure, sex, band)] += n
        by_area[(measure, area_id)] += n
    counts.by_sex_age.update(by_sex_age)
    if with_areas:
        counts.by_area.update(by_area)


def read_counts(filters: Filters, *, with_areas: bool = True) -> Counts:
    """The dashboard's counts: two GROUP BYs over the cube, or the facts of a small area."""
    if filters.area is not None and filters.area.depth > _COARSE_DEPTH:
        facts = ChildFact.objects.filter(community_id__in=_areas_under(filters.area))
        if filters.sponsor_id is not None:
            facts = facts.filter(sponsor_id=filters.sponsor_id)
        return counts_from_facts(facts, filters)
    counts = Counts()
    _add_months_and_details(counts, _cube(filters))
    _add_sex_age(counts, _programme_cells(Grain.PROGRAMME_SEX_AGE, filters), with_areas=with_areas)
    return counts


_FACT_EVENT_FIELDS = (
    "sex",
    "age_band",
    "territory_id",
    "counts_household",
    "first_observed_on",
    "identified_on",
    "identification_category",
    "referral_due_on",
    "referred_in_time",
    "case_opened_on",
    "days_to_case",
    "case_open",
    "plan_agreed",
    "reached_remediation",
    "follow_ups",
    "clear_at_last_follow_up",
    "clear_streak",
    "relapsed",
    "closed_on",
    "closure_reason",
    "decent_work",
)


def counts_from_facts(
    facts: QuerySet[ChildFact], filters: Filters, *, with_areas: bool = False
) -> Counts:
    """The same counts from a few facts (a community, a cohort), by the cube's own rules.

    Reads plain values, not model instances: the events only need the fields above.
    """
    by_month: Counter[tuple[str, date]] = Counter()
    by_sex_age: Counter[tuple[str, str, str]] = Counter()
    by_detail: Counter[tuple[str, str]] = Counter()
    by_area: Counter[tuple[str, int]] = Counter()
    for row in facts.values_list(*_FACT_EVENT_FIELDS):
        fact = SimpleNamespace(**dict(zip(_FACT_EVENT_FIELDS, row, strict=True)))
        for measure, month, detail in events(fact):  # type: ignore[arg-type]
            if not filters.start <= month <= filters.end:
                continue
            by_month[(measure.value, month)] += 1
            if measure in BREAKDOWN_MEASURES:
                by_sex_age[(measure.value, fact.sex, fact.age_band)] += 1
                by_area[(measure.value, fact.territory_id)] += 1
            if measure in (Measure.CHILDREN_IDENTIFIED, Measure.CLOSED, Measure.DAYS_TO_CASE):
                by_detail[(measure.value, detail)] += 1
    return Counts(
        dict(by_month), dict(by_sex_age), dict(by_detail), dict(by_area) if with_areas else {}
    )


# Indicators ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorValue:
    indicator: Indicator
    numerator: int | None = None
    denominator: int | None = None
    value: float | None = None  # rate in %, ratio, or median days
    pending: bool = False


def _value(indicator: Indicator, counts: Counts, caseload: tuple[int, int]) -> IndicatorValue:
    if indicator.kind == Kind.PENDING or indicator.numerator is None:
        return IndicatorValue(indicator, pending=True)
    if indicator.kind == Kind.RATIO:
        open_cases, managers = caseload
        return IndicatorValue(
            indicator, open_cases, managers, open_cases / managers if managers else None
        )
    numerator = counts.total(indicator.numerator)
    if indicator.kind == Kind.RATE:
        assert indicator.denominator is not None
        denominator = counts.total(indicator.denominator)
        share = 100 * numerator / denominator if denominator else None
        return IndicatorValue(indicator, numerator, denominator, share)
    if indicator.kind == Kind.MEDIAN_DAYS:
        histogram = days_histogram(counts)
        return IndicatorValue(indicator, sum(histogram.values()), None, raw_median(histogram))
    return IndicatorValue(indicator, numerator)


def days_histogram(counts: Counts) -> dict[int, int]:
    return {int(days): n for days, n in counts.detail(Measure.DAYS_TO_CASE).items() if days}


def raw_median(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    middle, seen = (total + 1) / 2, 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= middle:
            return float(value)
    return None


def caseload() -> tuple[int, int]:
    """Open cases and the case managers holding them, programme-wide: one cube cell per case
    manager (measure `caseload`)."""
    totals = CubeCell.objects.filter(grain=Grain.TOTAL, measure=Measure.CASELOAD).aggregate(
        cases=Sum("n"), managers=Count("id")
    )
    return int(totals["cases"] or 0), int(totals["managers"])


def indicator_values(counts: Counts) -> list[IndicatorValue]:
    load = caseload()
    return [_value(indicator, counts, load) for indicator in CATALOGUE]


# Company indicators (aggregate zone: every figure suppressed) ----------------------------------

HEADLINE_MEASURES = (
    (Measure.CHILDREN_IDENTIFIED, _("Children identified in child labour")),
    (Measure.CASES_OPENED, _("Cases opened by an agency")),
    (Measure.REACHED_REMEDIATION, _("Cases in remediation")),
    (Measure.CLOSED, _("Cases closed")),
    (Measure.DECENT_WORK, _("Youth placed in decent work")),
)
RATE_INDICATORS = (
    "referred_in_time",
    "plan_agreed",
    "follow_up_completion",
    "clear_at_last_follow_up",
    "clear_consecutive",
    "relapse_rate",
)


@dataclass
class CompanySection:
    """One block of a company's indicators, every figure suppressed."""

    key: str
    title: str
    note: str
    headline: list[tuple[str, Figure]]
    rates: list[tuple[str, Rate]]
    median_days: Rate
    by_sex_age: Table[str, str]
    by_category: Table[str, str]
    closures: Table[str, str]

    @property
    def sex_rows(self) -> list[tuple[str, list[Figure], Figure]]:
        labels = dict(Sex.choices)
        return [
            (str(labels.get(sex, sex)), self.by_sex_age.row(sex), self.by_sex_age.row_totals[sex])
            for sex in self.by_sex_age.rows
        ]

    @property
    def column_totals(self) -> list[Figure]:
        return [self.by_sex_age.column_totals[column] for column in self.by_sex_age.columns]

    @property
    def category_rows(self) -> list[tuple[str, Figure]]:
        labels = {str(key): value for key, value in CATEGORY_LABELS.items()}
        return [
            (str(labels.get(code, code)), self.by_category.cells[(code, "n")])
            for code in self.by_category.rows
        ]

    @property
    def closure_rows(self) -> list[tuple[str, Figure]]:
        labels = dict(ClosureReason.choices)
        return [
            (str(labels.get(code, code)), self.closures.cells[(code, "n")])
            for code in self.closures.rows
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "headline": {label: figure.as_json() for label, figure in self.headline},
            "rates": {label: value.as_json() for label, value in self.rates},
            "median_days_to_first_service": self.median_days.as_json(),
            "identified_by_sex_and_age": {
                f"{sex}/{band}": self.by_sex_age.cells[(sex, band)].as_json()
                for sex in self.by_sex_age.rows
                for band in self.by_sex_age.columns
            },
            "identified_total": self.by_sex_age.total.as_json(),
            "identified_by_category": {
                category: self.by_category.cells[(category, "n")].as_json()
                for category in self.by_category.rows
            },
            "closures_by_reason": {
                reason: self.closures.cells[(reason, "n")].as_json()
                for reason in self.closures.rows
            },
        }


def company_section(key: str, title: str, note: str, counts: Counts) -> CompanySection:
    sex_age = {
        (sex, band): n
        for (measure, sex, band), n in counts.by_sex_age.items()
        if measure == Measure.CHILDREN_IDENTIFIED
    }
    sexes = [str(value) for value in Sex.values]
    bands = [str(band) for band in AGE_BANDS]
    # Children outside the three bands are counted in the total through a fourth column.
    other = Counter[tuple[str, str]]()
    for (sex, band), n in sex_age.items():
        if band not in bands and sex in sexes:
            other[(sex, "other")] += n
    table_counts = {**{k: v for k, v in sex_age.items() if k[1] in bands}, **other}
    by_sex_age = suppress_table(table_counts, sexes, [*bands, "other"])
    identified = counts.detail(Measure.CHILDREN_IDENTIFIED)
    closed = counts.detail(Measure.CLOSED)
    rates = []
    for code in RATE_INDICATORS:
        indicator = BY_CODE[code]
        assert indicator.numerator is not None
        assert indicator.denominator is not None
        rates.append(
            (
                str(indicator.name),
                rate(counts.total(indicator.numerator), counts.total(indicator.denominator)),
            )
        )
    return CompanySection(
        key=key,
        title=title,
        note=note,
        headline=[
            (str(label), suppress_figure(counts.total(measure)))
            for measure, label in HEADLINE_MEASURES
        ],
        rates=rates,
        median_days=median_of(days_histogram(counts)),
        by_sex_age=by_sex_age,
        by_category=suppress_list(identified, CATEGORIES),
        closures=suppress_list(closed, [str(reason) for reason in ClosureReason.values]),
    )


def chain_counts(company: Organisation, filters: Filters) -> Counts:
    """The counts of the company's supply chain: children identified at one of its sites, or
    living in a community where one of its sites is, each counted once.

    Read from the cube in three queries whatever the chain's size: the chain's sites, then the
    community cells of their communities plus the site cells of children who live outside them
    (the site grains carry the child's community for this).
    """
    from companies.selectors import supply_chain_sites

    sites = list(supply_chain_sites(company).values_list("id", "area_id"))
    site_ids = {site_id for site_id, _area_id in sites}
    community_ids = {area_id for _site_id, area_id in sites}

    def chain(community_grain: Grain, site_grain: Grain) -> QuerySet[CubeCell]:
        in_communities = Q(grain=community_grain, area_id__in=community_ids)
        at_sites = Q(grain=site_grain, site_id__in=site_ids) & ~Q(area_id__in=community_ids)
        return CubeCell.objects.filter(
            in_communities | at_sites, month__gte=filters.start, month__lte=filters.end
        )

    counts = Counts()
    if not site_ids:
        return counts
    _add_months_and_details(counts, chain(Grain.COMMUNITY, Grain.SITE))
    _add_sex_age(counts, chain(Grain.COMMUNITY_SEX_AGE, Grain.SITE_SEX_AGE), with_areas=False)
    return counts


def company_indicators(company: Organisation, filters: Filters) -> list[CompanySection]:
    """The company's chain, its cohorts, the cases it sponsors, and the whole programme.

    `company` must come from access.companies.get_company_for_user.
    """
    from companies.selectors import cohort_case_ids, company_cohorts

    sections = [
        company_section(
            "chain",
            str(_("Sites in your supply chain")),
            str(
                _(
                    "Children identified at the sites of your chain, or living in a community "
                    "where one of those sites is."
                )
            ),
            chain_counts(company, filters),
        )
    ]
    since_start = Filters(start=date(2000, 1, 1), end=filters.end)
    for cohort in company_cohorts(company):
        facts = ChildFact.objects.filter(case_id__in=cohort_case_ids(cohort))
        sections.append(
            company_section(
                f"cohort-{cohort.pk}",
                str(_("Sponsored cohort: %(name)s") % {"name": cohort.name}),
                str(_("The cases holding a place in this cohort, since the cohort started.")),
                counts_from_facts(facts, since_start),
            )
        )
    sections.append(
        company_section(
            "programme",
            str(_("Whole programme")),
            str(_("Every community the programme monitors, for comparison.")),
            read_counts(filters, with_areas=False),
        )
    )
    return sections


def home_tiles() -> dict[str, Any]:
    """The headline figures of the last 12 months, for the hub's home page."""
    filters = Filters.last_months(12)
    cells = _cube(filters).filter(
        measure__in=[
            Measure.CHILDREN_MONITORED,
            Measure.CHILDREN_IDENTIFIED,
            Measure.REFERRAL_DUE,
            Measure.REFERRED_IN_TIME,
        ]
    )
    totals = dict(cells.values_list("measure").annotate(n=Sum("n")).values_list("measure", "n"))
    open_cases, _managers = caseload()
    due = totals.get(Measure.REFERRAL_DUE.value, 0)
    return {
        "monitored": totals.get(Measure.CHILDREN_MONITORED.value, 0),
        "identified": totals.get(Measure.CHILDREN_IDENTIFIED.value, 0),
        "open_cases": open_cases,
        "referred_in_time": (
            100 * totals.get(Measure.REFERRED_IN_TIME.value, 0) / due if due else None
        ),
    }
