"""The full rebuild of the summary tables: facts computed in batches of children, the cube
built from the stored facts by GROUP BY in SQL.

At a million children the incremental path's way of building the cube (each fact's keys formatted
and counted in Python) costs as much as computing the facts, so the rebuild does it set-based:
the facts' events go into a temporary table, and each grain of `facts.GRAIN_RULES` is one
`INSERT … SELECT … GROUP BY` over it. The events below mirror `facts.events` rule for rule; the
tests compare a rebuilt cube with one kept by increments (reports/tests/test_refresh.py).
Called by `refresh_indicators(full=True)` inside its transaction and lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from monitoring.models import Child
from reports.catalogue import Measure
from reports.facts import GRAIN_RULES, STANDING, GrainRule, compute_facts
from reports.models import ChildFact, CubeCell, Grain

BATCH = 5000
_EVENTS = "reports_rebuild_events"


def rebuild() -> tuple[int, int]:
    """Every fact and cell from scratch. Returns (facts, cells)."""
    ChildFact.objects.all().delete()
    CubeCell.objects.all().delete()
    children = _rebuild_facts()
    _rebuild_cube()
    return children, CubeCell.objects.count()


def _rebuild_facts() -> int:
    """Facts for children in id ranges: the source tables are read by range, not by long
    lists of ids, and rows go in as plain tuples (COPY on PostgreSQL)."""
    children, last = 0, 0
    while True:
        batch = list(
            Child.objects.filter(id__gt=last, merged_into__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)[:BATCH]
        )
        if not batch:
            return children
        facts = compute_facts(batch, id_range=(batch[0], batch[-1]))
        write_rows(ChildFact, FACT_COLUMNS, (_fact_row(fact) for fact in facts.values()))
        children += len(facts)
        last = batch[-1]


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _month_text(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"substr({column}, 1, 7)"


# (measure, day it counts in, condition, detail): facts.events, as SQL over reports_childfact.
_CASE = "case_opened_on IS NOT NULL"
_EVENT_RULES: tuple[tuple[Measure, str, str, str], ...] = (
    (Measure.CHILDREN_MONITORED, "first_observed_on", "first_observed_on IS NOT NULL", "''"),
    (
        Measure.HOUSEHOLDS_MONITORED,
        "first_observed_on",
        "first_observed_on IS NOT NULL AND counts_household = TRUE",
        "''",
    ),
    (
        Measure.CHILDREN_IDENTIFIED,
        "identified_on",
        "identified_on IS NOT NULL",
        "identification_category",
    ),
    (Measure.REFERRAL_DUE, "referral_due_on", "referral_due_on IS NOT NULL", "''"),
    (
        Measure.REFERRED_IN_TIME,
        "referral_due_on",
        "referral_due_on IS NOT NULL AND referred_in_time = TRUE",
        "''",
    ),
    (Measure.CASES_OPENED, "case_opened_on", _CASE, "''"),
    (
        Measure.DAYS_TO_CASE,
        "case_opened_on",
        f"{_CASE} AND days_to_case IS NOT NULL",
        "CAST(days_to_case AS TEXT)",
    ),
    (Measure.OPEN_CASES, "case_opened_on", f"{_CASE} AND case_open = TRUE", "''"),
    (Measure.PLAN_AGREED, "case_opened_on", f"{_CASE} AND plan_agreed = TRUE", "''"),
    (
        Measure.REACHED_REMEDIATION,
        "case_opened_on",
        f"{_CASE} AND reached_remediation = TRUE",
        "''",
    ),
    (Measure.FOLLOWED_UP, "case_opened_on", f"{_CASE} AND follow_ups > 0", "''"),
    (
        Measure.CLEAR_AT_LAST_FOLLOW_UP,
        "case_opened_on",
        f"{_CASE} AND clear_at_last_follow_up = TRUE",
        "''",
    ),
    (Measure.CLEAR_CONSECUTIVE, "case_opened_on", f"{_CASE} AND clear_streak >= %s", "''"),
    (Measure.RELAPSED, "case_opened_on", f"{_CASE} AND relapsed = TRUE", "''"),
    (
        Measure.DECENT_WORK,
        "COALESCE(closed_on, case_opened_on)",
        f"{_CASE} AND decent_work = TRUE",
        "''",
    ),
    (Measure.CLOSED, "closed_on", "closed_on IS NOT NULL", "closure_reason"),
)


def _rebuild_cube() -> None:
    from reports.catalogue import CONSECUTIVE_CLEAR_FOLLOW_UPS

    selects, params = [], []
    for measure, day, condition, detail in _EVENT_RULES:
        columns = (
            f"'{measure.value}' AS measure, {_month(day)} AS month, {detail} AS detail, "
            "sex, age_band, territory_id, community_id, COALESCE(site_id, 0) AS site_id, "
            "COALESCE(sponsor_id, 0) AS sponsor_id"
        )
        selects.append(f"SELECT {columns} FROM reports_childfact WHERE {condition}")  # noqa: S608 — our own SQL
        params += [CONSECUTIVE_CLEAR_FOLLOW_UPS] * condition.count("%s")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_EVENTS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_EVENTS} AS {' UNION ALL '.join(selects)}", params)
        for rule in GRAIN_RULES:
            cursor.execute(*_insert_grain(rule))
        cursor.execute(*_insert_caseload())
        cursor.execute(f"DROP TABLE {_EVENTS}")


def _insert_grain(rule: GrainRule) -> tuple[str, list[Any]]:
    """INSERT … SELECT … GROUP BY for one grain: the dimensions it keeps are columns, the others
    constants (0 or ''), and the key is built as `facts.key_string` builds it."""
    area = f"{rule.area}_id" if rule.area else "0"
    dimensions = {
        "area_id": area,
        "site_id": "site_id" if rule.site else "0",
        "sponsor_id": "sponsor_id" if rule.sponsor else "0",
        "sex": "sex" if rule.sex_age else "''",
        "age_band": "age_band" if rule.sex_age else "''",
        "detail": "detail" if rule.detail else "''",
    }
    texts = [
        f"CAST({value} AS TEXT)" if name.endswith("_id") else value
        for name, value in dimensions.items()
    ]
    key = " || '|' || ".join([f"'{rule.grain.value}'", "measure", _month_text("month"), *texts])
    grouped = ["measure", "month", *(v for v in dimensions.values() if v not in ("0", "''"))]
    conditions, params = ["1 = 1"], []
    if rule.site:
        conditions.append("site_id <> 0")
    if rule.measures is not None:
        conditions.append(f"measure IN ({', '.join(['%s'] * len(rule.measures))})")
        params += sorted(measure.value for measure in rule.measures)
    sql = (
        f"INSERT INTO reports_cubecell ({', '.join(CELL_COLUMNS)}) "  # noqa: S608 — our own names
        f"SELECT {key}, '{rule.grain.value}', measure, month, "
        f"{', '.join(dimensions.values())}, COUNT(*) FROM {_EVENTS} "
        f"WHERE {' AND '.join(conditions)} GROUP BY {', '.join(grouped)}"
    )
    return sql, params


def _insert_caseload() -> tuple[str, list[Any]]:
    """Open cases per case manager (facts.contributions' first key), in the STANDING month."""
    grain, measure = Grain.TOTAL.value, Measure.CASELOAD.value
    key = f"'{grain}|{measure}|{STANDING:%Y-%m}|0|0|0|||' || CAST(case_manager_id AS TEXT)"
    sql = (
        f"INSERT INTO reports_cubecell ({', '.join(CELL_COLUMNS)}) "  # noqa: S608 — our own names
        f"SELECT {key}, %s, %s, %s, 0, 0, 0, '', '', CAST(case_manager_id AS TEXT), COUNT(*) "
        "FROM reports_childfact WHERE case_open = TRUE AND case_manager_id IS NOT NULL "
        "AND case_manager_id <> 0 GROUP BY case_manager_id"
    )
    return sql, [grain, measure, STANDING]


FACT_COLUMNS = [field.column for field in ChildFact._meta.concrete_fields]
_REFRESHED_AT = FACT_COLUMNS.index("refreshed_at")
CELL_COLUMNS = [field.column for field in CubeCell._meta.concrete_fields if not field.primary_key]


def _fact_row(fact: ChildFact) -> list[Any]:
    row = [getattr(fact, field.attname) for field in ChildFact._meta.concrete_fields]
    if connection.vendor != "postgresql":
        # As the ORM stores datetimes in SQLite: naive UTC text.
        row[_REFRESHED_AT] = connection.ops.adapt_datetimefield_value(fact.refreshed_at)
    return row


def write_rows(model: Any, columns: list[str], rows: Iterable[list[Any]]) -> None:
    """Plain rows into `model`'s table: COPY on PostgreSQL, executemany on SQLite."""
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 — our own names
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
