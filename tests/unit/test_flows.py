"""Position flows between two rounds and time in yellow, on tiny hand-built frames."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from indicators.flows import (
    EPISODE_SCHEMA,
    flow_counts,
    flow_intervals,
    next_round,
    position_flows,
    position_rounds,
    suppress_flow_table,
    yellow_episodes,
    yellow_summary,
    yellow_survival,
)
from indicators.sources import frame

SPRING, AUTUMN = dt.date(2025, 3, 1), dt.date(2025, 10, 1)

# The true table (rows: spring, columns: autumn), in green/yellow/red order.
TRUE = np.array([[20, 6, 0],
                 [7, 5, 2],
                 [0, 3, 6]])
NAMES = ("green", "yellow", "red")


def _flow_assessments() -> pl.DataFrame:
    rows, child = [], 0
    for i, before in enumerate(NAMES):
        for j, after in enumerate(NAMES):
            for _ in range(TRUE[i, j]):
                child += 1
                inst = 3 if child % 2 else 4
                rows.append(dict(child_id=child, institution_id=inst, assessed_on=SPRING,
                                 position=before))
                rows.append(dict(child_id=child, institution_id=inst, assessed_on=AUTUMN,
                                 position=after))
    # Child 1 (green → green) was yellow in January: the last assessment of the half-year counts.
    rows.append(dict(child_id=1, institution_id=3, assessed_on=dt.date(2025, 1, 10),
                     position="yellow"))
    # Not counted: another unit's child, and a child not assessed in the autumn.
    rows.append(dict(child_id=900, institution_id=5, assessed_on=SPRING, position="yellow"))
    rows.append(dict(child_id=900, institution_id=5, assessed_on=AUTUMN, position="red"))
    rows.append(dict(child_id=901, institution_id=3, assessed_on=SPRING, position="red"))
    return frame("assessments", rows)


def _cell(flows: pl.DataFrame, source: str, target: str) -> dict:
    return flows.filter((pl.col("from_position") == source)
                        & (pl.col("to_position") == target)).row(0, named=True)


def test_next_round_crosses_the_new_year() -> None:
    assert next_round("2025H1") == "2025H2"
    assert next_round("2025H2") == "2026H1"


def test_position_rounds_keeps_the_last_assessment_of_each_half_year() -> None:
    rounds = position_rounds(_flow_assessments())
    first = rounds.filter(pl.col("child_id") == 1)
    assert first.select("round", "position").rows() == [("2025H1", "green"), ("2025H2", "green")]


def test_flow_counts_are_the_children_of_the_unit_assessed_in_both_rounds() -> None:
    counts = flow_counts(_flow_assessments(), from_round="2025H1", institution_ids=[3, 4])
    np.testing.assert_array_equal(counts, TRUE)
    only_3 = flow_counts(_flow_assessments(), from_round="2025H1", institution_ids=[3])
    assert only_3.sum() == 25  # odd child ids 1..49


def test_a_child_who_moves_between_rounds_counts_for_its_first_institution() -> None:
    rows = [dict(child_id=1, institution_id=3, assessed_on=SPRING, position="yellow"),
            dict(child_id=1, institution_id=5, assessed_on=AUTUMN, position="green")]
    counts = flow_counts(frame("assessments", rows), from_round="2025H1", institution_ids=[3])
    assert counts[1, 0] == 1 and counts.sum() == 1


def test_small_flows_are_withheld_and_their_partners_too() -> None:
    flows = position_flows(_flow_assessments(), from_round="2025H1", institution_ids=[3, 4])
    assert flows.height == 16
    # Primary: 2 and 3 children. Secondary: the smallest non-zero visible cell of their rows.
    withheld = flows.filter(pl.col("withheld")).select("from_position", "to_position").rows()
    assert sorted(withheld) == sorted([("yellow", "red"), ("red", "yellow"),
                                       ("yellow", "yellow"), ("red", "red")])
    assert _cell(flows, "yellow", "green") == dict(
        from_position="yellow", to_position="green", count=7, withheld=False)
    assert _cell(flows, "green", "red")["count"] == 0  # a zero is not a small number
    assert _cell(flows, "yellow", "alle")["count"] == 14
    assert _cell(flows, "alle", "red")["count"] == 8
    assert _cell(flows, "alle", "alle")["count"] == 49
    assert flows.filter(pl.col("withheld"))["count"].null_count() == 4


def test_a_reader_cannot_work_out_the_withheld_flows() -> None:
    """The attack: every published number, the sums, whole numbers ≥ 1 (the reader may know that
    zeros are never withheld). Worked by hand: the four withheld cells form a cycle, so adding t
    to yellow→yellow and red→red and taking it from yellow→red and red→yellow keeps every
    published sum; t runs from −4 (yellow→yellow ≥ 1) to 1 (yellow→red ≥ 1)."""
    published = suppress_flow_table(TRUE)
    # The naive attack: a total minus its visible parts gives only a sum of two withheld cells.
    row_yellow = published[1, 3] - published[1, 0]
    assert row_yellow == 7 and np.ma.is_masked(published[1, 2])
    intervals = flow_intervals(published)
    assert intervals == {
        (1, 1): (1.0, 6.0),  # yellow → yellow (true 5)
        (1, 2): (1.0, 6.0),  # yellow → red (true 2)
        (2, 1): (2.0, 7.0),  # red → yellow (true 3)
        (2, 2): (2.0, 7.0),  # red → red (true 6)
    }


def test_a_small_row_total_is_withheld_with_another_total() -> None:
    # Red in spring: 3 children (a small total). The grand total minus the other row totals
    # would give it back, so another row total goes too, and the cells of the red row.
    table = np.array([[20, 5, 0], [6, 6, 0], [0, 0, 3]])
    published = suppress_flow_table(table)
    mask = np.ma.getmaskarray(published)
    assert mask[2, 3] and mask[2, 2]  # red row total and red → red (3)
    assert mask[1, 3]  # the smallest other row total (12)
    for (low, high) in flow_intervals(published).values():
        assert high - low >= 1


def test_a_table_of_fewer_than_five_children_is_withheld_whole() -> None:
    table = np.array([[2, 0, 0], [1, 1, 0], [0, 0, 0]])
    flows = position_flows(frame("assessments"), from_round="2025H1")
    assert flows.filter(pl.col("withheld")).height == 0  # nobody: all zeros, shown as 0
    published = suppress_flow_table(table)
    assert np.ma.getmaskarray(published).all()


@st.composite
def tables(draw):  # type: ignore[no-untyped-def]
    return np.array([[draw(st.integers(0, 14)) for _ in range(3)] for _ in range(3)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_withheld_flow_is_ever_pinned_to_one_value(table: np.ndarray) -> None:
    published = suppress_flow_table(table)
    mask = np.ma.getmaskarray(published)
    full = published.data
    assert mask[(full >= 1) & (full < 5)].all()  # every small count is withheld
    if not mask.all():  # the last resort withholds everything, zeros included
        assert not mask[full == 0].any()  # zeros are never used as cover
    for cell, (low, high) in flow_intervals(published).items():
        assert high - low >= 1, (cell, table)
        assert low <= full[cell] <= high


# --- Time in yellow ---------------------------------------------------------------------------


def _a(child: int, day: dt.date, position: str, institution: int = 3) -> dict:
    return dict(child_id=child, institution_id=institution, assessed_on=day, position=position)


H = {  # one date per round
    "2023H2": dt.date(2023, 10, 1), "2024H1": dt.date(2024, 3, 1),
    "2024H2": dt.date(2024, 10, 1), "2025H1": dt.date(2025, 3, 1),
    "2025H2": dt.date(2025, 10, 1),
}


def _ten_spells() -> pl.DataFrame:
    """All ten green in 2023H2, yellow in 2024H1. Children 1-3 green in 2024H2; 4-5 yellow in
    2024H2 and then gone; 6-10 yellow in 2024H2 and out of yellow in 2025H1 (10 to red)."""
    rows = []
    for c in range(1, 11):
        rows += [_a(c, H["2023H2"], "green"), _a(c, H["2024H1"], "yellow")]
        if c <= 3:
            rows.append(_a(c, H["2024H2"], "green"))
        else:
            rows.append(_a(c, H["2024H2"], "yellow"))
        if c >= 6:
            rows.append(_a(c, H["2025H1"], "red" if c == 10 else "green"))
    return frame("assessments", rows)


def test_yellow_episodes_by_hand() -> None:
    rows = [
        # 1: first assessment yellow (an entry), green next round: ended after 1.
        _a(1, H["2024H1"], "yellow"), _a(1, H["2024H2"], "green"),
        # 2: red → yellow is an entry; yellow, then missing a round, then yellow: censored at 1,
        #    and the later yellow after the gap is no new entry.
        _a(2, H["2023H2"], "red"), _a(2, H["2024H1"], "yellow"), _a(2, H["2024H2"], "yellow"),
        _a(2, H["2025H2"], "yellow"),
        # 3: two spells: yellow → green → yellow → red.
        _a(3, H["2023H2"], "yellow"), _a(3, H["2024H1"], "green"), _a(3, H["2024H2"], "yellow"),
        _a(3, H["2025H1"], "red"),
        # 4: in another unit's institution.
        _a(4, H["2024H1"], "yellow", institution=5), _a(4, H["2024H2"], "green", institution=5),
        # 5: yellow in the last round of data: censored at 0.
        _a(5, H["2025H1"], "green"), _a(5, H["2025H2"], "yellow"),
    ]
    episodes = yellow_episodes(frame("assessments", rows), institution_ids=[3])
    expected = pl.DataFrame([
        (3, 3, "2023H2", 1, True, "green"),
        (1, 3, "2024H1", 1, True, "green"),
        (2, 3, "2024H1", 1, False, None),
        (3, 3, "2024H2", 1, True, "red"),
        (5, 3, "2025H2", 0, False, None),
    ], schema=EPISODE_SCHEMA, orient="row")
    assert_frame_equal(episodes, expected)
    without_first = yellow_episodes(frame("assessments", rows), institution_ids=[3],
                                    include_first_assessment=False)
    assert without_first["child_id"].to_list() == [2, 3, 5]


def test_survival_censors_children_who_leave_instead_of_counting_them_resolved() -> None:
    curve = yellow_survival(yellow_episodes(_ten_spells()), max_rounds=3)
    # t=1: 10 at risk, 3 leave → 70 %. t=2: the 2 censored drop out, 5 at risk, all leave → 0 %.
    # t=3: nobody at risk (< 5): withheld.
    assert curve.rows() == [
        (0, 10, 100.0, False),
        (1, 10, 70.0, False),
        (2, 5, 0.0, False),
        (3, None, None, True),
    ]


def test_summary_median_and_yellow_to_red_share() -> None:
    summary = yellow_summary(yellow_episodes(_ten_spells()))
    # Median: S(1) = 70 % > 50 %, S(2) = 0 % ≤ 50 % → 2 rounds. Ended spells 3 + 5 = 8, one red.
    assert summary.row(0, named=True) == dict(
        entered=10, ended=8, median_rounds=2.0, to_red_share=12.5, withheld=False)


def test_survival_with_fewer_than_five_entries_is_withheld() -> None:
    episodes = yellow_episodes(_ten_spells()).head(4)
    curve = yellow_survival(episodes)
    assert curve["withheld"].all() and curve["still_yellow"].null_count() == 4
    summary = yellow_summary(episodes).row(0, named=True)
    assert summary["withheld"] and summary["entered"] is None
    assert summary["median_rounds"] is None and summary["to_red_share"] is None


def test_survival_stops_where_the_risk_set_gets_small() -> None:
    # Children 1-3 leave after one round; 7 stay. Of those, 3 are followed to t=2 (< 5).
    rows = []
    for c in range(1, 11):
        rows += [_a(c, H["2023H2"], "green"), _a(c, H["2024H1"], "yellow"),
                 _a(c, H["2024H2"], "green" if c <= 3 else "yellow")]
        if c >= 8:
            rows.append(_a(c, H["2025H1"], "green"))
    curve = yellow_survival(yellow_episodes(frame("assessments", rows)), max_rounds=2)
    assert curve["still_yellow"].to_list() == [100.0, 70.0, None]
    summary = yellow_summary(yellow_episodes(frame("assessments", rows)))
    assert summary["median_rounds"].to_list() == [None]  # 50 % is never reached on safe data
    assert summary["ended"].to_list() == [6]


def test_a_withheld_cell_alone_among_zeros_takes_its_row_total_with_it() -> None:
    # Yellow → green (2) pulls green → green (7) into the green column's cover; the green row's
    # other cells are zeros, so the green row total (7) would give it back: the audit hides it.
    table = np.array([[7, 0, 0], [2, 7, 8], [14, 11, 4]])
    published = suppress_flow_table(table)
    mask = np.ma.getmaskarray(published)
    assert mask[0, 0] and mask[0, 3]
    assert all(high - low >= 1 for low, high in flow_intervals(published).values())
