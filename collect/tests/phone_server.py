"""A real HTTP server on 127.0.0.1 for the Collect-style tests (a thread, like live_server).

pytest-django's live_server shares the one in-memory SQLite connection between request
threads; two requests at once would then interleave inside one transaction. On in-memory
SQLite this server therefore answers one request at a time (SQLite writes one at a time
anyway); on PostgreSQL every request thread has its own connection, truly concurrent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.test.testcases import LiveServerThread, _StaticFilesHandler

_ONE_AT_A_TIME = threading.Lock()


class _SerialHandler(_StaticFilesHandler):
    def __call__(self, environ: Any, start_response: Any) -> Any:
        with _ONE_AT_A_TIME:
            return super().__call__(environ, start_response)


@contextmanager
def running_server() -> Iterator[str]:
    shared = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()  # type: ignore[attr-defined]
    }
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread = LiveServerThread(
        "127.0.0.1",
        _SerialHandler if shared else _StaticFilesHandler,
        connections_override=shared,
    )
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}/collect"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()
