"""`python manage.py classify --rules drc < visits.jsonl`: classify observations in bulk.

Reads JSON Lines on stdin and writes one JSON object per input line on stdout, in order and
flushed line by line, so it can sit in a pipe and answer as observations arrive. The contract
(including error lines) is `monitoring.classification.json_lines.classify_line`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.classification import UnknownRuleSetError, available_rulesets, load_ruleset
from monitoring.classification.json_lines import classify_line

_NOT_UTF8 = {"error": "line is not valid UTF-8 text"}


class Command(BaseCommand):
    help = (
        "Classify children's observations read as JSON Lines on stdin; write one JSON result "
        '({"category", "reasons", "ruleset"} or {"error"}) per input line on stdout.'
    )
    # Tests (and callers embedding the command) pass a text stream instead of the real stdin.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rules",
            required=True,
            metavar="RULESET",
            help=f"the rule set to apply: {', '.join(available_rulesets())}",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ruleset = load_ruleset(options["rules"])
        except UnknownRuleSetError as error:
            raise CommandError(str(error)) from None
        stdin = options.get("stdin") or sys.stdin
        try:
            for line in _lines(stdin):
                result = _NOT_UTF8 if line is None else classify_line(line, ruleset)
                self.stdout.write(json.dumps(result))
                self.stdout.flush()
        except BrokenPipeError:
            # The reader stopped listening (`| head`): there is no one left to answer. Point
            # stdout at /dev/null so Python's own flush at exit does not fail a second time.
            if options.get("stdout") is None:  # we were writing to the real stdout
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _lines(stream: IO[str]) -> Iterator[str | None]:
    """Each line as text, or None when it is not UTF-8: one bad byte must not end the run."""
    binary = getattr(stream, "buffer", None)
    if binary is None:  # already text (a StringIO in tests)
        for number, line in enumerate(stream):
            yield line.removeprefix("\ufeff") if number == 0 else line
        return
    for number, raw in enumerate(binary):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield None
            continue
        # Some Windows tools start files with a byte order mark; it is not part of the JSON.
        yield line.removeprefix("\ufeff") if number == 0 else line
