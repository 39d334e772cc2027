"""Complementary suppression: a small cell hidden as "fewer than 5" can never be worked out by
subtracting the shown cells of its table from the total."""

from __future__ import annotations

import pytest

from services import reports


def shown(rows: tuple[reports.Row, ...]) -> dict[str, int | None]:
    return {row.code: row.count for row in rows}


def masked(rows: tuple[reports.Row, ...]) -> set[str]:
    return {row.code for row in rows if row.masked}


@pytest.mark.parametrize(("counts", "expected", "also_masked", "hide_total"), [
    # Nothing small: nothing hidden.
    ([("a", 0), ("b", 7)], {"a": 0, "b": 7}, set(), False),
    # Exactly one small cell: the next smallest non-zero one is masked (7 - 5 would give 2).
    ([("a", 5), ("b", 2), ("c", 0)], {"a": None, "b": None, "c": 0}, {"a"}, False),
    # The next smallest, not the largest.
    ([("a", 40), ("b", 3), ("c", 9)], {"a": 40, "b": None, "c": None}, {"c"}, False),
    # Two small cells whose sum allows several splits (3 + 3, 2 + 4, ...): enough.
    ([("a", 3), ("b", 3), ("c", 10)], {"a": None, "b": None, "c": 10}, set(), False),
    # Two small cells whose sum allows one split only (1 + 1, or 4 + 4): one more is masked.
    ([("a", 1), ("b", 1), ("c", 9)], {"a": None, "b": None, "c": None}, {"c"}, False),
    ([("a", 4), ("b", 4), ("c", 10), ("d", 30)], {"a": None, "b": None, "c": None, "d": 30}, {"c"}, False),
    # A small cell beside a masked 5: 1 + 5 = 6 has one split (the masked cell is at least 5), so
    # the next is masked too; 2 + 6 = 8 has several.
    ([("a", 1), ("b", 5), ("c", 6), ("d", 50)], {"a": None, "b": None, "c": None, "d": 50}, {"b", "c"}, False),
    ([("a", 2), ("b", 6), ("c", 50)], {"a": None, "b": None, "c": 50}, {"b"}, False),
    # Nothing non-zero left to mask: the zeros are masked too (a masked cell may then be 0).
    ([("a", 1), ("b", 5), ("c", 5), ("d", 0)], {"a": None, "b": None, "c": None, "d": None}, {"b", "c", "d"},
     False),
    # Not even a zero: the total must go.
    ([("a", 1), ("b", 5)], {"a": None, "b": None}, {"b"}, True),
    ([("a", 4), ("b", 4)], {"a": None, "b": None}, set(), True),
])
def test_complementary_suppression_by_hand(counts: list[tuple[str, int]], expected: dict[str, int | None],
                                            also_masked: set[str], hide_total: bool) -> None:
    rows, hide = reports.protect(counts)
    assert shown(rows) == expected
    assert masked(rows) == also_masked
    assert hide is hide_total


def recoverable(counts: list[tuple[str, int]], rows: tuple[reports.Row, ...], hide_total: bool) -> bool:
    """Try every split of the hidden sum: is some small cell's value the same in all of them?"""
    if hide_total:
        return False
    hidden = [(i, row.masked) for i, row in enumerate(rows) if row.count is None]
    floor = 0 if any(row.masked and n == 0 for (_, n), row in zip(counts, rows, strict=True)) else 5
    rest = sum(n for _, n in counts) - sum(row.count or 0 for row in rows)
    values: dict[int, set[int]] = {i: set() for i, _ in hidden}

    def walk(k: int, left: int, chosen: list[int]) -> None:
        if k == len(hidden):
            if left == 0:
                for (i, _), v in zip(hidden, chosen, strict=True):
                    values[i].add(v)
            return
        _, is_masked = hidden[k]
        options = range(floor, left + 1) if is_masked else range(1, min(4, left) + 1)
        for v in options:
            walk(k + 1, left - v, [*chosen, v])

    walk(0, rest, [])
    return any(len(values[i]) == 1 for i, is_masked in hidden if not is_masked)


@pytest.mark.parametrize("seed", range(40))
def test_no_small_cell_is_ever_recoverable_from_the_total(seed: int) -> None:
    import random

    rng = random.Random(seed)
    counts = [(f"c{n}", rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 12, 30))) for n in range(rng.randrange(2, 7))]
    rows, hide = reports.protect(counts)
    assert not recoverable(counts, rows, hide), (counts, rows)
    # Shown cells are the true counts; hidden ones are exactly the small ones and those masked.
    for (code, n), row in zip(counts, rows, strict=True):
        assert row.code == code
        assert row.count in (n, None)
        assert (row.count is None) == (0 < n < 5 or row.masked)
        assert not (row.masked and 0 < n < 5)
