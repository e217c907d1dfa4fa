"""`python -m bench pages`: pages and endpoints on throwaway databases, seeded, measured, one table.

For SQLite always, and for PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL names a server:
the demo programme and `seed --scale N` each get a fresh database, migrated and seeded in a
child process (bench/worker.py), then the pages and endpoints of bench/scenarios.py are timed
next to raw SQL returning the same rows. Results: the table below, and bench/results/latest.json.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000, help="children for the scale run")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per measure")
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument("--datasets", default="demo,scale", help="comma-separated: demo, scale")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)

    backends = [name.strip() for name in args.backends.split(",")]
    datasets = [name.strip() for name in args.datasets.split(",")]
    server = databases.postgres_server_url()
    if "postgresql" in backends and server is None:
        print("PostgreSQL skipped: set BENCH_DATABASE_URL (or DATABASE_URL) to postgres://...")
        backends.remove("postgresql")

    results = []
    for backend in backends:
        for dataset in datasets:
            label = f"{dataset}" if dataset == "demo" else f"scale{args.scale}"
            if backend == "sqlite":
                database = databases.create_sqlite(label)
            else:
                assert server is not None
                database = databases.create_postgres(server, label)
            try:
                results.append(_run(database, dataset, args))
            finally:
                if not args.keep:
                    if backend == "sqlite":
                        databases.drop_sqlite(database)
                    else:
                        assert server is not None
                        databases.drop_postgres(server, database)

    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    print()
    print(render(results))
    return 0


def _run(database: Database, dataset: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {database.backend}, {dataset}: migrate, seed, measure ({database.name})")
    output = RESULTS / f"{database.backend}-{dataset}.json"
    environment = {**os.environ, "DATABASE_URL": database.url, "KINGA_ENV": "development"}
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 — our own interpreter and module, no outside input
        [
            sys.executable,
            "-m",
            "bench.worker",
            f"--dataset={dataset}",
            f"--scale={args.scale}",
            f"--requests={args.requests}",
            f"--output={output}",
        ],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    print(f"   done in {time.perf_counter() - started:.0f} s")
    result: dict[str, Any] = json.loads(output.read_text())
    return result


def render(results: list[dict[str, Any]]) -> str:
    """The results as a Markdown table (readable in a terminal, pasteable in the docs)."""
    lines = [
        "| database | data | measure | p50 ms | p95 ms | raw SQL p50 ms | raw SQL p95 ms "
        "| x raw p50 | x raw p95 |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for measure in result["measures"]:
            name = measure["name"] + (f" ({measure['note']})" if measure["note"] else "")
            lines.append(
                f"| {result['server']} | {result['dataset']} | {name} "
                f"| {measure['p50_ms']:.2f} | {measure['p95_ms']:.2f} "
                f"| {measure['raw_p50_ms']:.3f} | {measure['raw_p95_ms']:.3f} "
                f"| {measure['ratio_p50']:.0f}x | {measure['ratio_p95']:.0f}x |"
            )
    lines += [
        "",
        "| database | data | seed s | rows | deep page ÷ page 1 (p50) | load average |",
        "|---|---|---:|---|---:|---:|",
    ]
    for result in results:
        rows = ", ".join(f"{count:,} {label}" for label, count in result["rows"].items())
        pages = [m for m in result["measures"] if m["name"].startswith("GET /api/v1/sites")]
        deep = f"{pages[1]['p50_ms'] / pages[0]['p50_ms']:.2f}" if len(pages) == 2 else "—"
        load = result["load_average"]
        lines.append(
            f"| {result['server']} | {result['dataset']} | {result['seed_seconds']:.1f} "
            f"| {rows} | {deep} | {load[0]:.1f} → {load[1]:.1f} |"
        )
    lines.append(
        f"\n{results[0]['requests'] if results else 0} timed requests per measure, "
        "after 20 warm-up requests; Django and raw SQL alternate in one loop. "
        f"{os.cpu_count()} CPUs; load average (1 min) before and after measuring."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
