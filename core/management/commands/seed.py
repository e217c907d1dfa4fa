"""`seed --demo`: the demo programme. `seed --scale N`: a programme of N children on top of it.

Both refuse to run with KINGA_ENV=production: demo users have a published password and
authenticator keys anyone can compute.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from core.seeding.demo import run_demo
from core.seeding.scale import check_scale_allowed, run_scale


class Command(BaseCommand):
    help = "Create the demo programme (--demo), or a large one for benchmarks (--scale N)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Create whatever part of the demo programme is missing (safe to repeat).",
        )
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="Also generate a programme sized for N children, once per database "
            "(the demo programme is seeded first).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale: int | None = options["scale"]
        if not options["demo"] and scale is None:
            raise CommandError(
                "Say what to create: --demo, or --scale N (which includes the demo)."
            )
        if settings.PRODUCTION:
            raise CommandError(
                "seed refuses to run with KINGA_ENV=production: demo users have a published "
                "password and authenticator keys."
            )
        write = self.stdout.write if options["verbosity"] > 0 else _silent
        started = time.monotonic()
        try:
            if scale is not None:
                check_scale_allowed(scale)  # before the demo step, so a refusal changes nothing
            write("Demo programme…")
            context = run_demo(write=write)
            created = sum(context.created.values())
            if created:
                write(self.style.SUCCESS(f"Demo programme: {created} rows created."))
            else:
                write("Demo programme already present; nothing changed.")
            if scale is not None:
                run_scale(children=scale, demo=context, write=write)
        except DomainError as error:
            raise CommandError(error.message) from None
        write(f"Done in {time.monotonic() - started:.1f} s.")


def _silent(message: str) -> None:
    """Verbosity 0: print nothing."""
