"""Turning spreadsheet cells into the typed values the monitoring services take.

This is format conversion only (dates, numbers, yes/no, tag lists, Kobo geopoints, value
spellings such as "F" or "fille" for female). Whether a value is allowed is decided by the
services themselves, so an unknown code is passed through for the service to refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from collect.fields import FieldSpec

SHOWN_VALUE_LENGTH = 40
_UUID = re.compile(
    r"^(?:uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I
)
MAX_ID_LENGTH = 80

_YES = {"yes", "y", "true", "1", "oui", "o", "vrai", "ndiyo"}
_NO = {"no", "n", "false", "0", "non", "faux", "hapana"}
_SPELLINGS: dict[str, dict[str, str]] = {
    "sex": {
        "f": "female",
        "female": "female",
        "girl": "female",
        "fille": "female",
        "feminin": "female",
        "femme": "female",
        "w": "female",
        "m": "male",
        "male": "male",
        "boy": "male",
        "garcon": "male",
        "masculin": "male",
        "homme": "male",
        "h": "male",
    },
    "visit_kind": {"follow-up": "follow_up", "followup": "follow_up", "suivi": "follow_up"},
}


@dataclass(frozen=True)
class Problem:
    """One reason a row cannot be imported, where the user will find it."""

    row: int
    sheet: str
    column: str
    field: str
    value: str
    reason: str
    code: str


def external_key(value: Any) -> str:
    """The stored external id for an id cell: "kobo:<uuid>" for Kobo/ODK ids, else
    "import:<value>". The same cell always gives the same key, so re-imports are idempotent."""
    text = plain_text(value)
    if not text:
        return ""
    match = _UUID.match(text)
    if match:
        return f"kobo:{match.group(1).lower()}"
    return f"import:{text}"


def plain_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an XLSX stores 12 as 12.0, and phone numbers too
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).strip()


def _token(value: Any) -> str:
    return re.sub(r"[\s\-]+", "_", plain_text(value).casefold()).strip("_")


def _fold(value: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass
class Part:
    """One record's cells from one row of one sheet, keyed by our field names."""

    sheet: str
    row: int
    values: dict[str, Any]
    columns: dict[str, str]
    specs: dict[str, FieldSpec]
    problems: list[Problem] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return plain_text(self.values.get(name)) != ""

    def is_blank(self) -> bool:
        return not any(plain_text(value) for value in self.values.values())

    def problem(self, name: str, reason: str, code: str) -> Problem:
        spec = self.specs.get(name)
        shown = "" if spec is None or spec.personal else plain_text(self.values.get(name))
        if len(shown) > SHOWN_VALUE_LENGTH:
            shown = shown[: SHOWN_VALUE_LENGTH - 1] + "…"
        return Problem(
            row=self.row,
            sheet=self.sheet,
            column=self.columns.get(name, ""),
            field=name,
            value=shown,
            reason=str(reason),
            code=code,
        )

    def refuse(self, name: str, reason: str, code: str) -> None:
        self.problems.append(self.problem(name, reason, code))

    # Conversions: each returns a usable value, or records a problem and returns None.

    def text(self, name: str) -> str:
        return plain_text(self.values.get(name))

    def required_text(self, name: str) -> str:
        text = self.text(name)
        if not text:
            self.refuse(name, _("This value is required."), "import.required")
        return text

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = plain_text(value)
        if not text:
            return None
        if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
            return int(float(text))
        self.refuse(name, _("This must be a whole number."), "import.not_integer")
        return None

    def number(self, name: str, default: str = "0") -> str:
        """A number as text for a service to check (a decimal comma becomes a point)."""
        value = self.values.get(name)
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return str(value)
        text = plain_text(value)
        return text.replace(",", ".") if text else default

    def day(self, name: str) -> date | None:
        value = self.values.get(name)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = plain_text(value)
        if not text:
            return None
        parsed = _parse_day(text)
        if parsed is None:
            self.refuse(name, _("This is not a date: write it as YYYY-MM-DD."), "import.not_a_date")
        return parsed

    def yes_no(self, name: str) -> bool | None:
        token = _fold(_token(self.values.get(name)))
        if not token:
            return None
        if token in _YES:
            return True
        if token in _NO:
            return False
        self.refuse(name, _("Write yes or no."), "import.not_yes_no")
        return None

    def choice(self, name: str, default: str = "") -> str:
        token = _fold(_token(self.values.get(name)))
        if not token:
            return default
        return _SPELLINGS.get(name, {}).get(token, token)

    def tags(self, name: str) -> tuple[str, ...]:
        """Kobo select_multiple answers: codes separated by spaces (or commas)."""
        text = plain_text(self.values.get(name))
        return tuple(
            dict.fromkeys(_fold(tag.casefold()) for tag in re.split(r"[\s,;]+", text) if tag)
        )

    def location(self, name: str) -> str:
        """A Kobo geopoint "lat lon alt accuracy" becomes "lat,lon"; other text is kept."""
        text = self.text(name)
        parts = text.split()
        if len(parts) >= 2 and "," not in text:
            return f"{parts[0]},{parts[1]}"
        return text.replace(" ", "")


def _parse_day(text: str) -> date | None:
    iso = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$", text)
    dmy = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", text)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if dmy:  # day first, as written in the DRC
            return date(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
    except ValueError:
        return None
    return None
