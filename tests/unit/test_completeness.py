"""Completeness: the share of enrolled children who were assessed, per unit, on hand-built data."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from indicators.completeness import (
    COMPLETENESS_SCHEMA,
    completeness,
    completeness_counts,
    enrollment_frame,
    expected_children,
    with_completeness,
)
from indicators.periods import periods_frame
from indicators.sources import frame

PERIODS = periods_frame("2025H1", "2025H1")
START = dt.date(2024, 8, 1)
SPRING = dt.date(2025, 3, 1)


def _units(*institutions: tuple[int, int]) -> pl.DataFrame:
    rows = [dict(id=1, code="K", name="Kommune", level="municipality", parent_id=None, path="/1/")]
    for area in sorted({a for _, a in institutions}):
        rows.append(dict(id=area, code=f"O{area}", name=f"Område {area}", level="area",
                         parent_id=1, path=f"/1/{area}/"))
    for inst, area in institutions:
        rows.append(dict(id=inst, code=f"I{inst}", name=f"Dagtilbud {inst}", level="institution",
                         parent_id=area, path=f"/1/{area}/{inst}/"))
    return frame("org_units", rows)


def _children(first_id: int, count: int, assessed: int, institution: int) -> tuple[list, list]:
    """``count`` children enrolled all period in ``institution``; the first ``assessed`` of them
    assessed in the spring."""
    kids = [dict(child_id=first_id + k, institution_id=institution, enrolled_on=START)
            for k in range(count)]
    seen = [dict(child_id=first_id + k, institution_id=institution, assessed_on=SPRING,
                 position="green") for k in range(assessed)]
    return kids, seen


def _tree_data() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Area 2: institution 3 (10 enrolled, 7 assessed), institution 4 (10, 9).
    Area 5: institution 6 (3, 3), institution 7 (8, 6)."""
    kids, seen = [], []
    for first, count, assessed, inst in [(100, 10, 7, 3), (200, 10, 9, 4), (600, 3, 3, 6),
                                         (700, 8, 6, 7)]:
        k, s = _children(first, count, assessed, inst)
        kids += k
        seen += s
    # Noise that must not count: a second spring assessment of child 100, and an autumn
    # assessment of child 107 (not assessed in the spring).
    seen.append(dict(child_id=100, institution_id=3, assessed_on=dt.date(2025, 5, 2),
                     position="yellow"))
    seen.append(dict(child_id=107, institution_id=3, assessed_on=dt.date(2025, 9, 1),
                     position="green"))
    units = _units((3, 2), (4, 2), (6, 5), (7, 5))
    return enrollment_frame(kids), frame("assessments", seen), units


def test_expected_children_must_be_enrolled_long_enough_in_the_period() -> None:
    enrollment = enrollment_frame([
        dict(child_id=1, institution_id=3, enrolled_on=START),  # all period
        dict(child_id=2, institution_id=3, enrolled_on=dt.date(2025, 4, 2)),  # Apr 2-Jun 30: 90
        dict(child_id=3, institution_id=3, enrolled_on=dt.date(2025, 4, 3)),  # 89 days
        dict(child_id=4, institution_id=3, enrolled_on=START,
             left_on=dt.date(2025, 3, 31)),  # Jan 1-Mar 31: 90 days
        dict(child_id=5, institution_id=3, enrolled_on=START,
             left_on=dt.date(2024, 12, 31)),  # gone before the period
    ])
    expected = expected_children(enrollment, periods=PERIODS, min_days=90)
    assert sorted(expected["child_id"].to_list()) == [1, 2, 4]
    anyone = expected_children(enrollment, periods=PERIODS, min_days=1)
    assert sorted(anyone["child_id"].to_list()) == [1, 2, 3, 4]


def test_counts_per_institution() -> None:
    enrollment, assessments, _ = _tree_data()
    counts = completeness_counts(enrollment, assessments, periods=PERIODS)
    assert counts.rows() == [(3, "2025H1", 10, 7), (4, "2025H1", 10, 9), (6, "2025H1", 3, 3),
                             (7, "2025H1", 8, 6)]


def test_an_assessed_child_not_expected_does_not_push_the_share_over_100() -> None:
    enrollment = enrollment_frame([dict(child_id=1, institution_id=3,
                                        enrolled_on=dt.date(2025, 6, 1))])
    seen = frame("assessments", [dict(child_id=1, institution_id=3, assessed_on=dt.date(
        2025, 6, 20), position="green")])
    assert completeness_counts(enrollment, seen, periods=PERIODS).is_empty()


def test_completeness_sums_up_the_tree_and_flags_low_values() -> None:
    enrollment, assessments, units = _tree_data()
    out = completeness(enrollment, assessments, org_units=units, periods=PERIODS)
    expected = pl.DataFrame([
        # Municipality: (7 + 9 + 3 + 6) / 31 — a sum of counts, not a mean of percentages.
        (1, "2025H1", 31, 25, 100 * 25 / 31, False, False),
        # Area 2: 16 / 20 = 80 %: on the threshold is not below it.
        (2, "2025H1", 20, 16, 80.0, False, False),
        (3, "2025H1", 10, 7, 70.0, True, False),
        (4, "2025H1", 10, 9, 90.0, False, False),
        (5, "2025H1", 11, 9, 100 * 9 / 11, False, False),
        # Institution 6 has 3 children: withheld; institution 7 too, or area 5 minus 7 gives 6.
        (6, "2025H1", None, None, None, None, True),
        (7, "2025H1", None, None, None, None, True),
    ], schema=COMPLETENESS_SCHEMA, orient="row")
    assert_frame_equal(out, expected)


def test_the_threshold_is_configurable() -> None:
    enrollment, assessments, units = _tree_data()
    out = completeness(enrollment, assessments, org_units=units, periods=PERIODS,
                       threshold=95.0)
    flags = dict(out.filter(~pl.col("withheld")).select("unit_id", "uncertain").iter_rows())
    assert flags == {1: True, 2: True, 3: True, 4: True, 5: True}
    lenient = completeness(enrollment, assessments, org_units=units, periods=PERIODS,
                           threshold=60.0)
    assert not lenient["uncertain"].fill_null(False).any()


def test_completeness_of_other_child_sources_uses_their_date_column() -> None:
    enrollment, _, units = _tree_data()
    relations = frame("relations", [dict(child_id=100 + k, institution_id=3,
                                         mapped_on=SPRING) for k in range(5)])
    out = completeness(enrollment, relations, org_units=units, periods=PERIODS,
                       date_column="mapped_on")
    assert out.filter(pl.col("unit_id") == 3)["completeness"].to_list() == [50.0]


def test_values_get_their_units_completeness() -> None:
    enrollment, assessments, units = _tree_data()
    done = completeness(enrollment, assessments, org_units=units, periods=PERIODS)
    values = pl.DataFrame({"unit_id": [3, 3, 4, 9], "period": ["2025H1"] * 4,
                           "age_group": ["alle", "0-2", "alle", "alle"],
                           "value": [50.0, 40.0, 60.0, 1.0]})
    joined = with_completeness(values, done)
    assert joined["completeness"].to_list() == [70.0, 70.0, 90.0, None]
    assert joined["uncertain"].to_list() == [True, True, False, None]


def test_a_withheld_area_cannot_be_rebuilt_from_its_visible_institutions() -> None:
    # Area 2 (20 children) is withheld to protect area 5 (3 children) from "municipality minus
    # area 2"; institutions 3 and 4 must then not both stay visible.
    kids, seen = [], []
    for first, count, assessed, inst in [(100, 10, 7, 3), (200, 10, 9, 4), (600, 3, 3, 6)]:
        k, s = _children(first, count, assessed, inst)
        kids += k
        seen += s
    out = completeness(enrollment_frame(kids), frame("assessments", seen),
                       org_units=_units((3, 2), (4, 2), (6, 5)), periods=PERIODS)
    shown = dict(out.select("unit_id", "assessed").iter_rows())
    area_2 = (shown[3] + shown[4]) if shown[3] is not None and shown[4] is not None else None
    assert area_2 is None or shown[1] is None
