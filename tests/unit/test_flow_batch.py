"""The batch flow suppression against its references: the exact cycle check for pinned cells
against the linear programme (:func:`indicators.flows.flow_intervals`), and
:func:`indicators.flows.suppress_flow_tables` against the one-table implementation it replaced
(tests/support/flows_reference.py), on random tables with fixed seeds."""

from __future__ import annotations

import numpy as np

from indicators.flows import (
    flow_intervals,
    pinned_cells,
    suppress_flow_table,
    suppress_flow_tables,
    with_margins,
)
from tests.support import flows_reference as reference


def _random_tables(rng: np.random.Generator, count: int) -> np.ndarray:
    """Tables full of zeros, ones and small counts, with some larger ones."""
    kind = rng.integers(0, 4, size=(count, 3, 3))
    small = rng.integers(1, 5, size=(count, 3, 3))
    medium = rng.integers(5, 15, size=(count, 3, 3))
    large = rng.integers(15, 60, size=(count, 3, 3))
    return np.choose(kind, [np.zeros_like(small), small, medium, large])


def _lp_pinned(values: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    published = np.ma.MaskedArray(values.reshape(4, 4), mask=hidden.reshape(4, 4))
    out = np.zeros(16, dtype=bool)
    for (i, j), (low, high) in flow_intervals(published).items():
        out[4 * i + j] = high - low < 0.5
    return out


def test_the_cycle_check_pins_exactly_the_cells_the_linear_programme_pins() -> None:
    rng = np.random.default_rng(20250601)
    values = with_margins(_random_tables(rng, 2200)).reshape(-1, 16)
    # Withhold a random share of the non-zero cells (a reader knows zeros are never withheld).
    share = rng.uniform(0.1, 0.6, size=(len(values), 1))
    hidden = (rng.random(values.shape) < share) & (values > 0)
    keep = hidden.any(axis=1) & ~hidden.all(axis=1)
    values, hidden = values[keep], hidden[keep]
    fast = pinned_cells(values, hidden, chunk=512)  # several chunks
    slow = np.array([_lp_pinned(v, h) for v, h in zip(values, hidden, strict=True)])
    assert len(values) > 2000
    assert 0 < fast.sum() < hidden.sum()  # both kinds occur
    mismatch = np.flatnonzero((fast != slow).any(axis=1))
    assert not mismatch.size, (values[mismatch[:3]], hidden[mismatch[:3]])


def test_pinned_cells_by_hand() -> None:
    # Withheld: green → green (1), green → yellow (4), the green row total (5) and yellow →
    # green (6). The 6 is alone in its row: the row total gives it back; then the green column
    # gives the 1, the yellow column the 4, and the green row its total. No cycle closes.
    values = with_margins(np.array([[[1, 4, 0], [6, 9, 9], [0, 0, 9]]])).reshape(1, 16)
    hidden = np.zeros((1, 16), dtype=bool)
    hidden[0, [0, 1, 3, 4]] = True
    assert pinned_cells(values, hidden)[0].nonzero()[0].tolist() == [0, 1, 3, 4]
    assert _lp_pinned(values[0], hidden[0]).nonzero()[0].tolist() == [0, 1, 3, 4]
    # Green → green (1), yellow → green (2) and their row totals (1, 2): the 4-cycle through
    # them can move one way only (the 1s cannot go down: 2 and 1 instead of 1 and 2), and one
    # way is enough for none of them to be pinned.
    values = with_margins(np.array([[[1, 0, 0], [2, 0, 0], [0, 0, 9]]])).reshape(1, 16)
    hidden = np.zeros((1, 16), dtype=bool)
    hidden[0, [0, 3, 4, 7]] = True
    assert not pinned_cells(values, hidden).any()
    assert not _lp_pinned(values[0], hidden[0]).any()


def _reference_cycle_pinned(full: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int]]:
    pinned = pinned_cells(full.reshape(1, 16), hidden.reshape(1, 16))[0]
    return [(int(c) // 4, int(c) % 4) for c in np.flatnonzero(pinned)]


def _random_withheld(rng: np.random.Generator, count: int) -> np.ndarray:
    """Cells withheld for another reason (the tree rule): none for half the tables."""
    share = np.where(rng.random((count, 1, 1)) < 0.5, 0.0, rng.uniform(0, 0.4, (count, 1, 1)))
    return rng.random((count, 4, 4)) < share


def test_batch_suppression_equals_the_one_table_loop() -> None:
    """Thousands of tables through the old loop (with the exact pinned check, equal to the LP's
    by the test above) and through the batch, for several thresholds, with and without cells
    withheld beforehand."""
    rng = np.random.default_rng(7)
    for min_n in (3, 5, 10):
        tables = _random_tables(rng, 2000)
        withheld = _random_withheld(rng, len(tables))
        values, mask = suppress_flow_tables(tables, min_n=min_n, withheld=withheld)
        plain_values, plain_mask = suppress_flow_tables(tables, min_n=min_n)
        for k, table in enumerate(tables):
            old = reference.suppress_flow_table(table, min_n=min_n, withheld=withheld[k],
                                                pinned=_reference_cycle_pinned)
            np.testing.assert_array_equal(mask[k], np.ma.getmaskarray(old), err_msg=str(table))
            np.testing.assert_array_equal(values[k], old.data)
            plain = reference.suppress_flow_table(table, min_n=min_n,
                                                  pinned=_reference_cycle_pinned)
            np.testing.assert_array_equal(plain_mask[k], np.ma.getmaskarray(plain))
            np.testing.assert_array_equal(plain_values[k], plain.data)


def test_batch_suppression_equals_the_linear_programme_version() -> None:
    """The old function exactly as it was (pinned cells by two LPs per withheld cell), on fewer
    tables: it is slow."""
    rng = np.random.default_rng(11)
    tables = _random_tables(rng, 300)
    withheld = _random_withheld(rng, len(tables))
    _, mask = suppress_flow_tables(tables, min_n=5, withheld=withheld)
    widened = 0
    for k, table in enumerate(tables):
        old = reference.suppress_flow_table(table, min_n=5, withheld=withheld[k])
        np.testing.assert_array_equal(mask[k], np.ma.getmaskarray(old), err_msg=str(table))
        new = suppress_flow_table(table, min_n=5, withheld=withheld[k])
        np.testing.assert_array_equal(np.ma.getmaskarray(new), np.ma.getmaskarray(old))
        np.testing.assert_array_equal(new.data, old.data)
        widened += int(mask[k].sum() > 0)
    assert widened > 100


def test_batch_suppression_of_no_tables_and_of_empty_tables() -> None:
    values, mask = suppress_flow_tables(np.zeros((0, 3, 3), dtype=np.int64))
    assert values.shape == mask.shape == (0, 4, 4)
    values, mask = suppress_flow_tables(np.zeros((2, 3, 3), dtype=np.int64))
    assert not mask.any() and not values.any()  # no children: zeros, shown
