"""Background work: on Redis workers in production, inline in the embedded demo.

Services call `enqueue_on_commit(func, *args)`; the job runs only if the transaction commits.
With REDIS_URL set, an `rq` worker (`python manage.py worker`) runs it; without Redis (the
one-command demo on SQLite) it runs right after the commit, in the same process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

QUEUE_NAME = "kinga"


def in_process_worker(connection: Any) -> Any:
    """An rq worker that runs each job in its own process, not in a fork per job.

    rq's default worker forks for every job and the fork throws away whatever Django loaded
    for it (translations, rule sets, forms, compiled queries' caches): a phone submission cost
    about 130 ms of CPU that way and 50-60 ms in process. Database connections are checked
    around each job, as Django checks them around each request.
    """
    from django.db import close_old_connections
    from rq import SimpleWorker

    class InProcessWorker(SimpleWorker):
        def execute_job(self, job: Any, queue: Any) -> None:
            close_old_connections()
            try:
                super().execute_job(job, queue)
            finally:
                close_old_connections()

    return InProcessWorker([QUEUE_NAME], connection=connection)


@cache
def _queue() -> Any:
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(settings.REDIS_URL))


def uses_workers() -> bool:
    return bool(settings.REDIS_URL) and not getattr(settings, "TASKS_ALWAYS_INLINE", False)


def enqueue_on_commit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `func(*args, **kwargs)` after the current transaction commits.

    `func` must be importable at module level and its arguments plain values (ids, not model
    instances), because a worker process will import and call it.
    """

    def run() -> None:
        if uses_workers():
            _queue().enqueue(func, *args, **kwargs, job_timeout=3600)
        else:
            func(*args, **kwargs)

    transaction.on_commit(run)
