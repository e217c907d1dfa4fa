"""`python manage.py worker`: process background jobs from Redis (needs REDIS_URL)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.tasks import QUEUE_NAME, in_process_worker


class Command(BaseCommand):
    help = "Run a background worker for Kinga's job queue (imports, reports, notifications)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError("REDIS_URL is not set: without Redis, jobs run inline.")
        from redis import Redis

        connection = Redis.from_url(settings.REDIS_URL)
        self.stdout.write(f"Kinga worker listening on queue '{QUEUE_NAME}'")
        in_process_worker(connection).work(with_scheduler=True)
