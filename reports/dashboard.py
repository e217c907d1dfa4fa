"""The programme dashboard, composed: tiles, monthly trends, breakdowns and the map.

The hub's own view of its programme: counts are not suppressed here (hub staff see all data);
they never include a name. Every number comes from reports.selectors (the summary tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationType
from cases.choices import ClosureReason
from geo.models import Area, AreaLevel
from monitoring.choices import CATEGORY_LABELS, Sex
from reports.catalogue import Measure
from reports.charts import Point, bar_list, column_chart
from reports.models import AgeBand
from reports.selectors import (
    AGE_BANDS,
    CATEGORIES,
    Counts,
    Filters,
    IndicatorValue,
    indicator_values,
    read_counts,
)

FILTER_LEVELS = (AreaLevel.COUNTRY, AreaLevel.PROVINCE, AreaLevel.TERRITORY, AreaLevel.CITY)


@dataclass
class Dashboard:
    filters: Filters
    indicators: list[IndicatorValue]
    trend_chart: Any
    cases_chart: Any
    sex_age_rows: list[tuple[str, list[int], int]]
    category_chart: Any
    closure_chart: Any
    area_rows: list[tuple[str, int, int]]
    area_chart: Any
    counts: Counts


def filter_areas() -> QuerySet[Area]:
    """Areas offered in the filter: the country down to territories and cities (public data)."""
    return Area.objects.filter(level__in=FILTER_LEVELS, is_active=True).order_by("path")


def filter_sponsors() -> QuerySet[Organisation]:
    return Organisation.objects.filter(type=OrganisationType.COMPANY).order_by("name")


def find_area(area_id: str | None) -> Area | None:
    if not area_id or not area_id.isdigit():
        return None
    return Area.objects.filter(pk=int(area_id)).first()


def _month_label(month: Any) -> str:
    return date_format(month, "M y")


def programme_dashboard(filters: Filters) -> Dashboard:
    counts = read_counts(filters)
    months = filters.months()
    trend = column_chart(
        [
            Point(
                _month_label(month),
                counts.by_month.get((Measure.CHILDREN_MONITORED.value, month), 0),
                counts.by_month.get((Measure.CHILDREN_IDENTIFIED.value, month), 0),
            )
            for month in months
        ],
        title=_("Children first monitored and identified, by month"),
        legend=[_("first monitored"), _("identified")],
    )
    cases = column_chart(
        [
            Point(
                _month_label(month),
                counts.by_month.get((Measure.CASES_OPENED.value, month), 0),
                sum(
                    n
                    for (m, mo), n in counts.by_month.items()
                    if m == Measure.CLOSED and mo == month
                ),
            )
            for month in months
        ],
        title=_("Cases opened and closed, by month"),
        legend=[_("opened"), _("closed")],
    )
    sex_age_rows = []
    for sex in Sex:
        values = [
            counts.by_sex_age.get((Measure.CHILDREN_IDENTIFIED.value, sex.value, band.value), 0)
            for band in AGE_BANDS
        ]
        total = sum(
            n
            for (measure, s, _band), n in counts.by_sex_age.items()
            if measure == Measure.CHILDREN_IDENTIFIED and s == sex.value
        )
        sex_age_rows.append((str(sex.label), values, total))
    identified = counts.detail(Measure.CHILDREN_IDENTIFIED)
    labels = {str(key): str(value) for key, value in CATEGORY_LABELS.items()}
    category_chart = bar_list(
        [Point(labels.get(code, code), identified.get(code, 0)) for code in CATEGORIES],
        title=_("Children identified by category"),
    )
    closed = counts.detail(Measure.CLOSED)
    closure_chart = bar_list(
        [Point(str(reason.label), closed.get(reason.value, 0)) for reason in ClosureReason],
        title=_("Cases closed by reason"),
    )
    names = dict(
        Area.objects.filter(id__in={area_id for (_m, area_id) in counts.by_area}).values_list(
            "id", "name"
        )
    )
    area_rows = sorted(
        (
            (
                names.get(area_id, "?"),
                counts.by_area.get((Measure.CHILDREN_MONITORED.value, area_id), 0),
                counts.by_area.get((Measure.CHILDREN_IDENTIFIED.value, area_id), 0),
            )
            for area_id in {area_id for (_m, area_id) in counts.by_area}
        ),
        key=lambda row: (-row[2], row[0]),
    )
    area_chart = bar_list(
        [Point(name, identified_n) for name, _monitored, identified_n in area_rows[:15]],
        title=_("Children identified by territory"),
    )
    return Dashboard(
        filters=filters,
        indicators=indicator_values(counts),
        trend_chart=trend,
        cases_chart=cases,
        sex_age_rows=sex_age_rows,
        category_chart=category_chart,
        closure_chart=closure_chart,
        area_rows=area_rows,
        area_chart=area_chart,
        counts=counts,
    )


AGE_BAND_LABELS = [str(AgeBand(band).label) for band in AGE_BANDS]
