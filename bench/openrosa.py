"""Phones sending household visits: sustained submissions per second on PostgreSQL.

    python -m bench openrosa [--clients 8] [--seconds 30] [--workers 2] [--threads 4]
                             [--worker-class gthread] [--processors 2] [--modes queued,...]

A throwaway PostgreSQL database is migrated and given one facilitator, twenty communities and
a phone credential; gunicorn serves Kinga on 127.0.0.1 (bench/openrosa_server.py times each
request and its SQL); 8 client threads, each a phone (collect/openrosa/client.py), POST new
household visits (one child working, so each creates a household, a child, consents, a visit,
an observation, an activity and an identification) as fast as the server answers, for the
given time after a warm-up. Two modes:

- inline: no Redis, as in the embedded demo: the request stores the submission and, after its
  commit, turns it into records before answering;
- queued: with REDIS_URL (a scratch Redis database), the request stores the submission and
  queues its processing for a worker: what a phone waits for in production. Once the phones
  stop, `--processors` workers (`manage.py worker`) drain the queue for `--drain-seconds`:
  visits recorded per second by the workers alone;
- sustained: the same, with the workers running during the load, as in production: whether
  processing keeps up with receipt on this machine (the backlog left when the phones stop).

It prints submissions/s, latency percentiles, queries, the server's wall and CPU time per
request, the share of its request time spent outside the database, and the workers' visits/s
and CPU per visit. Skipped without a PostgreSQL server (BENCH_DATABASE_URL or DATABASE_URL).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench import databases

ROOT = Path(__file__).resolve().parent.parent
COMMUNITIES = 20
BENCH_REDIS_DB = int(
    os.environ.get("BENCH_REDIS_DB", "13")
)  # a scratch Redis database, emptied before and after


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(database_url: str) -> tuple[str, str]:
    """Migrate and create the facilitator, communities and phone; returns (name, secret)."""
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from bench.openrosa import _programme\n"
        "print(_programme())\n"
    )
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    output = subprocess.run(  # noqa: S603 — our own interpreter and code, no outside input
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    name, secret = output.strip().splitlines()[-1].split(":", 1)
    return name, secret


def _programme() -> str:
    from accounts.models import Organisation, OrganisationType, RoleAssignment, User
    from accounts.roles import Role
    from accounts.services.devices import device_credential_create
    from geo.models import AreaLevel
    from geo.services import area_create

    country = area_create(actor=None, name="Bench", level=AreaLevel.COUNTRY, code="BENCH")
    parent = country
    for level in (AreaLevel.PROVINCE, AreaLevel.TERRITORY, AreaLevel.CHIEFDOM):
        parent = area_create(actor=None, name=f"Bench {level}", level=level, parent=parent,
                             code=f"BENCH-{level}".upper())  # fmt: skip
    villages = [
        area_create(
            actor=None,
            name=f"Village {n}",
            level=AreaLevel.VILLAGE,
            parent=parent,
            code=f"BENCH-V{n:03d}",
        )
        for n in range(COMMUNITIES)
    ]
    partner = Organisation.objects.create(name="Bench partner", type=OrganisationType.PARTNER)
    user = User.objects.create_user(username="bench-facilitator", password=None)
    assignment = RoleAssignment.objects.create(
        user=user, role=Role.FACILITATOR, organisation=partner
    )
    assignment.areas.set(villages)
    row, secret = device_credential_create(actor=user, user=user, label="bench phone")
    return f"{row.name}:{secret}"


def _serve(database_url: str, port: int, stats: Path, args: argparse.Namespace, redis_url: str):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "BENCH_STATS_DIR": str(stats),
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable, "-m", "gunicorn", "bench.openrosa_server:application",
        "-c", "python:bench.openrosa_server", "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers), "--threads", str(args.threads),
        "--worker-class", args.worker_class, "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 — our own command
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start")


def _warm(url: str, name: str, secret: str, workers: int) -> None:
    """Load Django in every worker (the first request of a process imports everything)."""
    from collect.openrosa.client import Phone

    phones = [Phone(url, name, secret, timeout=120) for _ in range(workers * 2)]
    threads = [threading.Thread(target=lambda p=p: p.request("GET", "formList")) for p in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for phone in phones:
        phone.close()


def _load(
    url: str, name: str, secret: str, args: argparse.Namespace, processed: Callable[[], int]
) -> dict[str, Any]:
    from collect.openrosa.client import Phone, default_child, household_visit_xml, new_instance_id
    from collect.openrosa.xlsform_spec import VERSIONS

    version = VERSIONS["kinga_household_visit"]
    today = date.today().isoformat()  # noqa: DTZ011 — the server's local day, same machine
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    measuring = threading.Event()
    stop = threading.Event()

    def client(number: int) -> None:
        phone = Phone(url, name, secret)
        sent = 0
        while not stop.is_set():
            sent += 1
            body = household_visit_xml(
                community=f"BENCH-V{(number + sent) % COMMUNITIES:03d}",
                instance_id=new_instance_id(),
                version=version,
                visited_on=today,
                head_name=f"Head {number} {sent}",
                children=[default_child(first_name=f"Child {number} {sent}")],
            )
            started = time.perf_counter()
            status = phone.submit(body).status
            elapsed = time.perf_counter() - started
            if measuring.is_set() and not stop.is_set():
                with lock:
                    (latencies if status == 201 else failures).append(
                        elapsed if status == 201 else status  # type: ignore[arg-type]
                    )
        phone.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    time.sleep(args.warmup)
    measuring.set()
    processed_before = processed()
    started = time.perf_counter()
    time.sleep(args.seconds)
    stop.set()
    elapsed = time.perf_counter() - started
    processed_during = processed() - processed_before
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "submissions": len(latencies),
        "failures": len(failures),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0,
        "processed_during_load_per_second": processed_during / elapsed,
    }


def _server_share(stats: Path) -> dict[str, float]:
    totals = {
        "requests": 0,
        "request_seconds": 0.0,
        "cpu_seconds": 0.0,
        "database_seconds": 0.0,
        "queries": 0,
    }
    for path in stats.glob("*.json"):
        for key, value in json.loads(path.read_text()).items():
            totals[key] += value
    requests = max(totals["requests"], 1)
    return {
        "outside_database_share": 1
        - totals["database_seconds"] / max(totals["request_seconds"], 1e-9),
        "queries_per_request": totals["queries"] / requests,
        "server_ms_per_request": totals["request_seconds"] * 1000 / requests,
        "server_cpu_ms_per_request": totals["cpu_seconds"] * 1000 / requests,
        "database_ms_per_request": totals["database_seconds"] * 1000 / requests,
    }


def _redis_url() -> str:
    base = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
    url = f"{base.rstrip('/')}/{BENCH_REDIS_DB}"
    try:
        from redis import Redis

        Redis.from_url(url).flushdb()
    except Exception:
        return ""
    return url


def _status_counts(database_url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT status, count(*) FROM collect_submission GROUP BY status"
        ).fetchall()
    return dict(rows)


def _processors(database_url: str, redis_url: str, count: int) -> list[subprocess.Popen[bytes]]:
    """`count` background workers (`manage.py worker`), as production runs them."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(os.environ["BENCH_WORKER_LOG"], "ab")  # the worker logs, for debugging
            if os.environ.get("BENCH_WORKER_LOG")
            else subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def _cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """CPU of a worker and of the job processes it forked and reaped (Linux /proc)."""
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)  # rq finishes the job in hand, then exits
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def _drain(database_url: str, redis_url: str, args: argparse.Namespace) -> dict[str, float]:
    """Workers alone on the queue the load left: visits recorded per second, CPU per visit."""
    done = ("processed", "needs_review")
    before = _status_counts(database_url)
    processes = _processors(database_url, redis_url, args.processors)
    # The workers import Django before their first job: start counting once one has finished.
    deadline = time.perf_counter() + 120
    while _status_counts(database_url) == before and time.perf_counter() < deadline:
        time.sleep(0.2)
    first = _status_counts(database_url)
    cpu_before = sum(_cpu_seconds(p) for p in processes)
    started = time.perf_counter()
    while time.perf_counter() - started < args.drain_seconds:
        time.sleep(0.5)
        if _status_counts(database_url).get("received", 0) == 0:
            break
    elapsed = time.perf_counter() - started
    last = _status_counts(database_url)
    cpu = sum(_cpu_seconds(p) for p in processes) - cpu_before
    _stop(processes)
    recorded = sum(last.get(s, 0) for s in done) - sum(first.get(s, 0) for s in done)
    return {
        "drain_visits_per_second": last.get("processed", 0) and recorded / elapsed,
        "drain_cpu_ms_per_visit": cpu * 1000 / max(recorded, 1),
        "drain_review": last.get("needs_review", 0) - before.get("needs_review", 0),
    }


def run_mode(mode: str, server_url: str, args: argparse.Namespace) -> dict[str, Any] | None:
    redis_url = ""
    if mode in ("queued", "sustained"):
        redis_url = _redis_url()
        if not redis_url:
            print(f"  {mode}: skipped (no Redis at BENCH_REDIS_URL or 127.0.0.1:6379)")
            return None
    database = databases.create_postgres(server_url, f"openrosa_{mode}")
    process = None
    processors: list[subprocess.Popen[bytes]] = []
    try:
        name, secret = _prepare(database.url)
        port = _free_port()
        with tempfile.TemporaryDirectory(prefix="kinga-bench-openrosa-") as directory:
            stats = Path(directory)
            process = _serve(database.url, port, stats, args, redis_url)
            _warm(f"http://127.0.0.1:{port}/collect", name, secret, args.workers)
            if mode == "sustained":
                processors = _processors(database.url, redis_url, args.processors)
            result = _load(
                f"http://127.0.0.1:{port}/collect",
                name,
                secret,
                args,
                lambda: _status_counts(database.url).get("processed", 0),
            )
            _stop(processors)
            processors = []
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
            process = None
            result.update(_server_share(stats))
        counts = _status_counts(database.url)
        result["backlog"] = counts.get("received", 0)
        if mode == "queued":
            result.update(_drain(database.url, redis_url, args))
        result["mode"] = mode
        return result
    finally:
        if process is not None:
            process.kill()
        for leftover in processors:
            leftover.kill()
        if redis_url:
            from redis import Redis

            Redis.from_url(redis_url).flushdb()
        if not args.keep:
            databases.drop_postgres(server_url, database)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench openrosa")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    from config import gunicorn

    # Production's settings (config/gunicorn.py) unless the command line says otherwise.
    parser.add_argument("--workers", type=int, default=gunicorn.workers)
    parser.add_argument("--threads", type=int, default=gunicorn.threads)
    parser.add_argument(
        "--worker-class", default=gunicorn.worker_class, choices=["gthread", "sync"]
    )
    parser.add_argument("--processors", type=int, default=2, help="background workers")
    parser.add_argument("--drain-seconds", type=float, default=20)
    parser.add_argument("--modes", default="inline,queued,sustained")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    server_url = databases.postgres_server_url()
    if server_url is None:
        print("openrosa: skipped, needs PostgreSQL (BENCH_DATABASE_URL or DATABASE_URL)")
        return 0
    sys.path.insert(0, str(ROOT))
    print(
        f"openrosa: {args.clients} phones, {args.seconds:g} s after {args.warmup:g} s warm-up, "
        f"gunicorn {args.workers} {args.worker_class} workers x {args.threads} threads, "
        f"{args.processors} background workers, PostgreSQL, load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'mode':<9} {'subm/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'failed':>6} "
        f"{'queries':>7} {'server ms':>9} {'cpu ms':>7} {'db ms':>6} {'outside db':>10} "
        f"{'visits/s':>8} {'cpu ms/visit':>12} {'backlog':>7}"
    )
    results = []
    for mode in args.modes.split(","):
        result = run_mode(mode.strip(), server_url, args)
        if result is None:
            continue
        result["load_average"] = os.getloadavg()[0]
        results.append(result)
        print(_row(result))
    databases.RESULTS.mkdir(exist_ok=True)
    (databases.RESULTS / "openrosa.json").write_text(json.dumps(results, indent=2))
    return 0


def _row(result: dict[str, Any]) -> str:
    """One line of the table; `visits/s` is what the workers recorded (drained, or meanwhile)."""
    if result["mode"] == "queued":
        visits, cpu = result["drain_visits_per_second"], f"{result['drain_cpu_ms_per_visit']:.0f}"
    elif result["mode"] == "sustained":
        visits, cpu = result["processed_during_load_per_second"], "-"
    else:
        visits, cpu = result["per_second"], "-"
    return (
        f"{result['mode']:<9} {result['per_second']:>7.1f} {result['p50_ms']:>7.0f} "
        f"{result['p95_ms']:>7.0f} {result['failures']:>6} "
        f"{result['queries_per_request']:>7.1f} {result['server_ms_per_request']:>9.1f} "
        f"{result['server_cpu_ms_per_request']:>7.1f} {result['database_ms_per_request']:>6.1f} "
        f"{result['outside_database_share']:>10.0%} {visits:>8.1f} {cpu:>12} "
        f"{result['backlog']:>7}  (load {result['load_average']:.1f})"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
