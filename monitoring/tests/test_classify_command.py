"""`manage.py classify`: JSON Lines in, exactly one JSON object per line out, errors included."""

from __future__ import annotations

import contextlib
import io
import json
import os
import selectors
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]

VALID_12_YEAR_OLD = {"age": 12, "activities": [{"sector": "trade", "hours_per_week": 3}]}
TRAFFICKED_4_YEAR_OLD = {"age": 4, "worst_forms": ["trafficking"]}
MINING_16_YEAR_OLD = {
    "age": 16,
    "activities": [
        {"task": "digging", "sector": "mining", "hours_per_week": 30, "hazards": ["underground"]}
    ],
}


def run(stdin_text, rules="drc"):
    stdout = io.StringIO()
    call_command("classify", rules=rules, stdin=io.StringIO(stdin_text), stdout=stdout)
    return [json.loads(line) for line in stdout.getvalue().splitlines()]


def jsonl(*records):
    return "".join(f"{json.dumps(record)}\n" for record in records)


def test_each_line_gets_its_category_reasons_and_rule_set_version():
    results = run(jsonl(VALID_12_YEAR_OLD, TRAFFICKED_4_YEAR_OLD, MINING_16_YEAR_OLD))

    assert results == [
        {"category": "child_labour", "reasons": ["DRC-MIN-AGE-16"], "ruleset": "drc@2026.2"},
        {"category": "worst_forms", "reasons": ["WFCL-TRAFFICKING"], "ruleset": "drc@2026.2"},
        {
            "category": "hazardous_child_labour",
            "reasons": ["HAZ-SECTOR-MINING", "HAZ-CONDITION-UNDERGROUND"],
            "ruleset": "drc@2026.2",
        },
    ]


def test_the_rule_set_named_is_the_one_applied():
    (result,) = run(jsonl(VALID_12_YEAR_OLD), rules="ilo-icls")

    assert result == {"category": "no_child_labour", "reasons": [], "ruleset": "ilo-icls@2026.1"}


def test_a_malformed_line_answers_with_an_error_and_the_run_goes_on():
    lines = [
        json.dumps(VALID_12_YEAR_OLD),
        '{"age": 12, "activities": [',
        "[1, 2, 3]",
        json.dumps({"age": 12, "activities": [{"sector": "trade", "hours_per_week": -3}]}),
        "",
        "   ",
        '{"age": 9, "age": 19}',
        '{"age": 9, "household_chores_hours_per_week": NaN}',
        json.dumps({"age": 9, "worst_forms": ["slavery"]}),
        '"just text"',
        '{"age": ' + "9" * 5000 + "}",
        json.dumps(TRAFFICKED_4_YEAR_OLD),
    ]

    results = run("\n".join(lines) + "\n")

    assert len(results) == len(lines)
    assert results[0]["category"] == "child_labour"
    assert results[1] == {"error": "not valid JSON at column 28: Expecting value"}
    assert results[2] == {"error": "the observation must be a JSON object, not a list"}
    assert results[3] == {"error": "activities[0].hours_per_week: must be a number ≥ 0 (got -3)"}
    assert (
        results[4]
        == results[5]
        == {"error": "blank line: expected one JSON object describing one child"}
    )
    assert results[6] == {"error": "refused JSON: the key 'age' appears twice in one object"}
    assert results[7] == {"error": "refused JSON: NaN is not a JSON number"}
    assert results[8]["error"].startswith("worst_forms[0]: unknown value 'slavery'")
    assert results[9] == {"error": "the observation must be a JSON object, not 'just text'"}
    assert results[10] == {"error": "refused JSON: a number has more than 20 digits"}
    assert results[11]["category"] == "worst_forms"


def test_results_carry_exactly_the_agreed_keys():
    results = run(jsonl(VALID_12_YEAR_OLD, {"age": "twelve"}))

    assert [sorted(result) for result in results] == [["category", "reasons", "ruleset"], ["error"]]


def test_a_last_line_without_a_newline_is_still_answered():
    assert len(run(json.dumps(VALID_12_YEAR_OLD))) == 1


def test_empty_input_gives_empty_output():
    assert run("") == []


def test_a_deeply_nested_line_is_an_error_not_a_crash():
    (result,) = run("[" * 100_000 + "\n")

    assert "error" in result


def test_many_lines_keep_their_order():
    ages = [age % 31 for age in range(5_000)]

    results = run(jsonl(*({"age": age} for age in ages)))

    expected = ["not_applicable" if age < 5 or age > 17 else "no_child_labour" for age in ages]
    assert [result["category"] for result in results] == expected


def test_bytes_that_are_not_utf8_spoil_only_their_own_line():
    raw = b'{"age": 9}\n{"age": 9, "worst_forms": ["\xff"]}\n{"age": 20}\n'
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    stdout = io.StringIO()

    call_command("classify", rules="drc", stdin=stdin, stdout=stdout)

    assert [json.loads(line) for line in stdout.getvalue().splitlines()] == [
        {"category": "no_child_labour", "reasons": [], "ruleset": "drc@2026.2"},
        {"error": "line is not valid UTF-8 text"},
        {"category": "not_applicable", "reasons": [], "ruleset": "drc@2026.2"},
    ]


def test_a_byte_order_mark_at_the_start_is_ignored():
    stdin = io.TextIOWrapper(io.BytesIO('\ufeff{"age": 9}\n'.encode()), encoding="utf-8")
    stdout = io.StringIO()

    call_command("classify", rules="drc", stdin=stdin, stdout=stdout)

    assert json.loads(stdout.getvalue())["category"] == "no_child_labour"


def test_an_unknown_rule_set_is_refused_naming_the_available_ones():
    with pytest.raises(CommandError) as caught:
        run(jsonl(VALID_12_YEAR_OLD), rules="ilo")

    assert str(caught.value) == "unknown rule set 'ilo' (available: drc, ilo-icls)"


def test_the_rule_set_must_be_named():
    with pytest.raises(CommandError, match="--rules"):
        call_command("classify", stdin=io.StringIO(""), stdout=io.StringIO())


def test_it_answers_each_line_as_it_arrives_in_a_pipe():
    """A caller may write one observation and wait for its answer before writing the next."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "classify", "--rules", "ilo-icls"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Python's own unbuffered mode would hide a missing flush in the command.
        env={name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"},
    )
    assert process.stdin is not None
    assert process.stdout is not None
    watcher = selectors.DefaultSelector()
    watcher.register(process.stdout, selectors.EVENT_READ)
    try:
        for record, category in [
            (TRAFFICKED_4_YEAR_OLD, "worst_forms"),
            ({"age": 8, "household_chores_hours_per_week": 30}, "child_labour"),
        ]:
            process.stdin.write(f"{json.dumps(record)}\n".encode())
            process.stdin.flush()
            # The pipe stays open: an answer can only come if the command streams and flushes.
            # The timeout only stops a broken command from hanging the test suite.
            assert watcher.select(timeout=60), "no answer while the input was still open"
            assert json.loads(process.stdout.readline())["category"] == category
        process.stdin.close()
        assert process.wait(timeout=60) == 0
    finally:
        watcher.close()
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        if process.stderr is not None:
            process.stderr.close()


def test_a_reader_that_stops_listening_ends_the_run_quietly():
    """`manage.py classify ... | head -1` must not end in a traceback."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "classify", "--rules", "drc"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        process.stdin.write(f"{json.dumps(VALID_12_YEAR_OLD)}\n".encode())
        process.stdin.flush()
        assert json.loads(process.stdout.readline())["category"] == "child_labour"
        process.stdout.close()  # the reader goes away
        with contextlib.suppress(BrokenPipeError):  # the command may already have ended
            process.stdin.write(f"{json.dumps(VALID_12_YEAR_OLD)}\n".encode() * 10)
            process.stdin.close()
        process.wait(timeout=60)
        errors = process.stderr.read() if process.stderr is not None else b""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 0
    assert b"Traceback" not in errors


GOLDEN = ROOT / "monitoring" / "tests" / "data" / "classify_without_place.jsonl"


@pytest.mark.parametrize("rules", ["drc", "ilo-icls"])
def test_answers_without_a_place_are_those_of_drc_2026_1_and_ilo_icls_2026_1(rules):
    """600 varied observations, answered by `classify` before `place` existed (drc@2026.1):
    the same lines give the same categories, reasons and errors today; only the version moved.
    """
    recorded = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]
    assert all("place" not in row["input"] for row in recorded)

    results = run(jsonl(*(row["input"] for row in recorded)), rules=rules)

    version = {"drc": "drc@2026.2", "ilo-icls": "ilo-icls@2026.1"}[rules]
    for row, result in zip(recorded, results, strict=True):
        expected = row[rules] if "error" in row[rules] else {**row[rules], "ruleset": version}
        assert result == expected, row["input"]


def test_a_child_met_on_a_mine_site_selling_food_is_hazardous_under_drc():
    selling = [{"sector": "trade", "hours_per_week": 6}]
    seller = {"age": 14, "place": "mine_site", "activities": selling}

    (drc,) = run(jsonl(seller))
    (ilo,) = run(jsonl(seller), rules="ilo-icls")
    (unknown,) = run(jsonl({**seller, "place": "quarry"}))

    assert drc == {
        "category": "hazardous_child_labour",
        "reasons": ["DRC-MINE-SITE-ANY-WORK", "DRC-MIN-AGE-16"],
        "ruleset": "drc@2026.2",
    }
    assert ilo == {"category": "no_child_labour", "reasons": [], "ruleset": "ilo-icls@2026.1"}
    assert unknown["error"].startswith("place: unknown value 'quarry' (expected one of: household")
