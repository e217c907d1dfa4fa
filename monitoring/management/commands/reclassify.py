"""`python manage.py reclassify [--rules drc] [--dry-run]`: re-run a rule set over every visit.

Used after a change of law or rule set: each stored observation gets the new result with the
new rule-set version, and the command reports how many children moved between categories.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.classification import UnknownRuleSetError, load_ruleset
from monitoring.services.classification import reclassify


class Command(BaseCommand):
    help = "Re-run classification over every stored observation and report what changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rules", default=getattr(settings, "KINGA_RULESET", "drc"), help="rule set name"
        )
        parser.add_argument("--dry-run", action="store_true", help="report only, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ruleset = load_ruleset(options["rules"])
        except UnknownRuleSetError as error:
            raise CommandError(str(error)) from None
        report = reclassify(actor=None, ruleset=ruleset, dry_run=options["dry_run"])
        verb = "would change" if options["dry_run"] else "changed"
        self.stdout.write(
            f"{report.ruleset}: {report.examined} observations examined, "
            f"{report.changed} {verb} category, "
            f"{report.reasons_changed} kept their category with other reasons."
        )
        for (old, new), count in sorted(report.transitions.items()):
            self.stdout.write(f"  {old} -> {new}: {count}")
        for sign, counts in (("+", report.rules_added), ("-", report.rules_removed)):
            for rule_id, count in sorted(counts.items()):
                self.stdout.write(f"  {sign} {rule_id}: {count}")
