"""A submission's answers as processing reads them: received values, staff corrections on top.

Each conversion names the answer's path when it refuses, so the review queue can point at it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from collect.models import Submission
from collect.openrosa.instance import parse_instance, repeat_count
from core.errors import DomainError

VERSION_FIELD = "@version"
# Filled by the phone, not answered (jr:preload timestamps): Collect sets `end` again each time
# a form is finalised, so an edit always differs there. Never an answer to compare or fix.
FORM_METADATA = frozenset({"start", "end"})


class Values:
    """The submission's values with staff corrections applied; conversions name their path."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def text(self, path: str) -> str:
        return self.values.get(path, "").strip()

    def required(self, path: str) -> str:
        value = self.text(path)
        if not value:
            raise DomainError("submission.required", _("This answer is missing."), field=path)
        return value

    def day(self, path: str) -> date | None:
        value = self.text(path)
        if not value:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            raise DomainError(
                "submission.date", _("This is not a date (YYYY-MM-DD)."), field=path
            ) from None

    def integer(self, path: str) -> int | None:
        value = self.text(path)
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            raise DomainError(
                "submission.integer", _("This is not a whole number."), field=path
            ) from None

    def number(self, path: str, default: str = "0") -> Decimal:
        value = self.text(path) or default
        try:
            return Decimal(value)
        except InvalidOperation:
            raise DomainError("submission.number", _("This is not a number."), field=path) from None

    def yes_no(self, path: str) -> bool | None:
        return {"yes": True, "no": False}.get(self.text(path))

    def tags(self, path: str) -> tuple[str, ...]:
        return tuple(self.text(path).split())

    def location(self, path: str) -> str:
        parts = self.text(path).split()
        return f"{parts[0]},{parts[1]}" if len(parts) >= 2 else ""

    def household_answers(self) -> dict[str, Any]:
        """The household questions of the household visit form, with the form's defaults for
        what was left empty; a first submission and an edit of it read them alike."""
        return {
            "head_name": self.text("head_name"),
            "phone": self.text("phone"),
            "location": self.location("location"),
            "members_count": self.integer("members_count") or 1,
            "mining_dependence": self.text("mining_dependence") or "none",
            "school_cost_burden": self.text("school_cost_burden") or "none",
        }

    def count(self, prefix: str) -> int:
        return repeat_count(self.values, prefix)


def submission_values(submission: Submission) -> dict[str, str]:
    """The instance's values as received, then staff corrections on top."""
    values = parse_instance(submission.xml.encode()).values
    values.update({k: v for k, v in submission.corrections.items() if k != VERSION_FIELD})
    return values
