"""Flows, time in yellow and completeness for every org unit: the stored tables, and the org-tree
rule that keeps a daycare's withheld count from being the area's count minus its neighbours'."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

from indicators.flows import (
    flow_counts,
    flow_intervals,
    suppress_flow_table,
    yellow_episodes,
    yellow_summary,
    yellow_survival,
)
from indicators.sources import frame
from indicators.unit_analyses import (
    completeness_table,
    flag_uncertain,
    flow_tables,
    survival_tables,
)

SPRING, AUTUMN, NEXT = dt.date(2025, 3, 1), dt.date(2025, 10, 1), dt.date(2026, 3, 1)
NAMES = ("green", "yellow", "red")
# Daycare 3: yellow → red is 2 (withheld in its own table). Daycare 4: yellow → red is 10.
TABLES = {
    3: np.array([[10, 0, 0], [7, 6, 2], [0, 0, 0]]),
    4: np.array([[12, 0, 0], [8, 9, 10], [0, 0, 6]]),
}


def _units() -> pl.DataFrame:
    return frame("org_units", [
        {"id": 1, "code": "580", "level": "municipality", "path": "/1/"},
        {"id": 2, "code": "580-N", "level": "area", "parent_id": 1, "path": "/1/2/"},
        {"id": 3, "code": "580-001", "level": "institution", "parent_id": 2, "path": "/1/2/3/"},
        {"id": 4, "code": "580-002", "level": "institution", "parent_id": 2, "path": "/1/2/4/"},
    ])


def _assessments() -> pl.DataFrame:
    rows, child = [], 0
    for inst, table in TABLES.items():
        for i, before in enumerate(NAMES):
            for j, after in enumerate(NAMES):
                for _ in range(table[i, j]):
                    child += 1
                    rows += [dict(child_id=child, institution_id=inst, assessed_on=SPRING,
                                  position=before),
                             dict(child_id=child, institution_id=inst, assessed_on=AUTUMN,
                                  position=after)]
    return frame("assessments", rows)


def _grid(flows: pl.DataFrame, unit_id: int) -> np.ma.MaskedArray:
    names = [*NAMES, "alle"]
    rows = flows.filter(pl.col("unit_id") == unit_id)
    data = np.zeros((4, 4), dtype=np.int64)
    mask = np.zeros((4, 4), dtype=bool)
    for r in rows.iter_rows(named=True):
        i, j = names.index(r["from_position"]), names.index(r["to_position"])
        mask[i, j] = r["withheld"]
        data[i, j] = r["count"] or 0
    return np.ma.MaskedArray(data, mask=mask)


def test_every_unit_gets_its_table_and_visible_counts_are_the_true_ones() -> None:
    flows = flow_tables(_assessments(), _units(), rounds=["2025H1", "2025H2"], min_n=5)
    assert set(flows["unit_id"]) == {1, 2, 3, 4}
    assert set(flows["from_round"]) == {"2025H1"}  # 2025H2 has no next round with data
    assert flows.height == 4 * 16
    for unit, ids in {1: [3, 4], 2: [3, 4], 3: [3], 4: [4]}.items():
        true = flow_counts(_assessments(), from_round="2025H1", institution_ids=ids)
        grid = _grid(flows, unit)
        full = suppress_flow_table(true, min_n=99).data  # the bordered true table
        visible = ~np.ma.getmaskarray(grid)
        assert (grid.data[visible] == full[visible]).all(), unit
        assert not ((full >= 1) & (full < 5) & visible).any(), unit  # no small count shown


def test_a_daycares_withheld_count_is_not_the_area_minus_its_neighbour() -> None:
    flows = flow_tables(_assessments(), _units(), rounds=["2025H1"], min_n=5)
    own, neighbour, area = _grid(flows, 3), _grid(flows, 4), _grid(flows, 2)
    assert np.ma.getmaskarray(own)[1, 2]  # yellow → red = 2 in daycare 3
    # The neighbour's yellow → red is withheld too, though it is 10 and its own table is fine.
    assert np.ma.getmaskarray(neighbour)[1, 2] or np.ma.getmaskarray(area)[1, 2]
    for i in range(4):
        for j in range(4):
            hidden = [np.ma.getmaskarray(g)[i, j] for g in (own, neighbour)]
            if np.ma.getmaskarray(area)[i, j]:
                continue
            assert sum(hidden) != 1, (i, j)  # never one withheld daycare under a visible total
    for grid in (own, neighbour, area):  # and each table still hides its cells on its own
        for (low, high) in flow_intervals(grid).values():
            assert high - low >= 0.5


def test_time_in_yellow_per_unit_is_the_one_unit_function_for_that_units_children() -> None:
    rows = []
    for child in range(1, 13):  # 12 children enter yellow in spring 2025
        inst = 3 if child <= 6 else 4
        later = "green" if child % 3 else "red"
        rows += [dict(child_id=child, institution_id=inst, assessed_on=SPRING, position="yellow"),
                 dict(child_id=child, institution_id=inst, assessed_on=AUTUMN,
                      position="yellow" if child % 2 else later),
                 dict(child_id=child, institution_id=inst, assessed_on=NEXT, position=later)]
    assessments = frame("assessments", rows)
    survival, summary = survival_tables(assessments, _units(), rounds=["2025H1"], min_n=5)
    area = survival.filter(pl.col("unit_id") == 2).drop("unit_id", "entry_round")
    expected = yellow_survival(yellow_episodes(assessments, institution_ids=[3, 4]),
                               max_rounds=3, min_n=5)
    assert_frame_equal(area, expected)
    # Hand check: 12 entered; 6 (even ids) left yellow after 1 round, 6 after 2: S(1) = 50 %.
    assert area["still_yellow"].to_list()[:3] == [100.0, 50.0, 0.0]
    whole = summary.filter(pl.col("unit_id") == 1).row(0, named=True)
    one = yellow_summary(yellow_episodes(assessments), min_n=5).row(0, named=True)
    assert whole["entered"] == 12 and whole["median_rounds"] == one["median_rounds"] == 1.0
    assert whole["to_red_share"] == one["to_red_share"] == 100 * 4 / 12  # ids 3, 6, 9, 12
    # Each daycare has 6 entries: published, but under a visible area they stand together.
    daycares = summary.filter(pl.col("unit_id").is_in([3, 4]))
    assert daycares["withheld"].to_list() in ([False, False], [True, True])


def test_completeness_per_unit_and_the_threshold_flag() -> None:
    children = frame("children", [
        {"child_id": c, "institution_id": 3 if c <= 10 else 4,
         "enrolled_on": dt.date(2024, 1, 1), "left_on": None} for c in range(1, 21)])
    assessed = frame("assessments", [
        {"child_id": c, "institution_id": 3 if c <= 10 else 4, "assessed_on": SPRING,
         "position": "green"} for c in [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16, 17, 18, 19]])
    periods = pl.DataFrame({"period": ["2025H1"], "start": [dt.date(2025, 1, 1)],
                            "end": [dt.date(2025, 6, 30)]})
    table = flag_uncertain(completeness_table(children, assessed, _units(), periods=periods),
                           threshold=80.0)
    got = {r["unit_id"]: (r["enrolled"], r["assessed"], r["completeness"], r["uncertain"])
           for r in table.iter_rows(named=True)}
    assert got[3] == (10, 6, 60.0, True)  # 6 of 10: "usikkert datagrundlag"
    assert got[4] == (10, 9, 90.0, False)
    assert got[2] == (20, 15, 75.0, True)
