"""`python -m bench cases`: the case manager's home page and the case list API at scale.

For SQLite always, and for PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL names a server:
a throwaway database is migrated and seeded with `seed --scale N` in a child process (this
module run with `--worker`), which gives N / 5 cases (200,000 at the default N = 1,000,000;
core/seeding/cases_scale.py). Then, in the same loop, each request is timed next to raw SQL
returning the same rows:

- `GET /` signed in as the case manager with the most open cases in the biggest agency,
  against the queries of `cases.selectors.case_manager_work` (overdue, due soon, referrals
  waiting, plans awaiting approval, supports ending) and the principal's;
- `GET /api/v1/cases?limit=50`, page 1 and a deep page (following `next_cursor`), as the
  referral desk (every case) and filtered to that agency (`agency=`), against the same
  SELECT with its joins, and `id < last` for the deep page.

A deep page must cost at most 1.5 times page 1 (keyset pagination); the run says if it does not.
Results: the table printed at the end, and bench/results/cases.json.
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
from bench.databases import RESULTS, Database

ROOT = Path(__file__).resolve().parent.parent
DEEP_LIMIT = 1.5  # deep page p50 ÷ page 1 p50


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench cases", description=__doc__)
    parser.add_argument("--scale", type=int, default=1_000_000, help="children (cases: N / 5)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per measure")
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument(
        "--cases-per-child",
        type=float,
        default=None,
        help="cases per generated child (default 0.2: N / 5 cases); e.g. --scale 300000 "
        "--cases-per-child 0.67 gives 200,000 cases over fewer children (decision 0008)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)

    backends = [name.strip() for name in args.backends.split(",")]
    server = databases.postgres_server_url()
    if "postgresql" in backends and server is None:
        print("PostgreSQL skipped: set BENCH_DATABASE_URL (or DATABASE_URL) to postgres://...")
        backends.remove("postgresql")
    results = []
    for backend in backends:
        label = f"cases{args.scale}"
        if backend == "sqlite":
            database = databases.create_sqlite(label)
        else:
            assert server is not None
            database = databases.create_postgres(server, label)
        try:
            results.append(_run(database, args))
        finally:
            if not args.keep:
                if backend == "sqlite":
                    databases.drop_sqlite(database)
                else:
                    assert server is not None
                    databases.drop_postgres(server, database)
    (RESULTS / "cases.json").write_text(json.dumps(results, indent=2))
    print()
    print(render(results))
    slow = [
        f"{result['server']}: {name}"
        for result in results
        for name, ratio in result["deep_ratios"].items()
        if ratio > DEEP_LIMIT
    ]
    if slow:
        print(f"\nDeep pages costing more than {DEEP_LIMIT} x page 1: {', '.join(slow)}")
        return 1
    return 0


def _run(database: Database, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {database.backend}: migrate, seed --scale {args.scale}, measure ({database.name})")
    output = RESULTS / f"cases-{database.backend}.json"
    environment = {**os.environ, "DATABASE_URL": database.url, "KINGA_ENV": "development"}
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 — our own interpreter and module, no outside input
        [
            sys.executable,
            "-m",
            "bench.cases",
            "--worker",
            f"--scale={args.scale}",
            f"--requests={args.requests}",
            f"--output={output}",
            *([f"--cases-per-child={args.cases_per_child}"] if args.cases_per_child else []),
        ],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    print(f"   done in {time.perf_counter() - started:.0f} s")
    result: dict[str, Any] = json.loads(output.read_text())
    return result


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        "| database | data | measure | p50 ms | p95 ms | raw SQL p50 ms | raw SQL p95 ms "
        "| x raw p50 | x raw p95 |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for m in result["measures"]:
            name = m["name"] + (f" ({m['note']})" if m["note"] else "")
            lines.append(
                f"| {result['server']} | {result['dataset']} | {name} | {m['p50_ms']:.2f} "
                f"| {m['p95_ms']:.2f} | {m['raw_p50_ms']:.3f} | {m['raw_p95_ms']:.3f} "
                f"| {m['ratio_p50']:.1f}x | {m['ratio_p95']:.1f}x |"
            )
    lines += [
        "",
        "| database | data | seed s | rows | deep page ÷ page 1 (p50) | load average |",
        "|---|---|---:|---|---|---:|",
    ]
    for result in results:
        rows = ", ".join(f"{count:,} {label}" for label, count in result["rows"].items())
        deep = "; ".join(f"{name}: {ratio:.2f}" for name, ratio in result["deep_ratios"].items())
        load = result["load_average"]
        lines.append(
            f"| {result['server']} | {result['dataset']} | {result['seed_seconds']:.0f} "
            f"| {rows} | {deep} | {load[0]:.1f} → {load[1]:.1f} |"
        )
    lines.append(
        f"\n{results[0]['requests'] if results else 0} timed requests per measure, after 20 "
        f"warm-up requests; Django and raw SQL alternate in one loop. {os.cpu_count()} CPUs."
    )
    return "\n".join(lines)


# ---- In the child process ---------------------------------------------------------------------

# One page of GET /api/v1/cases: each case with its child, the child's community, the agency,
# the case manager and the sponsor (cases.api._case_out), and one row more for next_cursor. A
# child met without a household has its community on the child row (monitoring decision 0009).
CASES_SQL = (
    "SELECT c.id, c.number, c.state, c.urgency, c.version, c.opened_at, c.step_due_at, "
    "c.next_follow_up_due_on, c.due_at, c.closed_at, c.closure_reason, ch.id, ch.code, "
    "a.id, a.code, a.name, ma.id, ma.code, ma.name, ag.id, ag.name, u.id, u.full_name, "
    "u.username, sp.id, sp.name "
    "FROM cases_case c INNER JOIN monitoring_child ch ON ch.id = c.child_id "
    "LEFT JOIN monitoring_household h ON h.id = ch.household_id "
    "LEFT JOIN geo_area a ON a.id = h.area_id "
    "LEFT JOIN geo_area ma ON ma.id = ch.area_id "
    "INNER JOIN accounts_organisation ag ON ag.id = c.agency_id "
    "INNER JOIN accounts_user u ON u.id = c.case_manager_id "
    "LEFT JOIN accounts_organisation sp ON sp.id = c.sponsor_id "
    "WHERE {where} ORDER BY c.id DESC LIMIT 51"
)
# The principal (who the user is, their roles and organisations): what every request reads.
PRINCIPAL_SQL = (
    "SELECT * FROM accounts_user WHERE id = %s",
    "SELECT r.*, o.is_active FROM accounts_roleassignment r "
    "INNER JOIN accounts_organisation o ON o.id = r.organisation_id WHERE r.user_id = %s",
)
OPEN = (
    "('identified', 'immediate_protection', 'assessment', 'plan_agreed', 'in_remediation', "
    "'follow_up')"
)
MINE = f"c.case_manager_id = %s AND c.agency_id = %s AND c.state IN {OPEN}"
LATE = "(c.step_due_at < %s OR c.next_follow_up_due_on < %s)"
CASE_COLUMNS = "c.*, ch.code"
CHILD_JOIN = "INNER JOIN monitoring_child ch ON ch.id = c.child_id"
# cases.selectors.case_manager_work, query by query (10 rows each, as HOME_ROWS), and the
# count of the person's unread notifications.
HOME_SQL = (
    f"SELECT {CASE_COLUMNS} FROM cases_case c {CHILD_JOIN} WHERE {MINE} AND {LATE} "
    "ORDER BY c.step_due_at, c.next_follow_up_due_on, c.id LIMIT 10",
    f"SELECT COUNT(*) FROM cases_case c WHERE {MINE} AND {LATE}",
    f"SELECT {CASE_COLUMNS} FROM cases_case c {CHILD_JOIN} WHERE {MINE} AND "
    "((c.step_due_at >= %s AND c.step_due_at < %s) OR "
    "(c.next_follow_up_due_on >= %s AND c.next_follow_up_due_on <= %s)) "
    "ORDER BY c.due_at, c.id LIMIT 10",
    "SELECT r.*, ch.code FROM cases_referral r "
    "INNER JOIN monitoring_child ch ON ch.id = r.child_id "
    "WHERE r.agency_id = %s AND r.status = 'pending' ORDER BY r.deadline_at, r.id LIMIT 10",
    "SELECT COUNT(*) FROM cases_referral r WHERE r.agency_id = %s AND r.status = 'pending'",
    f"SELECT {CASE_COLUMNS} FROM cases_case c {CHILD_JOIN} "
    "INNER JOIN cases_remediationplan p ON p.case_id = c.id "
    f"WHERE {MINE} AND p.status = 'awaiting_approval' ORDER BY c.step_due_at, c.id LIMIT 10",
    "SELECT i.*, c.* FROM cases_planitem i INNER JOIN cases_remediationplan p ON p.id = i.plan_id "
    f"INNER JOIN cases_case c ON c.id = p.case_id WHERE {MINE} "
    "AND i.status IN ('planned', 'in_progress') AND i.ends_on >= %s AND i.ends_on <= %s "
    "ORDER BY i.ends_on, i.id LIMIT 10",
    "SELECT * FROM accounts_organisation WHERE type = 'agency' AND id = %s",
    "SELECT COUNT(*) FROM cases_notification WHERE recipient_id = %s AND unread",
)


def worker() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--cases-per-child", type=float, default=None)
    args = parser.parse_args()

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    dataset = f"scale {args.scale:,}"
    if args.cases_per_child:
        from core.seeding import cases_scale

        # More cases per child than the programme's 1 in 5: the cases a case manager and the
        # desk read, without the millions of visits of the children who have no case.
        cases_scale.CASES_PER_CHILD = args.cases_per_child
        dataset += f", {args.cases_per_child:g} cases per child"
    started = time.perf_counter()
    call_command("seed", "--scale", str(args.scale))
    seed_seconds = time.perf_counter() - started
    load_before = os.getloadavg()[0]
    measures, deep_ratios = measure_all(requests=args.requests)
    from django.db import connection

    from bench.worker import _server_version

    result = {
        "backend": connection.vendor,
        "server": _server_version(),
        "dataset": dataset,
        "seed_seconds": seed_seconds,
        "rows": table_sizes(),
        "requests": args.requests,
        "measures": [measure.as_dict() for measure in measures],
        "deep_ratios": deep_ratios,
        "load_average": [load_before, os.getloadavg()[0]],
    }
    args.output.write_text(json.dumps(result, indent=2))


def measure_all(*, requests: int) -> tuple[list[Any], dict[str, float]]:
    from django.db.models import Count
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from bench.scenarios import DEEP_PAGE, _fetch, _now, _ok, bearer_client, signed_in_client
    from bench.timing import compare
    from cases.choices import OPEN_CASE_STATES
    from cases.models import Case
    from cases.selectors import DUE_SOON, ITEMS_ENDING_WITHIN

    # The biggest agency, and its case manager with the most open cases.
    agency_id = (
        Case.objects.values("agency_id").annotate(n=Count("id")).order_by("-n")[0]["agency_id"]
    )
    manager_id = (
        Case.objects.filter(agency_id=agency_id, state__in=OPEN_CASE_STATES)
        .values("case_manager_id")
        .annotate(n=Count("id"))
        .order_by("-n")[0]["case_manager_id"]
    )
    manager = User.objects.get(pk=manager_id)
    TOTPDevice.objects.get_or_create(user=manager, name="demo", defaults={"confirmed": True})
    home = signed_in_client(manager)
    moment = timezone.now()
    today = timezone.localdate(moment)
    now_value = _now()

    def home_raw() -> list[Any]:
        mine = (manager_id, agency_id)
        late = (*mine, now_value, today)
        return [
            [_fetch(sql, (manager_id,)) for sql in PRINCIPAL_SQL],
            _fetch(HOME_SQL[0], late),
            _fetch(HOME_SQL[1], late),
            _fetch(
                HOME_SQL[2], (*mine, now_value, _dt(moment + DUE_SOON), today, today + DUE_SOON)
            ),
            _fetch(HOME_SQL[3], (agency_id,)),
            _fetch(HOME_SQL[4], (agency_id,)),
            _fetch(HOME_SQL[5], mine),
            _fetch(HOME_SQL[6], (*mine, today, today + ITEMS_ENDING_WITHIN)),
            _fetch(HOME_SQL[7], (agency_id,)),
            _fetch(HOME_SQL[8], (manager_id,)),
        ]

    measures = [
        compare(
            "home page (case manager, biggest agency)",
            _ok(lambda: home.get("/")),
            home_raw,
            requests=requests,
        )
    ]
    desk = User.objects.filter(role_assignments__role="programme_manager").order_by("id").first()
    assert desk is not None
    api = bearer_client(desk)
    deep_ratios: dict[str, float] = {}
    for label, params, where, args in (
        ("all cases, as the referral desk", {}, "1 = 1", ()),
        ("one agency's cases", {"agency": agency_id}, "c.agency_id = %s", (agency_id,)),
    ):
        first, deep = case_pages(
            api,
            label,
            params=params,
            where=where,
            args=args,
            requests=requests,
            deep_page=DEEP_PAGE,
        )
        measures.append(first)
        if deep is not None:
            measures.append(deep)
            deep_ratios[label] = deep.p50_ms / first.p50_ms
    return measures, deep_ratios


def case_pages(
    api: Any,
    label: str,
    *,
    params: dict[str, Any],
    where: str,
    args: tuple[Any, ...],
    requests: int,
    deep_page: int,
) -> tuple[Any, Any]:
    from bench.scenarios import _fetch, _ok
    from bench.timing import compare

    path = "/api/v1/cases"
    query = {"limit": 50, **params}
    api_ids = [item["id"] for item in api.get(path, query).json()["items"]]
    raw_ids = [row[0] for row in _fetch(CASES_SQL.format(where=where), args)][:50]
    if api_ids != raw_ids:
        raise SystemExit(f"the raw SQL for {path} ({label}) does not return the API's rows")
    first = compare(
        f"GET {path}?limit=50, page 1 ({label})",
        _ok(lambda: api.get(path, query)),
        lambda: _fetch(CASES_SQL.format(where=where), args),
        requests=requests,
    )
    cursor, last, page = _deep_cursor(api, path, query, deep_page)
    if cursor is None or last is None:
        return first, None
    deeper = {**query, "cursor": cursor}
    deep_where = f"{where} AND c.id < %s"
    deep_ids = [item["id"] for item in api.get(path, deeper).json()["items"]]
    raw_deep = [row[0] for row in _fetch(CASES_SQL.format(where=deep_where), (*args, last["id"]))]
    if deep_ids != raw_deep[:50]:
        raise SystemExit(f"the raw SQL for the deep page of {path} ({label}) differs")
    deep = compare(
        f"GET {path}?limit=50, page {page} ({label})",
        _ok(lambda: api.get(path, deeper)),
        lambda: _fetch(CASES_SQL.format(where=deep_where), (*args, last["id"])),
        requests=requests,
        note="" if page == deep_page else f"the last page: there are only {page}",
    )
    return first, deep


def _deep_cursor(
    api: Any, path: str, query: dict[str, Any], deep_page: int
) -> tuple[str | None, dict[str, Any] | None, int]:
    """Follow next_cursor to page `deep_page` (or the last), with the filters kept."""
    cursor, last, page = None, None, 1
    body: dict[str, Any] = api.get(path, query).json()
    while body["next_cursor"] and page < deep_page:
        cursor, last, page = body["next_cursor"], body["items"][-1], page + 1
        body = api.get(path, {**query, "cursor": cursor}).json()
    return cursor, last, page


def _dt(value: Any) -> Any:
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(value)


def table_sizes() -> dict[str, int]:
    from bench.scenarios import _fetch

    tables = {
        "children": "monitoring_child",
        "identifications": "monitoring_identification",
        "referrals": "cases_referral",
        "cases": "cases_case",
        "case events": "cases_caseevent",
        "plan items": "cases_planitem",
        "follow-ups": "cases_followup",
        "observations": "monitoring_observation",
    }
    return {label: _fetch(f"SELECT COUNT(*) FROM {table}")[0][0] for label, table in tables.items()}


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker()
    else:
        sys.exit(main())
