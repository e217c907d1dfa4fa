"""Company figures: 1 to 9 never shown, and a hidden cell never recoverable from a total."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reports.suppression import median_of, rate, suppress_figure, suppress_list, suppress_table


def test_counts_from_1_to_9_read_fewer_than_10_and_zero_stays_zero():
    assert str(suppress_figure(0)) == "0"
    assert str(suppress_figure(1)) == "fewer than 10"
    assert str(suppress_figure(9)) == "fewer than 10"
    assert str(suppress_figure(10)) == "10"
    assert suppress_figure(1234).as_json() == 1234
    assert suppress_figure(3).as_json() == "<10"


def test_a_lone_small_cell_takes_the_next_smallest_with_it():
    # girls 4, boys 25, total 29: showing 25 and 29 would give away the 4.
    table = suppress_list({"girls": 4, "boys": 25, "unknown": 40}, ["girls", "boys", "unknown"])
    shown = {key: table.cells[(key, "n")].value for key in table.rows}
    assert shown == {"girls": None, "boys": None, "unknown": 40}
    assert table.total.value == 69


def test_a_small_cell_beside_zeros_hides_the_total():
    table = suppress_list({"girls": 4, "boys": 0}, ["girls", "boys"])
    assert table.cells[("girls", "n")].value is None
    assert table.cells[("boys", "n")].value == 0
    assert table.total.value is None


def test_two_way_table_cannot_be_solved_by_rows_or_columns():
    counts = {
        ("mine", "girls"): 3,
        ("mine", "boys"): 40,
        ("school", "girls"): 25,
        ("school", "boys"): 31,
    }
    table = suppress_table(counts, ["mine", "school"], ["girls", "boys"])
    hidden = {key for key, figure in table.cells.items() if figure.suppressed}
    # The 3 is hidden, and so is a partner in its row and in its column.
    assert ("mine", "girls") in hidden
    assert len(hidden) >= 3
    _assert_no_line_reveals_a_cell(table)


def test_rates_and_medians_on_few_children_are_hidden():
    assert rate(5, 100).suppressed  # 5 children
    assert rate(95, 100).suppressed  # 5 children not counted, by subtraction
    assert rate(20, 8).suppressed
    assert str(rate(30, 60)) == "50 %"
    assert median_of({1: 3, 2: 3}).suppressed
    assert median_of({1: 5, 3: 6, 10: 4}).value == 3


def _assert_no_line_reveals_a_cell(table) -> None:
    lines = [
        ([table.cells[(r, c)] for c in table.columns], table.row_totals[r]) for r in table.rows
    ]
    lines += [
        ([table.cells[(r, c)] for r in table.rows], table.column_totals[c]) for c in table.columns
    ]
    lines.append(([table.row_totals[r] for r in table.rows], table.total))
    lines.append(([table.column_totals[c] for c in table.columns], table.total))
    for members, total in lines:
        if not total.suppressed:
            assert sum(1 for member in members if member.suppressed) != 1
    for figure in [*table.cells.values(), *table.row_totals.values(), table.total]:
        assert figure.suppressed or not 0 < figure.value < 10


@given(
    st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=5), min_size=1, max_size=5).filter(
        lambda rows: len({len(row) for row in rows}) == 1
    )
)
def test_any_table_is_safe(rows):
    counts = {(r, c): value for r, row in enumerate(rows) for c, value in enumerate(row)}
    table = suppress_table(counts, list(range(len(rows))), list(range(len(rows[0]))))
    _assert_no_line_reveals_a_cell(table)
    for (r, c), figure in table.cells.items():
        if not figure.suppressed:
            assert figure.value == counts[(r, c)]
