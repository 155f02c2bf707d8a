"""Equity over time: both groups' shares and the gap, from hand-built children."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from indicators.computations import green_gap
from indicators.engine import aggregate
from indicators.equity import EQUITY_SCHEMA, equity_from_values, group_shares
from indicators.periods import periods_frame
from indicators.sources import Sources, frame

UNITS = frame("org_units", [
    dict(id=1, code="K", name="Kommune", level="municipality", parent_id=None, path="/1/"),
    dict(id=2, code="O", name="Område", level="area", parent_id=1, path="/1/2/"),
    dict(id=3, code="A", name="Solsikken", level="institution", parent_id=2, path="/1/2/3/"),
    dict(id=4, code="B", name="Mælkebøtten", level="institution", parent_id=2, path="/1/2/4/"),
])


def _sources() -> Sources:
    """2025H1: 8 vulnerable children (4 green) and 20 others (16 green) in institutions 3-4;
    2025H2: the same 20 others (18 green) but only 4 vulnerable children assessed (all green).
    Institution 9 is outside the unit."""
    children, assessments = [], []
    spring, autumn = dt.date(2025, 3, 1), dt.date(2025, 10, 1)
    for c in range(1, 29):
        vulnerable = c <= 8
        inst = 3 if c % 2 else 4
        children.append(dict(child_id=c, birth_month=dt.date(2021, 1, 1), vulnerable=vulnerable,
                             institution_id=inst))
        green_spring = c <= 4 if vulnerable else c <= 24
        assessments.append(dict(child_id=c, institution_id=inst, assessed_on=spring,
                                position="green" if green_spring else "yellow"))
        if not vulnerable or c <= 4:
            green_autumn = vulnerable or c <= 26
            assessments.append(dict(child_id=c, institution_id=inst, assessed_on=autumn,
                                    position="green" if green_autumn else "red"))
    children.append(dict(child_id=99, birth_month=dt.date(2021, 1, 1), vulnerable=True,
                         institution_id=9))
    assessments.append(dict(child_id=99, institution_id=9, assessed_on=spring, position="red"))
    return Sources(org_units=UNITS, periods=periods_frame("2025H1", "2025H2"),
                   children=frame("children", children),
                   assessments=frame("assessments", assessments))


def test_both_groups_and_the_gap_per_period() -> None:
    out = group_shares(green_gap(_sources()), institution_ids=[3, 4])
    expected = pl.DataFrame([
        # 4/8 = 50 % vs 16/20 = 80 %: a gap of 30 points; n is the smaller group.
        ("2025H1", 50.0, 8, 80.0, 20, 30.0, 8, False),
        # Only 4 vulnerable children: withheld whole, the others' share too (all − others would
        # give the vulnerable children's share back).
        ("2025H2", None, None, None, None, None, None, True),
    ], schema=EQUITY_SCHEMA, orient="row")
    assert_frame_equal(out, expected)


def test_children_outside_the_unit_do_not_count() -> None:
    everyone = group_shares(green_gap(_sources()))
    first = everyone.row(0, named=True)
    assert first["n_focus"] == 9 and first["share_focus"] == 400 / 9


def test_the_stored_gap_values_give_the_same_lines() -> None:
    values = aggregate(green_gap(_sources()), org_units=UNITS, aggregation="gap", min_n=5,
                       subgroups=False)
    area = values.filter((pl.col("unit_id") == 2) & (pl.col("age_group") == "alle"))
    stored = equity_from_values(area)
    assert stored.select("period", "share_focus", "share_others", "gap", "n", "withheld").rows() \
        == [("2025H1", 50.0, 80.0, 30.0, 8, False), ("2025H2", None, None, None, None, True)]
