"""The encrypted file store, the CSV/XLSX readers and the column suggestions."""

from __future__ import annotations

import io
import os

import pytest

from collect import storage
from collect.fields import normalise_header, repeated_columns, suggest_mapping
from collect.readers import Table, detect_format, unique_headers
from collect.tests.conftest import csv_bytes, xlsx_bytes
from core.errors import DomainError


def test_the_store_is_encrypted_and_reads_back_with_seeks_across_chunks(media_root, monkeypatch):
    monkeypatch.setattr(storage, "CHUNK_SIZE", 1000)
    data = os.urandom(3500) + b"Kabila Mwamba" + os.urandom(2000)
    name, size = storage.write_stored(data)
    assert size == len(data)
    raw = storage.path_of(name).read_bytes()
    assert b"Kabila" not in raw
    assert raw.count(b"\n") == 6  # five full chunks and a short one
    with storage.open_stored(name) as stream:
        assert stream.read() == data
        stream.seek(3500)
        assert stream.read(13) == b"Kabila Mwamba"
        stream.seek(-10, io.SEEK_END)
        assert stream.read() == data[-10:]
    storage.delete_stored(name)
    assert not storage.path_of(name).exists()


def test_an_empty_file_stores_and_reads_as_empty(media_root):
    name, size = storage.write_stored(b"")
    assert size == 0
    with storage.open_stored(name) as stream:
        assert stream.read() == b""


def test_stored_names_cannot_escape_the_import_directory(media_root):
    for name in ("../settings.py", "a/b.enc", ".hidden", ""):
        with pytest.raises(ValueError, match="stored import file"):
            storage.path_of(name)


def test_format_is_told_by_content_not_by_name():
    assert detect_format(b"PK\x03\x04rest") == "xlsx"
    assert detect_format("a;b\nç;é\n".encode()) == "csv"
    with pytest.raises(DomainError):
        detect_format(b"")


def test_headers_are_named_and_made_unique():
    assert unique_headers(["name", None, "name", " age ", None, None]) == [
        "name",
        "(column 2)",
        "name (2)",
        "age",
    ]


def _table(media_root, data: bytes, file_format: str) -> Table:
    name, _size = storage.write_stored(data)
    return Table(name, file_format)


def test_csv_rows_are_numbered_as_in_a_spreadsheet(media_root):
    data = csv_bytes(
        [["id", "note"], ["1", "two\nlines"], ["", ""], ["3", "x"]], delimiter=";", bom=True
    )
    with _table(media_root, data, "csv") as table:
        assert table.headers("") == ["id", "note"]
        assert list(table.rows("")) == [(2, ["1", "two\nlines"]), (4, ["3", "x"])]


def test_xlsx_rows_skip_blank_ones_and_keep_their_numbers(media_root):
    data = xlsx_bytes({"main": [["id", "age"], [1, 12], [None, None], [3, 9.0]]})
    with _table(media_root, data, "xlsx") as table:
        assert table.sheet_names() == ["main"]
        assert list(table.rows("main")) == [(2, [1, 12]), (4, [3, 9])]


def test_header_names_are_normalised_like_kobo_paths():
    assert normalise_header("grp_hh/Nom_Chef_Ménage") == "nom_chef_menage"
    assert normalise_header("meta/instanceID") == "instanceid"
    assert normalise_header("_uuid") == "uuid"


def test_mapping_suggestion_prefers_the_best_alias_and_uses_each_column_once():
    headers = ["_id", "_uuid", "Community", "head_of_household", "today", "start"]
    assert suggest_mapping("kobo_household_visit", headers) == {
        "external_id": "_uuid",
        "area_code": "Community",
        "head_name": "head_of_household",
        "visited_on": "today",
    }


def test_repeated_groups_are_recognised_by_their_names():
    visits = ["activity_1_task", "Activity_1_Hours", "activity_12_hazards", "activity_x_task"]
    assert repeated_columns("visits", visits) == {
        "activity_1.task": "activity_1_task",
        "activity_1.hours": "Activity_1_Hours",
        "activity_12.hazards": "activity_12_hazards",
    }
    kobo = ["child_1_first_name", "child_2_age", "child_1_activity_2_hours", "child_1_nonsense"]
    assert repeated_columns("kobo_household_visit", kobo) == {
        "child_1.first_name": "child_1_first_name",
        "child_2.age": "child_2_age",
        "child_1.activity_2.hours": "child_1_activity_2_hours",
    }


def test_kobo_account_columns_are_not_taken_for_kinga_facilitators():
    headers = ["_uuid", "username", "_submitted_by", "today"]
    assert "facilitator" not in suggest_mapping("kobo_household_visit", headers)
