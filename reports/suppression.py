"""Small-cell suppression for every figure a company sees.

Primary: a count from 1 to 9 is shown as "fewer than 10". Secondary: a table is shown with its
row, column and grand totals, and a single suppressed cell in a line whose total is shown could
be recovered by subtraction; so, line by line until nothing changes, the next smallest cell of
that line (or, when the rest are zeros, the total) is suppressed too. Rates and medians built on
a suppressed count, or on fewer than 10 children, are suppressed with it.

Zero is shown as 0: "nobody" discloses nothing about a child.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

THRESHOLD = 10

R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


@dataclass(frozen=True)
class Figure:
    """A count as a company may read it: `value` is None when it is suppressed."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return _("fewer than 10") if self.value is None else str(intcomma(self.value))

    def as_json(self) -> int | str:
        return "<10" if self.value is None else self.value


@dataclass(frozen=True)
class Rate:
    """A share in per cent (or a median), suppressed with the counts it is built on."""

    value: float | None
    unit: str = "%"

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        if self.value is None:
            return _("not shown (fewer than 10)")
        if self.unit == "%":
            return f"{self.value:.0f} %"
        return f"{self.value:.1f}"

    def as_json(self) -> float | str:
        return "suppressed" if self.value is None else round(self.value, 1)


def rate(numerator: int, denominator: int) -> Rate:
    if denominator < THRESHOLD or is_small(numerator) or is_small(denominator - numerator):
        return Rate(None)
    return Rate(100 * numerator / denominator)


def median_of(histogram: Mapping[int, int]) -> Rate:
    """The median of a histogram {value: count}, hidden for fewer than 10 cases."""
    total = sum(histogram.values())
    if total < THRESHOLD:
        return Rate(None, unit="days")
    middle, seen = (total + 1) / 2, 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= middle:
            return Rate(float(value), unit="days")
    return Rate(None, unit="days")  # pragma: no cover — unreachable with positive counts


@dataclass
class Table(Generic[R, C]):
    """A suppressed two-way table with its totals, ready to show."""

    rows: list[R]
    columns: list[C]
    cells: dict[tuple[R, C], Figure]
    row_totals: dict[R, Figure]
    column_totals: dict[C, Figure]
    total: Figure
    suppressed_count: int = 0

    def row(self, row: R) -> list[Figure]:
        return [self.cells[(row, column)] for column in self.columns]


@dataclass
class _Line:
    members: list[Any]
    total: Any
    hidden: set[Any] = field(default_factory=set)


def suppress_table(
    counts: Mapping[tuple[R, C], int], rows: Sequence[R], columns: Sequence[C]
) -> Table[R, C]:
    """Primary then secondary suppression of `counts` with its row, column and grand totals."""
    values: dict[Any, int] = {(r, c): int(counts.get((r, c), 0)) for r in rows for c in columns}
    for r in rows:
        values[("row", r)] = sum(values[(r, c)] for c in columns)
    for c in columns:
        values[("column", c)] = sum(values[(r, c)] for r in rows)
    values[("total",)] = sum(values[("row", r)] for r in rows)

    lines = [_Line([(r, c) for c in columns], ("row", r)) for r in rows]
    lines += [_Line([(r, c) for r in rows], ("column", c)) for c in columns]
    lines.append(_Line([("row", r) for r in rows], ("total",)))
    lines.append(_Line([("column", c) for c in columns], ("total",)))

    hidden = {key for key, value in values.items() if is_small(value)}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if line.total in hidden:
                continue
            hidden_members = [key for key in line.members if key in hidden]
            if len(hidden_members) != 1:
                continue
            shown = [key for key in line.members if key not in hidden and values[key] > 0]
            # The smallest other cell costs the least information to hide.
            victim = min(shown, key=lambda key: values[key]) if shown else line.total
            hidden.add(victim)
            changed = True

    def figure(key: Any) -> Figure:
        return Figure(None if key in hidden else values[key])

    return Table(
        rows=list(rows),
        columns=list(columns),
        cells={(r, c): figure((r, c)) for r in rows for c in columns},
        row_totals={r: figure(("row", r)) for r in rows},
        column_totals={c: figure(("column", c)) for c in columns},
        total=figure(("total",)),
        suppressed_count=len(hidden),
    )


def suppress_list(counts: Mapping[R, int], keys: Sequence[R]) -> Table[R, str]:
    """A one-way breakdown with its total: a table of one column."""
    return suppress_table({(key, "n"): counts.get(key, 0) for key in keys}, keys, ["n"])


def suppress_figure(count: int) -> Figure:
    return Figure(None if is_small(count) else count)
