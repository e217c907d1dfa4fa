"""`manage.py notify_deadlines`: tell people of missed deadlines (cron, every few minutes).

    */5 * * * *  cd /srv/kinga && .venv/bin/python manage.py notify_deadlines --verbosity 0

Safe to repeat: a deadline already told to a person is not told again (docs/cases.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cases.choices import NotificationKind
from cases.services.notifications import notify_deadlines


class Command(BaseCommand):
    help = "Write (and e-mail) a notification for every missed deadline not told yet."

    def handle(self, *args: Any, **options: Any) -> None:
        created = notify_deadlines()
        if not created:
            self.stdout.write("No new missed deadline.")
            return
        for kind, count in sorted(created.items()):
            self.stdout.write(f"{NotificationKind(kind).label}: {count}")
