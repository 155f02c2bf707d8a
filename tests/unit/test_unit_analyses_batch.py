"""The batch unit tables (:func:`indicators.unit_analyses.flow_tables` and
:func:`~indicators.unit_analyses.survival_tables`) against the per-unit loops they replaced
(tests/support/flows_reference.py: one table or one group of spells at a time, pinned cells by
linear programming), on random assessments with fixed seeds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from indicators.sources import frame
from indicators.unit_analyses import flow_tables, next_rounds, survival_tables
from tests.support import flows_reference as reference

POSITIONS = ("green", "yellow", "red")
ROUNDS = ["2023H1", "2023H2", "2024H1", "2024H2", "2025H1", "2025H2"]


def _units() -> pl.DataFrame:
    """A country of 2 municipalities, 4 areas and 12 daycares (3 per area)."""
    rows = [dict(id=1, code="DK", level="national", path="/1/")]
    for m in (2, 3):
        rows.append(dict(id=m, code=f"M{m}", level="municipality", parent_id=1, path=f"/1/{m}/"))
    for a in (4, 5, 6, 7):
        m = 2 if a < 6 else 3
        rows.append(dict(id=a, code=f"A{a}", level="area", parent_id=m, path=f"/1/{m}/{a}/"))
    for i in range(10, 22):
        a = 4 + (i - 10) // 3
        m = 2 if a < 6 else 3
        rows.append(dict(id=i, code=f"I{i}", level="institution", parent_id=a,
                         path=f"/1/{m}/{a}/{i}/"))
    return frame("org_units", rows)


def _assessments(seed: int, children: int) -> pl.DataFrame:
    """Children in small daycares (so that many counts are small), each followed for a few
    rounds from a random start, with skipped rounds, moves, several assessments in one round
    and an occasional unknown position."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 8, size=12)  # daycare weights: some nearly empty
    move = np.array([[0.7, 0.2, 0.1], [0.35, 0.45, 0.2], [0.15, 0.35, 0.5]])
    rows = []
    for child in range(1, children + 1):
        institution = 10 + int(rng.choice(12, p=sizes / sizes.sum()))
        position = int(rng.choice(3, p=[0.6, 0.3, 0.1]))
        start = int(rng.integers(0, len(ROUNDS)))
        for r in range(start, min(len(ROUNDS), start + int(rng.integers(1, 6)))):
            if rng.random() < 0.1:  # not assessed this round
                continue
            if rng.random() < 0.05:
                institution = 10 + int(rng.integers(0, 12))
            year, half = int(ROUNDS[r][:4]), int(ROUNDS[r][5])
            day = dt.date(year, 2 if half == 1 else 9, 1 + int(rng.integers(0, 27)))
            if rng.random() < 0.1:  # an earlier assessment in the same round, overridden
                rows.append(dict(child_id=child, institution_id=institution,
                                 assessed_on=day - dt.timedelta(days=20),
                                 position=POSITIONS[int(rng.integers(0, 3))]))
            rows.append(dict(child_id=child, institution_id=institution, assessed_on=day,
                             position="unknown" if rng.random() < 0.02 else POSITIONS[position]))
            position = int(rng.choice(3, p=move[position]))
    return frame("assessments", rows)


@pytest.mark.parametrize(("seed", "children", "min_n"),
                         [(1, 150, 5), (2, 400, 5), (3, 250, 3), (4, 600, 10)])
def test_flow_tables_equal_the_one_table_loop(seed: int, children: int, min_n: int) -> None:
    assessments, units = _assessments(seed, children), _units()
    rounds = next_rounds(ROUNDS)
    new = flow_tables(assessments, units, rounds=rounds, min_n=min_n)
    old = reference.flow_tables(assessments, units, rounds=rounds, min_n=min_n)
    assert_frame_equal(new, old)
    assert new.select("unit_id", "from_round").n_unique() > 60  # of 19 units × 5 rounds
    assert 0 < new["withheld"].sum() < new.height


@pytest.mark.parametrize(("seed", "children", "min_n", "max_rounds"),
                         [(5, 150, 5, 3), (6, 400, 5, 3), (7, 300, 3, 2), (8, 800, 10, 4)])
def test_survival_tables_equal_the_per_group_loop(seed: int, children: int, min_n: int,
                                                  max_rounds: int) -> None:
    assessments, units = _assessments(seed, children), _units()
    new = survival_tables(assessments, units, rounds=ROUNDS, min_n=min_n, max_rounds=max_rounds)
    old = reference.survival_tables(assessments, units, rounds=ROUNDS, min_n=min_n,
                                    max_rounds=max_rounds)
    assert_frame_equal(new[0], old[0])
    assert_frame_equal(new[1], old[1])
    summary = new[1]
    assert summary["median_rounds"].is_not_null().any()  # the comparison covers real values
    assert summary["withheld"].any() and not summary["withheld"].all()


def test_no_assessments_give_empty_tables() -> None:
    empty = frame("assessments")
    assert flow_tables(empty, _units(), rounds=["2025H1"]).is_empty()
    survival, summary = survival_tables(empty, _units(), rounds=["2025H1"])
    assert survival.is_empty() and summary.is_empty()
