from __future__ import annotations

import pytest
from django.db import transaction

from core import tasks

calls: list[int] = []


def remember(value: int) -> None:
    calls.append(value)


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()


@pytest.mark.django_db(transaction=True)
def test_inline_job_runs_only_after_commit(settings):
    settings.REDIS_URL = ""
    with transaction.atomic():
        tasks.enqueue_on_commit(remember, 1)
        assert calls == []
    assert calls == [1]


@pytest.mark.django_db(transaction=True)
def test_job_is_dropped_when_the_transaction_rolls_back(settings):
    settings.REDIS_URL = ""

    def enqueue_then_fail() -> None:
        with transaction.atomic():
            tasks.enqueue_on_commit(remember, 2)
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    assert calls == []


@pytest.mark.django_db(transaction=True)
def test_with_redis_the_job_goes_to_the_queue(settings):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (start redis-server)")
    settings.REDIS_URL = url
    settings.TASKS_ALWAYS_INLINE = False
    tasks._queue.cache_clear()
    queue = tasks._queue()
    queue.empty()
    with transaction.atomic():
        tasks.enqueue_on_commit(remember, 3)
    assert calls == []
    assert queue.count == 1
    queue.empty()
    tasks._queue.cache_clear()
