"""`manage.py refresh_indicators [--full]`: bring the summary tables up to date.

Run it from cron every few minutes (pages also ask for a refresh when the last one is older
than a minute), and with --full at night: a rebuild corrects anything an increment missed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reports.services.refresh import refresh_indicators


class Command(BaseCommand):
    help = "Refresh the indicator summary tables from the monitoring and case tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild from scratch")

    def handle(self, *args: Any, **options: Any) -> None:
        result = refresh_indicators(full=options["full"])
        kind = "rebuilt" if result.full else "refreshed"
        self.stdout.write(
            f"{kind}: {result.children:,} children, {result.cells_changed:,} cube cells, "
            f"{result.seconds:.1f} s"
        )
