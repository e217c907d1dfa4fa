"""One benchmark run on one database (DATABASE_URL): migrate, seed, measure, write JSON.

Run by bench/__main__.py in a child process per database, so each run starts Django afresh
with its own settings and connections.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", choices=("demo", "scale"), required=True)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if args.dataset == "demo":
        call_command("seed", "--demo", verbosity=0)
    else:
        call_command("seed", "--scale", str(args.scale))
    seed_seconds = time.perf_counter() - started

    from bench import scenarios

    load_before = os.getloadavg()[0]
    measures = scenarios.run_all(requests=args.requests)
    result: dict[str, Any] = {
        "backend": connection.vendor,
        "server": _server_version(),
        "dataset": args.dataset if args.dataset == "demo" else f"scale {args.scale:,}",
        "seed_seconds": seed_seconds,
        "rows": scenarios.table_sizes(),
        "requests": args.requests,
        "measures": [measure.as_dict() for measure in measures],
        # Other work on the machine slows both sides of each ratio, not the ratio itself much.
        "load_average": [load_before, os.getloadavg()[0]],
    }
    args.output.write_text(json.dumps(result, indent=2))


def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


if __name__ == "__main__":
    main()
