"""`manage.py worker` runs jobs in its own process, one after another, on a healthy connection."""

from __future__ import annotations

import os

import pytest

from core import tasks

ran_in: list[int] = []


def remember_process() -> None:
    from accounts.models import User

    User.objects.exists()  # the job uses the database, as every real job does
    ran_in.append(os.getpid())


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_every_job_in_its_own_process():
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url("redis://127.0.0.1:6379/11")
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (start redis-server)")
    from rq import Queue

    queue = Queue(tasks.QUEUE_NAME, connection=connection)
    queue.empty()
    ran_in.clear()
    for _ in range(3):
        queue.enqueue(remember_process)
    tasks.in_process_worker(connection).work(burst=True, logging_level="WARNING")
    # A forking worker would run them in children whose list this process never sees.
    assert ran_in == [os.getpid()] * 3
    assert queue.count == 0
    queue.empty()
