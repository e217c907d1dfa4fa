"""Reading CSV and XLSX files row by row, whatever their size.

A "table" is the uploaded file seen as named sheets (a CSV has one, named ""), each with a
header row and data rows. Rows are streamed: nothing here holds more than one row of the file
(plus openpyxl's table of shared strings for an XLSX file).
"""

from __future__ import annotations

import codecs
import csv
import importlib
import io
import zipfile
from collections.abc import Iterator
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

from django.utils.translation import gettext as _

from collect.models import ImportFormat
from collect.storage import open_stored
from core.errors import DomainError

CSV_SHEET = ""
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
# An XLSX is compressed XML: refuse archives that would unpack to absurd sizes (zip bombs).
MAX_UNPACKED_BYTES = 2 * 1024**3
MAX_SHARED_STRINGS_BYTES = 256 * 1024**2


class FileProblem(DomainError):
    """The file as a whole cannot be read; no row of it can be imported."""


def _problem(code: str, message: str) -> FileProblem:
    return FileProblem(f"import.{code}", message, field="file")


def detect_format(head: bytes) -> str:
    """The format by content, whatever the file's name says."""
    if not head:
        raise _problem("file_empty", _("The file is empty."))
    if head.startswith(_ZIP_MAGIC):
        return ImportFormat.XLSX
    if head.startswith(_OLE_MAGIC):
        raise _problem(
            "file_old_excel",
            _(
                "This is an old Excel (.xls) file. Save it as .xlsx or as CSV UTF-8 and "
                "upload it again."
            ),
        )
    if b"\x00" in head:
        raise _problem(
            "file_not_table", _("This file is neither a CSV text file nor an XLSX workbook.")
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise _problem(
            "file_not_utf8",
            _("The CSV file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8”."),
        ) from None
    return ImportFormat.CSV


def unique_headers(cells: list[Any]) -> list[str]:
    """Header names as text, blank ones named by position, repeated ones numbered."""
    while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
        cells = cells[:-1]
    headers: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        name = "" if cell is None else str(cell).strip()
        name = name or _("(column %(n)s)") % {"n": position}
        candidate, copy = name, 2
        while candidate in seen:
            candidate, copy = f"{name} ({copy})", copy + 1
        seen.add(candidate)
        headers.append(candidate)
    return headers


def _blank(values: list[Any] | tuple[Any, ...]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


class Table(AbstractContextManager["Table"]):
    """An open import file: its sheets, each sheet's headers, and its rows as a stream."""

    def __init__(self, stored_name: str, file_format: str) -> None:
        self.file_format = file_format
        self._stream = open_stored(stored_name)
        self._workbook: Any = None
        self._delimiter = ","
        try:
            if file_format == ImportFormat.XLSX:
                self._open_workbook()
            else:
                self._delimiter = self._sniff_delimiter()
        except BaseException:
            self._stream.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
        self._stream.close()

    # Sheets and headers ------------------------------------------------------------------

    def sheet_names(self) -> list[str]:
        if self._workbook is None:
            return [CSV_SHEET]
        return list(self._workbook.sheetnames)

    def headers(self, sheet: str) -> list[str]:
        for _number, values in self._raw_rows(sheet):
            return unique_headers(list(values))
        return []

    def all_headers(self) -> dict[str, list[str]]:
        return {sheet: self.headers(sheet) for sheet in self.sheet_names()}

    # Rows ----------------------------------------------------------------------------------

    def rows(self, sheet: str) -> Iterator[tuple[int, list[Any]]]:
        """(spreadsheet row number, values) for each non-blank data row; the header is row 1."""
        raw = self._raw_rows(sheet)
        for _number, _header in raw:
            break
        for number, values in raw:
            if not _blank(values):
                yield number, list(values)

    def _raw_rows(self, sheet: str) -> Iterator[tuple[int, list[Any] | tuple[Any, ...]]]:
        if self._workbook is None:
            yield from self._csv_rows()
        else:
            yield from self._xlsx_rows(sheet)

    def _text(self) -> io.TextIOWrapper:
        self._stream.seek(0)
        # utf-8-sig drops the byte-order mark Excel writes; newline="" lets csv see quoted ones.
        return io.TextIOWrapper(self._stream, encoding="utf-8-sig", newline="")

    def _sniff_delimiter(self) -> str:
        text = self._text()
        try:
            header = text.readline()
        except UnicodeDecodeError:
            raise _problem(
                "file_not_utf8",
                _("The CSV file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8”."),
            ) from None
        finally:
            text.detach()
        counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
        return max(counts, key=lambda delimiter: counts[delimiter])

    def _csv_rows(self) -> Iterator[tuple[int, list[Any]]]:
        text = self._text()
        number = 0
        try:
            for number, values in enumerate(csv.reader(text, delimiter=self._delimiter), 1):
                yield number, values
        except UnicodeDecodeError:
            raise _problem(
                "file_not_utf8",
                _(
                    "Row %(row)s of the CSV file is not UTF-8 text. In your spreadsheet, save it "
                    "as “CSV UTF-8”."
                )
                % {"row": number + 1},
            ) from None
        except csv.Error as error:
            raise _problem(
                "file_csv",
                _("Row %(row)s of the CSV file cannot be read (%(error)s).")
                % {"row": number + 1, "error": error},
            ) from None
        finally:
            text.detach()

    def _open_workbook(self) -> None:
        try:
            archive = zipfile.ZipFile(self._stream)
            members = archive.infolist()
            if "xl/workbook.xml" not in {member.filename for member in members}:
                raise zipfile.BadZipFile("not a workbook")
            unpacked = sum(member.file_size for member in members)
            shared = sum(m.file_size for m in members if m.filename.endswith("sharedStrings.xml"))
        except (zipfile.BadZipFile, OSError, EOFError):
            raise _problem(
                "file_xlsx_unreadable",
                _(
                    "This XLSX file cannot be read. Open it in your spreadsheet, save it again, "
                    "and upload the new copy."
                ),
            ) from None
        if unpacked > MAX_UNPACKED_BYTES or shared > MAX_SHARED_STRINGS_BYTES:
            raise _problem("file_xlsx_too_big", _("This XLSX file unpacks to too much data."))
        self._stream.seek(0)
        openpyxl = _openpyxl()
        try:
            self._workbook = openpyxl.load_workbook(self._stream, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many types for broken files
            raise _problem(
                "file_xlsx_unreadable",
                _(
                    "This XLSX file cannot be read. Open it in your spreadsheet, save it again, "
                    "and upload the new copy."
                ),
            ) from None

    def _xlsx_rows(self, sheet: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        try:
            worksheet = self._workbook[sheet]
            worksheet.reset_dimensions()  # some writers record a wrong size; read to the end
            yield from enumerate(worksheet.iter_rows(values_only=True), start=1)
        except KeyError:
            raise _problem(
                "file_sheet_missing",
                _("The sheet “%(sheet)s” is not in the file.") % {"sheet": sheet},
            ) from None
        except (zipfile.BadZipFile, OSError, ValueError, SyntaxError):
            raise _problem(
                "file_xlsx_unreadable",
                _("The sheet “%(sheet)s” cannot be read.") % {"sheet": sheet},
            ) from None


def _openpyxl() -> Any:
    """openpyxl, imported when an XLSX file is read (it is heavy, and CSV does not need it)."""
    try:
        return importlib.import_module("openpyxl")
    except ImportError:
        raise _problem(
            "file_xlsx_unsupported",
            _("This server cannot read XLSX files. Upload the data as CSV UTF-8."),
        ) from None
