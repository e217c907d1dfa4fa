"""From a table's rows to records: one record per thing to import, with its parts.

- Flat files: one row, one record; a visit row's `activity_<n>_*` columns become its
  activities.
- Kobo / ODK household visits with prefixed columns: one row per submission, its children in
  `child_<n>_*` columns and their work in `child_<n>_activity_<m>_*`.
- Kobo / ODK household visits exported with repeat groups as sheets: the main sheet's rows,
  joined to the children sheet by `_parent_index` = main `_index`, and to the activities sheet
  by `_parent_index` = child `_index`. Kobo writes repeat rows in the order of their parents,
  so the three sheets are read side by side in one pass (flat memory); a file whose rows are
  out of that order is refused as a whole rather than risk a child missing from a visit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.utils.translation import gettext as _

from collect.fields import ACTIVITIES, CHILDREN, MAIN, field_named, group_numbers
from collect.models import ImportJob, ImportKind
from collect.readers import FileProblem, Table
from collect.services.cells import Part, plain_text

T = TypeVar("T")

INDEX, PARENT_INDEX = "index", "parent_index"


@dataclass
class ChildEntry:
    number: int
    part: Part
    activities: list[Part] = field(default_factory=list)


@dataclass
class Record:
    main: Part
    activities: list[Part] = field(default_factory=list)
    children: list[ChildEntry] = field(default_factory=list)

    @property
    def row(self) -> int:
        return self.main.row


def uses_repeat_sheets(job: ImportJob) -> bool:
    return job.kind == ImportKind.KOBO_HOUSEHOLD_VISIT and bool(job.sheets.get(CHILDREN))


class _Peekable(Generic[T]):
    _EMPTY: Any = object()

    def __init__(self, iterator: Iterator[T]) -> None:
        self._iterator = iterator
        self._next: Any = self._EMPTY

    def peek(self) -> T | None:
        if self._next is self._EMPTY:
            self._next = next(self._iterator, None)
        return self._next  # type: ignore[no-any-return]

    def take(self) -> T | None:
        item = self.peek()
        self._next = self._EMPTY
        return item


class _Layout:
    """Where each mapped field sits in one sheet's rows."""

    def __init__(self, job: ImportJob, sheet: str, keys: dict[str, str]) -> None:
        headers: list[str] = job.headers.get(sheet, [])
        position = {header: index for index, header in enumerate(headers)}
        self.sheet = sheet
        self.kind = job.kind
        self.positions = {
            key: position[header] for key, header in keys.items() if header in position
        }
        self.columns = {key: header for key, header in keys.items() if header in position}
        self.specs = {key: spec for key in keys if (spec := field_named(job.kind, key))}

    def part(self, row: int, values: list[Any], prefix: str = "") -> Part:
        cut = len(prefix)
        chosen = {k: p for k, p in self.positions.items() if k.startswith(prefix)}
        return Part(
            sheet=self.sheet,
            row=row,
            values={k[cut:]: values[p] if p < len(values) else None for k, p in chosen.items()},
            columns={k[cut:]: self.columns[k] for k in chosen},
            specs={k[cut:]: self.specs[k] for k in chosen if k in self.specs},
        )


def _scalar_keys(mapping: dict[str, str]) -> dict[str, str]:
    return {key: header for key, header in mapping.items() if "." not in key}


def records(job: ImportJob, table: Table) -> Iterator[Record]:
    if uses_repeat_sheets(job):
        yield from _joined_records(job, table)
        return
    sheet = job.sheets.get(MAIN, "")
    layout = _Layout(job, sheet, job.mapping)
    scalar = _scalar_keys(job.mapping)
    activity_numbers = group_numbers(job.mapping, "activity")
    child_numbers = group_numbers(job.mapping, "child")
    for row, values in table.rows(sheet):
        main = layout.part(row, values)
        main.values = {k: v for k, v in main.values.items() if k in scalar}
        record = Record(main=main)
        for number in activity_numbers:
            activity = layout.part(row, values, f"activity_{number}.")
            if not activity.is_blank():
                record.activities.append(activity)
        for number in child_numbers:
            prefix = f"child_{number}."
            child = layout.part(row, values, prefix)
            child.values = {k: v for k, v in child.values.items() if "." not in k}
            entry = ChildEntry(number=number, part=child)
            for inner in group_numbers(
                {k[len(prefix) :]: h for k, h in job.mapping.items() if k.startswith(prefix)},
                "activity",
            ):
                activity = layout.part(row, values, f"{prefix}activity_{inner}.")
                if not activity.is_blank():
                    entry.activities.append(activity)
            if not (child.is_blank() and not entry.activities):
                record.children.append(entry)
        yield record


def _link_position(job: ImportJob, sheet: str, name: str) -> int:
    from collect.fields import normalise_header

    for position, header in enumerate(job.headers.get(sheet, [])):
        if normalise_header(header) == name:
            return position
    raise FileProblem(
        "import.link_missing",
        _("The sheet “%(sheet)s” has no _%(column)s column to link its rows.")
        % {"sheet": sheet, "column": name},
        field="file",
    )


def _link(values: list[Any], position: int, sheet: str, row: int) -> int:
    text = plain_text(values[position] if position < len(values) else None)
    try:
        return int(float(text))
    except ValueError:
        raise FileProblem(
            "import.link_value",
            _("Row %(row)s of the sheet “%(sheet)s” has no valid _index or _parent_index.")
            % {"row": row, "sheet": sheet},
            field="file",
        ) from None


def _out_of_order(sheet: str, row: int) -> FileProblem:
    return FileProblem(
        "import.sheet_order",
        _(
            "Row %(row)s of the sheet “%(sheet)s” belongs to no submission read before it. "
            "Export the data again from KoboToolbox without sorting or filtering the sheets."
        )
        % {"row": row, "sheet": sheet},
        field="file",
    )


def _joined_records(job: ImportJob, table: Table) -> Iterator[Record]:
    main_sheet, child_sheet = job.sheets[MAIN], job.sheets[CHILDREN]
    activity_sheet = job.sheets.get(ACTIVITIES, "")
    scalar = _scalar_keys(job.mapping)
    main_layout = _Layout(job, main_sheet, scalar)
    child_layout = _Layout(
        job, child_sheet, {k: h for k, h in job.mapping.items() if k.startswith("child.")}
    )
    main_index = _link_position(job, main_sheet, INDEX)
    child_index = _link_position(job, child_sheet, INDEX)
    child_parent = _link_position(job, child_sheet, PARENT_INDEX)
    children = _Peekable(table.rows(child_sheet))
    activities: _Peekable[tuple[int, list[Any]]] | None = None
    activity_layout: _Layout | None = None
    activity_parent = 0
    if activity_sheet:
        activity_layout = _Layout(
            job, activity_sheet, {k: h for k, h in job.mapping.items() if k.startswith("activity.")}
        )
        activity_parent = _link_position(job, activity_sheet, PARENT_INDEX)
        activities = _Peekable(table.rows(activity_sheet))

    def activities_of(index: int) -> list[Part]:
        found: list[Part] = []
        while activities is not None and activity_layout is not None:
            upcoming = activities.peek()
            if upcoming is None:
                break
            row, values = upcoming
            parent = _link(values, activity_parent, activity_sheet, row)
            if parent < index:
                raise _out_of_order(activity_sheet, row)
            if parent > index:
                break
            activities.take()
            found.append(activity_layout.part(row, values, "activity."))
        return found

    for row, values in table.rows(main_sheet):
        index = _link(values, main_index, main_sheet, row)
        record = Record(main=main_layout.part(row, values))
        while (upcoming := children.peek()) is not None:
            child_row, child_values = upcoming
            parent = _link(child_values, child_parent, child_sheet, child_row)
            if parent < index:
                raise _out_of_order(child_sheet, child_row)
            if parent > index:
                break
            children.take()
            entry = ChildEntry(
                number=len(record.children) + 1,
                part=child_layout.part(child_row, child_values, "child."),
            )
            entry.activities = activities_of(
                _link(child_values, child_index, child_sheet, child_row)
            )
            record.children.append(entry)
        yield record
    for leftover in (children, activities):
        upcoming = leftover.peek() if leftover is not None else None
        if upcoming is not None:
            sheet = child_sheet if leftover is children else activity_sheet
            raise _out_of_order(sheet, upcoming[0])
