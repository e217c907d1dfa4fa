"""Import speed and memory: a Kobo-style CSV of household visits, imported through the bulk
path (collect runner → monitoring.services.batch.record_batch, batches of 500 rows) on
PostgreSQL, next to two baselines measured in the same run: a raw COPY of the same CSV into
a scratch table (what the issue compares with), and the database's own floor: the rows the
import wrote, COPYed again into empty copies of the same tables, with their indexes and
foreign keys (what no import code can beat; decision 0012).

    python -m bench.imports [--rows 100000] [--memory-rows 10000]

Each row is one household visit with its household and one child doing one activity, so one
row creates a household, a child, a consent, a visit, an observation, an activity, usually an
identification; each batch writes one audit event. Two sizes run in two child processes, each
on the same throwaway database: the peak memory of each process (ru_maxrss) shows whether
memory stays flat as the file grows. Skipped, with a message, without a PostgreSQL server
(BENCH_DATABASE_URL or DATABASE_URL). See docs/imports.md for the figures and what bounds them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import databases

ROOT = Path(__file__).resolve().parent.parent
VILLAGES = 40
HEADER = [
    "meta/instanceID", "visit_date", "community_code", "head_name", "members_count",
    "child_1_first_name", "child_1_last_name", "child_1_sex", "child_1_age",
    "child_1_school_status", "child_1_consent_identification",
    "child_1_activity_1_task", "child_1_activity_1_hours", "child_1_activity_1_hazards",
]  # fmt: skip
FIRST_NAMES = ["Amani", "Esther", "Jean", "Ruth", "Patrick", "Grace", "Moise", "Neema", "Joel"]
LAST_NAMES = ["Ilunga", "Kasongo", "Mwamba", "Banza", "Kabila", "Mutombo", "Ngoy", "Kalenga"]
TASKS = [("washing_ore", "dust_or_chemicals"), ("carrying_sacks", "heavy_loads"),
         ("market_vending", ""), ("farm_field_work", "extreme_temperature"), ("", "")]  # fmt: skip
SCHOOL = ["not_enrolled", "attending_regularly", "attending_irregularly", "dropped_out"]


def write_csv(path: Path, rows: int, seed: int) -> None:
    """Stream `rows` generated visit rows to `path` (never held in memory)."""
    rng = random.Random(seed)
    first_day = date(2026, 1, 5)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(rows):
            task, hazard = rng.choice(TASKS)
            writer.writerow(
                [
                    f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                    (first_day + timedelta(days=number % 300)).isoformat(),
                    f"BENCH-V{rng.randrange(VILLAGES):03d}",
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    rng.randint(2, 12),
                    rng.choice(FIRST_NAMES),
                    rng.choice(LAST_NAMES),
                    rng.choice(("F", "M")),
                    rng.randint(6, 17),
                    rng.choice(SCHOOL),
                    rng.choice(("yes", "no")),
                    task,
                    rng.randint(2, 30) if task else "",
                    hazard,
                ]
            )


# The child process: one size, on DATABASE_URL ---------------------------------------------------


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _programme() -> Any:
    """Communities and an importer (a hub administrator) for the benchmark database."""
    from accounts.models import Organisation, OrganisationType, RoleAssignment, User
    from accounts.roles import Role
    from geo.models import Area, AreaLevel
    from geo.services import area_create

    if not Area.objects.filter(code="BENCH-CHIEFDOM").exists():
        parent = None
        for level, code in (
            (AreaLevel.COUNTRY, "BENCH-CD"),
            (AreaLevel.PROVINCE, "BENCH-PROVINCE"),
            (AreaLevel.TERRITORY, "BENCH-TERRITORY"),
            (AreaLevel.CHIEFDOM, "BENCH-CHIEFDOM"),
        ):
            parent = area_create(actor=None, code=code, name=code, level=level, parent=parent)
        for number in range(VILLAGES):
            code = f"BENCH-V{number:03d}"
            area_create(actor=None, code=code, name=code, level=AreaLevel.VILLAGE, parent=parent)
    importer, created = User.objects.get_or_create(username="bench-importer")
    if created:
        hub, _ = Organisation.objects.get_or_create(
            name="Bench hub", defaults={"type": OrganisationType.HUB}
        )
        RoleAssignment.objects.create(user=importer, role=Role.HUB_ADMIN, organisation=hub)
    return importer


def _store(path: Path) -> tuple[str, int]:
    from collect.storage import EncryptedWriter, new_stored_name

    writer = EncryptedWriter(new_stored_name())
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            writer.write(chunk)
    writer.close()
    return writer.stored_name, writer.size


def _copy_rows_per_second(path: Path, rows: int) -> float:
    """A raw COPY of the same CSV into a scratch table: the fastest way into PostgreSQL."""
    from django.db import connection

    columns = ", ".join(f"c{index} text" for index in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_copy")
        cursor.execute(f"CREATE UNLOGGED TABLE bench_import_copy ({columns})")
        started = time.perf_counter()
        with (
            cursor.copy("COPY bench_import_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(256 * 1024):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_import_copy")
        copied = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_import_copy")
    assert copied == rows, (copied, rows)
    return rows / seconds


def _written_tables() -> list[str]:
    """The tables an import writes, in the order it writes them."""
    from monitoring.models import (
        Activity,
        Child,
        Consent,
        DuplicateCandidate,
        Household,
        Identification,
        Observation,
        Visit,
    )

    models = (Household, Child, Consent, Visit, Observation, Activity, Identification)
    return [model._meta.db_table for model in (*models, DuplicateCandidate)]


def _last_ids() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        last = {}
        for table in _written_tables():
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            last[table] = cursor.fetchone()[0]
    return last


FLOOR_SLICE = 10_000


def _same_rows_copy_seconds(after_ids: dict[str, int]) -> float:
    """The database's own floor: the rows the import wrote, COPYed (binary, prepared in
    advance) into empty copies of the same tables, with the same indexes, checks and foreign
    keys. No import, whatever its code, can write these rows faster."""
    from django.db import connection

    seconds = 0.0
    with connection.cursor() as cursor:
        for table in _written_tables():
            floor = f"bench_floor_{table}"
            cursor.execute(f"DROP TABLE IF EXISTS {floor}")
            cursor.execute(f"CREATE TABLE {floor} (LIKE {table} INCLUDING ALL)")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {floor} ADD CONSTRAINT f_{name[:55]} {definition}")
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            last = cursor.fetchone()[0]
            # By slices of ids, so that the bench's memory stays that of the import.
            for low in range(after_ids[table], last, FLOOR_SLICE):
                rows = bytearray()
                query = f"SELECT * FROM {table} WHERE id > {low} AND id <= {low + FLOOR_SLICE}"
                with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
                    for chunk in copy:
                        rows += chunk
                started = time.perf_counter()
                with cursor.copy(f"COPY {floor} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(bytes(rows))
                seconds += time.perf_counter() - started
            cursor.execute(f"DROP TABLE {floor}")
    return seconds


def worker(rows: int, seed: int, output: Path, *, stream_only: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)  # run the passes inline, in this process
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench.imports needs PostgreSQL")
    call_command("migrate", verbosity=0)
    from collect.services import jobs

    with tempfile.TemporaryDirectory(prefix="kinga-bench-imports-") as directory:
        settings.MEDIA_ROOT = Path(directory) / "media"
        importer = _programme()
        source = Path(directory) / "visits.csv"
        write_csv(source, rows, seed)
        copy_rate = _copy_rows_per_second(source, rows)
        rss_before = _rss_mib()
        stored_name, size = _store(source)
        job = jobs.import_upload(
            actor=importer,
            upload=jobs.StoredUpload(stored_name, size, source.name),
            kind="kobo_household_visit",
        )
        job = jobs.import_map(actor=importer, job=job, mapping=jobs.suggested_mapping(job))
        stream_peak = _stream_peak_kib(job)
        if stream_only:
            jobs.import_discard(actor=importer, job=job)
            output.write_text(json.dumps(_result(rows, size, copy_rate, rss_before, stream_peak)))
            return
        started = time.perf_counter()
        jobs.import_validate(actor=importer, job=job)  # runs inline after its commit
        dry_run_seconds = time.perf_counter() - started
        job.refresh_from_db()
        assert job.rows_valid == rows, (job.rows_valid, job.rows_invalid, job.failure_message)
        last_ids = _last_ids()
        started = time.perf_counter()
        jobs.import_confirm(actor=importer, job=job, mode="valid_rows_only")
        import_seconds = time.perf_counter() - started
        job.refresh_from_db()
        assert job.rows_created == rows, (job.status, job.rows_created, job.failure_message)
        import_peak = _peak_mib()  # before the floor, which is the bench's, not the import's
        floor_rate = rows / _same_rows_copy_seconds(last_ids)
    result = _result(rows, size, copy_rate, rss_before, stream_peak, peak=import_peak)
    result.update(
        dry_run_rows_per_s=rows / dry_run_seconds,
        import_rows_per_s=rows / import_seconds,
        ratio=(rows / import_seconds) / copy_rate,
        floor_rows_per_s=floor_rate,
        floor_ratio=floor_rate / copy_rate,
        ratio_to_floor=(rows / import_seconds) / floor_rate,
    )
    output.write_text(json.dumps(result))


def _result(
    rows: int,
    size: int,
    copy_rate: float,
    rss_before: float,
    stream_peak: float,
    *,
    peak: float | None = None,
) -> dict[str, Any]:
    return {
        "rows": rows,
        "file_mib": size / 1024**2,
        "copy_rows_per_s": copy_rate,
        "stream_peak_kib": stream_peak,
        "rss_before_mib": rss_before,
        "peak_rss_mib": _peak_mib() if peak is None else peak,
    }


def _stream_peak_kib(job: Any) -> float:
    """Peak Python memory of reading every record of the file (decrypt, parse, map)."""
    import tracemalloc

    from collect.readers import Table
    from collect.services.records import records

    tracemalloc.start()
    with Table(job.stored_name, job.file_format) as table:
        for _record in records(job, table):
            pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024


# The parent: a throwaway database, one child per size --------------------------------------------


def run(
    rows: int = 100_000, memory_rows: int = 10_000, keep: bool = False, stream_only: bool = False
) -> list[dict[str, Any]]:
    """Run the import benchmark; returns one result per size ([] when skipped)."""
    server = databases.postgres_server_url()
    if server is None:
        print("bench.imports skipped: set BENCH_DATABASE_URL (or DATABASE_URL) to postgres://...")
        return []
    database = databases.create_postgres(server, "imports")
    results = []
    try:
        for seed, size in enumerate(sorted({memory_rows, rows})):
            print(f"== imports: {size:,} rows on {database.name}", flush=True)
            output = databases.RESULTS / f"imports-{size}.json"
            databases.RESULTS.mkdir(exist_ok=True)
            environment = {**os.environ, "DATABASE_URL": database.url, "KINGA_ENV": "development"}
            subprocess.run(  # noqa: S603 — our own interpreter and module, no outside input
                [sys.executable, "-m", "bench.imports", "--worker", f"--rows={size}",
                 f"--seed={seed}", f"--output={output}",
                 *(["--stream-only"] if stream_only else [])],
                cwd=ROOT,
                env=environment,
                check=True,
            )  # fmt: skip
            results.append(json.loads(output.read_text()))
    finally:
        if not keep:
            databases.drop_postgres(server, database)
    print(render(results))
    (databases.RESULTS / "imports.json").write_text(json.dumps(results, indent=2))
    return results


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        "| rows | file MiB | COPY rows/s | floor rows/s (÷ COPY) | import rows/s | ÷ COPY "
        "| ÷ floor | dry run rows/s | read peak KiB | RSS before MiB | peak RSS MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ran = "ratio" in r
        rate = f"{r['import_rows_per_s']:,.1f}" if ran else "—"
        ratio = f"{r['ratio']:.5f}" if ran else "—"
        floor = f"{r['floor_rows_per_s']:,.0f} ({r['floor_ratio']:.4f})" if ran else "—"
        to_floor = f"{r['ratio_to_floor']:.3f}" if ran else "—"
        dry = f"{r['dry_run_rows_per_s']:,.1f}" if ran else "—"
        lines.append(
            f"| {r['rows']:,} | {r['file_mib']:.1f} | {r['copy_rows_per_s']:,.0f} | {floor} "
            f"| {rate} | {ratio} | {to_floor} | {dry} | {r['stream_peak_kib']:,.0f} "
            f"| {r['rss_before_mib']:.0f} | {r['peak_rss_mib']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the large file")
    parser.add_argument("--memory-rows", type=int, default=10_000, help="rows of the small file")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--stream-only",
        action="store_true",
        help="measure COPY and reading the file only, not the (slow) passes through the services",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.rows, args.seed, args.output, stream_only=args.stream_only)
        return 0
    run(rows=args.rows, memory_rows=args.memory_rows, keep=args.keep, stream_only=args.stream_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
