"""`python -m bench reports`: indicators from the summary tables against a raw GROUP BY.

For each database (SQLite always, PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL names a
server) a throwaway database is migrated and seeded (`seed --scale N`, the demo included), a
company's chain is given scale sites, the summary tables are rebuilt (timed), and then, in one
loop, alternately:

- the programme dashboard's data (`read_counts` + `indicator_values` for the last 12 months)
  against raw GROUP BYs of the monitoring and case tables giving the same counts;
- one company's report data (`company_indicators`: its chain, cohorts, the programme) against
  raw GROUP BYs over the chain's children and cases;
- an incremental refresh after writes touching 1,000 children (timed once).

The figure of interest is "x faster": raw p95 ÷ summary p95 (target ≥ 20, and < 100 ms p95 on
PostgreSQL). Results: a table, and bench/results/reports-latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import databases
from bench.databases import RESULTS

ROOT = Path(__file__).resolve().parent.parent
COMPANY_NAME = "Aurora Cells GmbH"
CHAIN_SITES = 20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reports", description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000, help="children (seed --scale)")
    parser.add_argument("--requests", type=int, default=100, help="timed runs per measure")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args)
        return 0
    backends = [name.strip() for name in args.backends.split(",")]
    server = databases.postgres_server_url()
    if "postgresql" in backends and server is None:
        print("PostgreSQL skipped: set BENCH_DATABASE_URL (or DATABASE_URL) to postgres://...")
        backends.remove("postgresql")
    results = []
    for backend in backends:
        label = f"reports{args.scale}"
        database = (
            databases.create_sqlite(label)
            if backend == "sqlite"
            else databases.create_postgres(server or "", label)
        )
        output = RESULTS / f"reports-{backend}-{args.scale}.json"
        print(f"\n== {backend}: migrate, seed --scale {args.scale}, refresh, measure")
        try:
            subprocess.run(  # noqa: S603 — our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "bench.reports",
                    f"--scale={args.scale}",
                    f"--requests={args.requests}",
                    f"--worker={output}",
                ],
                cwd=ROOT,
                env={**os.environ, "DATABASE_URL": database.url, "KINGA_ENV": "development"},
                check=True,
            )
            results.append(json.loads(output.read_text()))
        finally:
            if not args.keep:
                if backend == "sqlite":
                    databases.drop_sqlite(database)
                else:
                    databases.drop_postgres(server or "", database)
    (RESULTS / "reports-latest.json").write_text(json.dumps(results, indent=2))
    print()
    print(render(results))
    return 0


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        "| database | data | measure | summary p50 ms | summary p95 ms | raw GROUP BY p50 ms "
        "| raw GROUP BY p95 ms | x faster p50 | x faster p95 |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for m in result["measures"]:
            lines.append(
                f"| {result['server']} | {result['dataset']} | {m['name']} "
                f"| {m['p50_ms']:.2f} | {m['p95_ms']:.2f} | {m['raw_p50_ms']:.1f} "
                f"| {m['raw_p95_ms']:.1f} | {m['raw_p50_ms'] / m['p50_ms']:.0f}x "
                f"| {m['raw_p95_ms'] / m['p95_ms']:.0f}x |"
            )
    lines += ["", "| database | data | seed s | full rebuild s | incremental refresh s | rows |"]
    lines.append("|---|---|---:|---:|---:|---|")
    for result in results:
        rows = ", ".join(f"{n:,} {label}" for label, n in result["rows"].items())
        lines.append(
            f"| {result['server']} | {result['dataset']} | {result['seed_seconds']:.0f} "
            f"| {result['rebuild_seconds']:.1f} | {result['incremental_seconds']:.2f} | {rows} |"
        )
    return "\n".join(lines)


# The worker: runs in a child process with DATABASE_URL set to the throwaway database. ---------


def _worker(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed", "--scale", str(args.scale))
    seed_seconds = time.perf_counter() - started
    company = _company_with_scale_chain()

    from reports.services.refresh import refresh_indicators

    started = time.perf_counter()
    refresh_indicators(full=True)
    rebuild_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_childfact; ANALYZE reports_cubecell")
    incremental_seconds = _incremental(refresh_indicators)
    measures = _measures(company, args.requests)

    from django.db.models import Count

    from bench.worker import _server_version
    from monitoring.models import Child, Observation, Visit
    from reports.models import ChildFact, CubeCell

    result = {
        "backend": connection.vendor,
        "server": _server_version(),
        "dataset": f"scale {args.scale:,}",
        "seed_seconds": seed_seconds,
        "rebuild_seconds": rebuild_seconds,
        "incremental_seconds": incremental_seconds,
        "rows": {
            "children": Child.objects.count(),
            "visits": Visit.objects.count(),
            "observations": Observation.objects.count(),
            "child facts": ChildFact.objects.count(),
            "cube cells": CubeCell.objects.count(),
        },
        "cube cells by grain": dict(
            CubeCell.objects.values_list("grain").annotate(n=Count("id")).order_by("grain")
        ),
        "measures": [m.as_dict() for m in measures],
        "load_average": list(os.getloadavg()),
    }
    args.worker.write_text(json.dumps(result, indent=2))


def _company_with_scale_chain() -> Any:
    """The demo company, with a supplier linked to scale mine sites, as a real chain would be."""
    from accounts.models import Organisation, OrganisationType
    from companies.models import SupplierSite, SupplyChainLink
    from geo.models import Site, SiteKind

    company = Organisation.objects.get(name=COMPANY_NAME)
    supplier, _created = Organisation.objects.get_or_create(
        name="Bench cooperative", defaults={"type": OrganisationType.SUPPLIER}
    )
    SupplyChainLink.objects.get_or_create(
        company=company, supplier=supplier, defaults={"tier": 3, "source": "hub"}
    )
    sites = Site.objects.filter(kind=SiteKind.ARTISANAL_MINE, code__startswith="S-").order_by("id")[
        :CHAIN_SITES
    ]
    for site in sites:
        SupplierSite.objects.get_or_create(supplier=supplier, site=site)
    return company


def _incremental(refresh: Any) -> float:
    """Touch 1,000 children (as edits would) and time the refresh that follows."""
    from django.utils import timezone

    from monitoring.models import Child

    ids = list(Child.objects.order_by("-id").values_list("id", flat=True)[:1000])
    Child.objects.filter(id__in=ids).update(updated_at=timezone.now())
    started = time.perf_counter()
    refresh()
    return time.perf_counter() - started


def _raw(sql: str, params: list[Any]) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _month(column: str) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})"
    return f"strftime('%Y-%m', {column})"


def _measures(company: Any, requests: int) -> list[Any]:
    from bench.timing import compare
    from companies.selectors import supply_chain_sites
    from reports.selectors import Filters, company_indicators, indicator_values, read_counts

    filters = Filters.last_months(12)
    start = filters.start

    def dashboard() -> object:
        return indicator_values(read_counts(filters))

    # The same counts from the source tables: first observation month (by sex and age is
    # left out, which flatters the raw side), identifications by month and category, cases
    # opened by month and state, closures by reason, referrals in time, follow-ups.
    dashboard_sql = [
        f"""SELECT {_month("first_seen")}, sex, COUNT(*) FROM (
              SELECT o.child_id, MIN(v.visited_on) AS first_seen FROM monitoring_observation o
              JOIN monitoring_visit v ON v.id = o.visit_id GROUP BY o.child_id) f
            JOIN monitoring_child c ON c.id = f.child_id
            WHERE first_seen >= %s GROUP BY 1, 2""",
        f"""SELECT {_month("i.identified_at")}, i.category, c.sex, COUNT(DISTINCT i.child_id)
            FROM monitoring_identification i JOIN monitoring_child c ON c.id = i.child_id
            WHERE i.identified_at >= %s GROUP BY 1, 2, 3""",
        f"""SELECT {_month("k.opened_at")}, k.state, COUNT(*),
                   SUM(CASE WHEN p.agreed_at IS NOT NULL THEN 1 ELSE 0 END)
            FROM cases_case k JOIN cases_remediationplan p ON p.case_id = k.id
            WHERE k.opened_at >= %s GROUP BY 1, 2""",
        """SELECT closure_reason, COUNT(*) FROM cases_case
           WHERE state = 'closed' AND closed_at >= %s GROUP BY 1""",
        f"""SELECT {_month("i.deadline_at")}, COUNT(*),
                   SUM(CASE WHEN r.first_at <= i.deadline_at THEN 1 ELSE 0 END)
            FROM monitoring_identification i LEFT JOIN (
              SELECT child_id, MIN(referred_at) AS first_at FROM cases_referral GROUP BY child_id
            ) r ON r.child_id = i.child_id
            WHERE i.deadline_at >= %s GROUP BY 1""",
        """SELECT k.id, COUNT(f.id) FROM cases_case k JOIN cases_followup f ON f.case_id = k.id
           WHERE k.opened_at >= %s GROUP BY k.id""",
    ]

    def dashboard_raw() -> object:
        return [_raw(sql, [start]) for sql in dashboard_sql]

    site_ids = list(supply_chain_sites(company).values_list("id", flat=True))
    area_ids = list(supply_chain_sites(company).values_list("area_id", flat=True).distinct())
    places = ",".join(["%s"] * len(area_ids)) or "NULL"
    site_places = ",".join(["%s"] * len(site_ids)) or "NULL"
    chain_children = f"""SELECT c.id FROM monitoring_child c
        JOIN monitoring_household h ON h.id = c.household_id WHERE h.area_id IN ({places})
        UNION SELECT i.child_id FROM monitoring_identification i
        JOIN monitoring_observation o ON o.id = i.first_observation_id
        JOIN monitoring_visit v ON v.id = o.visit_id WHERE v.site_id IN ({site_places})"""
    chain_params = [*area_ids, *site_ids]
    company_sql = [
        (
            f"""SELECT {_month("i.identified_at")}, i.category, c.sex, COUNT(DISTINCT i.child_id)
                FROM monitoring_identification i JOIN monitoring_child c ON c.id = i.child_id
                WHERE i.child_id IN ({chain_children}) AND i.identified_at >= %s
                GROUP BY 1, 2, 3""",
            [*chain_params, start],
        ),
        (
            f"""SELECT k.state, k.closure_reason, COUNT(*) FROM cases_case k
                WHERE k.child_id IN ({chain_children}) AND k.opened_at >= %s GROUP BY 1, 2""",
            [*chain_params, start],
        ),
        (
            """SELECT k.sponsor_id, k.state, COUNT(*) FROM cases_case k
                WHERE k.sponsor_id = %s GROUP BY 1, 2""",
            [company.pk],
        ),
    ]

    def company_raw() -> object:
        rows = [_raw(sql, params) for sql, params in company_sql]
        # The report also shows the whole programme, which the dashboard's queries give.
        return rows, dashboard_raw()

    def company_report() -> object:
        return [section.as_json() for section in company_indicators(company, filters)]

    return [
        compare(
            "programme dashboard data (12 months)",
            dashboard,
            dashboard_raw,
            requests=requests,
            warmup=3,
        ),
        compare(
            "one company's report data", company_report, company_raw, requests=requests, warmup=3
        ),
    ]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
