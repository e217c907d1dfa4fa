"""The WSGI app and gunicorn hooks for `bench.openrosa`: Kinga, timing each request and its SQL.

Each worker adds up, per request, the wall time inside Django, the CPU time of the thread that
served it (what the request costs this machine, whatever else runs on it) and the time its
queries spent in `cursor.execute` (Django's execute_wrapper: the database round trip and the
driver), and writes the totals to BENCH_STATS_DIR/<pid>.json when it exits.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.core.wsgi import get_wsgi_application
from django.db import connection

# Production's gunicorn settings (workers, threads, keep-alive, timeouts), so the bench serves
# Kinga as a deployment does; bench/openrosa.py's command line may change the counts.
from config.gunicorn import (  # noqa: F401 — gunicorn reads them from this module
    graceful_timeout,
    keepalive,
    max_requests,
    max_requests_jitter,
    threads,
    timeout,
    worker_class,
    workers,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
_django = get_wsgi_application()
_totals = {
    "requests": 0,
    "request_seconds": 0.0,
    "cpu_seconds": 0.0,
    "database_seconds": 0.0,
    "queries": 0,
}


def _timed_query(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
) -> Any:
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        _totals["database_seconds"] += time.perf_counter() - started
        _totals["queries"] += 1


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    started, cpu_started = time.perf_counter(), time.thread_time()
    with connection.execute_wrapper(_timed_query):
        response = _django(environ, start_response)
        body = b"".join(response)
        if hasattr(response, "close"):
            response.close()  # Django runs its request_finished signal here
    _totals["request_seconds"] += time.perf_counter() - started
    _totals["cpu_seconds"] += time.thread_time() - cpu_started
    _totals["requests"] += 1
    return [body]


def worker_exit(server: Any, worker: Any) -> None:
    directory = os.environ.get("BENCH_STATS_DIR")
    if directory:
        Path(directory, f"{os.getpid()}.json").write_text(json.dumps(_totals))
