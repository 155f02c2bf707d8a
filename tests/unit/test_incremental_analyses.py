"""The analysis tables in parts (the incremental refresh): yellow spells from a window of rounds,
the entry rounds an import changes, and flows, time in yellow and completeness computed from
their own rounds only, each equal to the whole computation (hand-worked cases, and seeded random
histories against the whole tables as the reference)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from indicators.flows import EPISODE_SCHEMA, POSITIONS, yellow_episodes
from indicators.incremental import (
    AnalysisParts,
    Touched,
    analysis_parts,
    analysis_windows,
    changed_entry_rounds,
)
from indicators.periods import period_bounds, periods_frame
from indicators.sources import frame
from indicators.unit_analyses import (
    completeness_table,
    flow_tables,
    next_rounds,
    survival_tables,
)
from tests.unit.test_unit_analyses_batch import ROUNDS, _assessments, _units

MID = {r: period_bounds(r)[0] + dt.timedelta(days=60) for r in
       ["2022H2", "2023H1", "2023H2", "2024H1", "2024H2", "2025H1", "2025H2"]}


def _a(child: int, round_: str, position: str, institution: int = 10) -> dict:
    return dict(child_id=child, institution_id=institution, assessed_on=MID[round_],
                position=position)


def _window(assessments: pl.DataFrame, first: str) -> tuple[pl.DataFrame, list[int]]:
    """The rows from round ``first`` on, and their children with a green, yellow or red row
    before it (as the incremental refresh reads them)."""
    day = period_bounds(first)[0]
    window = assessments.filter(pl.col("assessed_on") >= day)
    earlier = assessments.filter(pl.col("assessed_on") < day,
                                 pl.col("position").is_in(POSITIONS))["child_id"]
    return window, sorted(set(earlier) & set(window["child_id"]))


# --- Spells from a window of rounds -------------------------------------------------------------


def test_a_window_knows_who_was_assessed_before_it() -> None:
    rows = [
        # 1: green before the window, then yellow in its second round after a gap: no entry
        #    (the round before, 2024H1, was not assessed).
        _a(1, "2023H2", "green"), _a(1, "2024H2", "yellow"), _a(1, "2025H1", "green"),
        # 2: first assessed in the window, yellow: a first assessment, an entry.
        _a(2, "2024H2", "yellow"), _a(2, "2025H1", "yellow"),
        # 3: yellow in the window's first round after green before it, green, yellow: the
        #    entry in 2024H1 needs 2023H2 (outside); the one in 2025H1 does not.
        _a(3, "2023H2", "green"), _a(3, "2024H1", "yellow"), _a(3, "2024H2", "green"),
        _a(3, "2025H1", "yellow"),
    ]
    assessments = frame("assessments", rows)
    window, earlier = _window(assessments, "2024H1")
    assert earlier == [1, 3]
    entries = yellow_episodes(window, assessed_earlier=earlier).filter(
        pl.col("entry_round") > "2024H1")
    assert entries.rows() == [(2, 10, "2024H2", 1, False, None), (3, 10, "2025H1", 0, False, None)]
    # Without the earlier children, child 1's yellow after the gap looks like a first assessment.
    naive = yellow_episodes(window).filter(pl.col("entry_round") > "2024H1")
    assert naive["child_id"].to_list() == [1, 2, 3]
    whole = yellow_episodes(assessments).filter(pl.col("entry_round") > "2024H1")
    assert_frame_equal(entries, whole)


@pytest.mark.parametrize(("seed", "children"), [(1, 300), (2, 500), (5, 400)])
def test_spells_from_a_window_equal_those_of_all_rows(seed: int, children: int) -> None:
    assessments = _assessments(seed, children)
    whole = yellow_episodes(assessments)
    wrong_without = 0
    for w, first in enumerate(ROUNDS):
        window, earlier = _window(assessments, first)
        later = ROUNDS[w + 1:]
        got = yellow_episodes(window, assessed_earlier=earlier).filter(
            pl.col("entry_round").is_in(later))
        assert_frame_equal(got, whole.filter(pl.col("entry_round").is_in(later)))
        wrong_without += yellow_episodes(window).filter(
            pl.col("entry_round").is_in(later)).height - got.height
    assert wrong_without > 0  # the earlier children matter: without them, more entries


@pytest.mark.parametrize(("seed", "children", "min_n"), [(1, 300, 5), (3, 500, 3)])
def test_time_in_yellow_from_a_window_equals_the_whole_tables(seed: int, children: int,
                                                              min_n: int) -> None:
    assessments, units = _assessments(seed, children), _units()
    survival, summary = survival_tables(assessments, units, rounds=ROUNDS, min_n=min_n)
    for w in range(len(ROUNDS) - 1):
        window, earlier = _window(assessments, ROUNDS[w])
        entry = ROUNDS[w + 1:][::2]  # some entry rounds after the window's first
        part_survival, part_summary = survival_tables(window, units, rounds=entry, min_n=min_n,
                                                      assessed_earlier=earlier)
        assert part_summary.height > 0
        assert_frame_equal(part_survival, survival.filter(pl.col("entry_round").is_in(entry)))
        assert_frame_equal(part_summary, summary.filter(pl.col("entry_round").is_in(entry)))


@pytest.mark.parametrize(("seed", "children"), [(2, 400), (4, 600)])
def test_flows_from_their_rounds_equal_the_whole_tables(seed: int, children: int) -> None:
    assessments, units = _assessments(seed, children), _units()
    whole = flow_tables(assessments, units, rounds=next_rounds(ROUNDS))
    for q in range(1, len(ROUNDS)):
        from_rounds = ROUNDS[q - 1:q + 1]  # a change in round q moves the flows from q-1, q
        first, last = period_bounds(ROUNDS[q - 1])[0], period_bounds(ROUNDS[
            min(q + 1, len(ROUNDS) - 1)])[1]
        window = assessments.filter(pl.col("assessed_on").is_between(first, last))
        part = flow_tables(window, units, rounds=[r for r in from_rounds
                                                  if r in next_rounds(ROUNDS)])
        assert part.height > 0
        assert_frame_equal(part, whole.filter(pl.col("from_round").is_in(from_rounds)))


def _enrollment(seed: int, children: int) -> pl.DataFrame:
    """Children of the 12 daycares with random enrollment spans across the rounds."""
    rng = np.random.default_rng(seed)
    rows = []
    for child in range(1, children + 1):
        start = dt.date(2022, 6, 1) + dt.timedelta(days=int(rng.integers(0, 1100)))
        left = (start + dt.timedelta(days=int(rng.integers(30, 900)))
                if rng.random() < 0.6 else None)
        rows.append(dict(child_id=child, institution_id=10 + int(rng.integers(0, 12)),
                         enrolled_on=start, left_on=left, birth_month=dt.date(2021, 1, 1)))
    return frame("children", rows)


@pytest.mark.parametrize(("seed", "children"), [(1, 300), (6, 200)])
def test_completeness_of_some_periods_equals_the_whole_table(seed: int, children: int) -> None:
    assessments, units, enrollment = _assessments(seed, children), _units(), _enrollment(
        seed, children)
    periods = periods_frame(ROUNDS[0], ROUNDS[-1])
    whole = completeness_table(enrollment, assessments, units, periods=periods, min_n=5)
    assert 0 < whole["withheld"].sum() < whole.height
    for chosen in (["2023H2"], ["2023H1", "2025H1"], ROUNDS[3:]):
        days = [period_bounds(p) for p in chosen]
        observed = assessments.filter(pl.any_horizontal(
            pl.col("assessed_on").is_between(first, last) for first, last in days))
        part = completeness_table(enrollment, observed, units,
                                  periods=periods.filter(pl.col("period").is_in(chosen)), min_n=5)
        assert_frame_equal(part, whole.filter(pl.col("period").is_in(chosen)))


# --- What an import changes ---------------------------------------------------------------------


def test_changed_entry_rounds_of_a_hand_made_history() -> None:
    before = [
        # 1: green, yellow, yellow, then not assessed: a spell entering 2023H2, censored at 1.
        _a(1, "2023H1", "green"), _a(1, "2023H2", "yellow"), _a(1, "2024H1", "yellow"),
        # 2: first assessed yellow in 2024H2, green next: a spell entering 2024H2.
        _a(2, "2024H2", "yellow"), _a(2, "2025H1", "green"),
        # 3: red, (gap), yellow, yellow: the yellow after the gap is no entry.
        _a(3, "2023H2", "red"), _a(3, "2024H2", "yellow"), _a(3, "2025H1", "yellow"),
        # 4: green, yellow (entry 2024H1), green.
        _a(4, "2023H2", "green"), _a(4, "2024H1", "yellow"), _a(4, "2024H2", "green"),
    ]
    imported = [
        _a(1, "2024H2", "red"),  # ends 1's spell: entry 2023H2 now ended after 2, in red
        _a(2, "2024H1", "yellow"),  # a first assessment before 2's: the entry moves to 2024H1
        _a(3, "2024H1", "green"),  # fills 3's gap: 3 now enters yellow in 2024H2
        # 4: a second assessment in 2024H1, earlier in the half-year: the round's position
        #    is still the later yellow, nothing changes.
        dict(_a(4, "2024H1", "red"), assessed_on=MID["2024H1"] - dt.timedelta(days=30)),
    ]
    old = yellow_episodes(frame("assessments", before))
    new = yellow_episodes(frame("assessments", before + imported))
    assert old.rows() == [
        (1, 10, "2023H2", 1, False, None),
        (4, 10, "2024H1", 1, True, "green"),
        (2, 10, "2024H2", 1, True, "green"),
    ]
    assert new.rows() == [
        (1, 10, "2023H2", 2, True, "red"),
        (2, 10, "2024H1", 2, True, "green"),
        (4, 10, "2024H1", 1, True, "green"),
        (3, 10, "2024H2", 1, False, None),
    ]
    assert changed_entry_rounds(old, new) == ["2023H2", "2024H1", "2024H2"]
    # Only child 4's rows: the same spells before and after.
    fours = [r for r in before if r["child_id"] == 4]
    assert changed_entry_rounds(
        yellow_episodes(frame("assessments", fours)),
        yellow_episodes(frame("assessments", [*fours, imported[3]]))) == []


def test_changed_entry_rounds_compares_multisets() -> None:
    row = (1, 10, "2024H1", 1, True, "green")
    one = pl.DataFrame([row], schema=EPISODE_SCHEMA, orient="row")
    two = pl.DataFrame([row, row], schema=EPISODE_SCHEMA, orient="row")
    empty = pl.DataFrame(schema=EPISODE_SCHEMA)
    assert changed_entry_rounds(one, two) == ["2024H1"]
    assert changed_entry_rounds(empty, one) == ["2024H1"]
    assert changed_entry_rounds(empty, empty) == []


LABELS = ["2024H1", "2024H2", "2025H1", "2025H2", "2026H1"]


def test_analysis_parts_of_an_import() -> None:
    assessed = Touched(frozenset({"assessments"}), frozenset({"2025H1"}), children=frozenset({7}))
    assert analysis_parts(assessed, LABELS, entry_rounds=["2024H2", "2024H1"]) == AnalysisParts(
        flow_rounds=("2024H2", "2025H1"), entry_rounds=("2024H1", "2024H2"),
        periods=("2025H1",))
    # Spells unknown: time in yellow whole; a new period: its completeness too.
    assert analysis_parts(assessed, LABELS, new_periods=["2026H1"]) == AnalysisParts(
        flow_rounds=("2024H2", "2025H1"), entry_rounds=None, periods=("2025H1", "2026H1"))
    # Children (enrollment): completeness everywhere, no flow or spell reads them.
    children = Touched(frozenset({"children"}), None)
    assert analysis_parts(children, LABELS) == AnalysisParts((), (), None)
    # Merged with children: every period touched, everything whole.
    assert analysis_parts(assessed.merge(children), LABELS, entry_rounds=[]) == AnalysisParts()
    # Staff training past the span: only the new period's completeness.
    training = Touched(frozenset({"training", "staff"}), frozenset({"2026H1"}))
    assert analysis_parts(training, LABELS, new_periods=["2026H1"]) == AnalysisParts(
        (), (), ("2026H1",))
    assert analysis_parts(training, LABELS).empty
    units = Touched(frozenset({"org_units"}), None)
    assert analysis_parts(units, LABELS) == AnalysisParts()


def test_analysis_windows_are_the_rounds_each_part_reads() -> None:
    parts = AnalysisParts(flow_rounds=("2024H2", "2025H1"), entry_rounds=("2025H2", "2024H2"),
                          periods=("2024H1", "2025H1", "2025H2"))
    assert analysis_windows(parts, LABELS) == {
        "flows": [("2024H2", "2025H2")],  # from-rounds and their next rounds
        "survival": [("2024H1", None)],  # from the round before the first entry round on
        "completeness": [("2024H1", "2024H1"), ("2025H1", "2025H2")],
    }
    # The last from-round has no next round in the span; an entry in the first round reads all.
    assert analysis_windows(AnalysisParts(("2026H1",), ("2024H1",), ()), LABELS) == {
        "flows": [("2026H1", "2026H1")], "survival": [(None, None)], "completeness": []}
    assert analysis_windows(AnalysisParts(), LABELS) == {
        "flows": [(None, None)], "survival": [(None, None)], "completeness": [(None, None)]}
    assert analysis_windows(AnalysisParts((), (), ()), LABELS) == {
        "flows": [], "survival": [], "completeness": []}
