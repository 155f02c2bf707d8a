"""Which partitions an import makes the incremental refresh recompute (hand-worked cases)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from imports.kinds import KINDS
from imports.load import touched_by
from indicators.incremental import Touched, affected_periods, plan, read_window, reads
from indicators.registry import COMPUTATIONS

PERIODS = ["2024H1", "2024H2", "2025H1", "2025H2", "2026H1"]


@dataclass
class Spec:
    computation: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Programme:
    id: str
    specs: list[Spec]

    def indicators(self) -> list[Spec]:
        return self.specs


def test_reads_are_found_from_the_code() -> None:
    assert reads(COMPUTATIONS["yellow_transition_share"], {}) == {"assessments", "children"}
    assert reads(COMPUTATIONS["sessions_per_institution_month"], {}) == {
        "counselling", "org_units"}
    assert reads(COMPUTATIONS["staff_programme_completion"], {}) == {"staff", "training"}


def test_a_change_moves_its_period_and_those_that_look_back_at_it() -> None:
    assert affected_periods({"2024H2"}, (0, 0), PERIODS) == ["2024H2"]
    # yellow → next assessment: a new assessment can be the "next" of later ones
    assert affected_periods({"2024H2"}, (None, 0), PERIODS) == ["2024H2", "2025H1", "2025H2",
                                                                 "2026H1"]
    # a plan up to one period after the assessment: the previous period's children too
    assert affected_periods({"2025H1"}, (0, 1), PERIODS) == ["2024H2", "2025H1"]
    assert affected_periods({"2030H1"}, (0, 0), PERIODS) == []  # outside the reporting span
    assert read_window(["2025H1"], (None, 0), PERIODS) == (None, "2025H1")
    assert read_window(["2025H1", "2025H2"], (1, 1), PERIODS) == ("2024H2", "2026H1")


def test_plan_names_programmes_periods_and_rows() -> None:
    status = Programme("status", [Spec("share_in_position")])
    flow = Programme("flow", [Spec("yellow_transition_share")])
    staff = Programme("staff", [Spec("training_days_held")])
    touched = Touched(frozenset({"assessments"}), frozenset({"2025H1"}))
    todo = plan([status, flow, staff], COMPUTATIONS, touched, PERIODS)
    assert todo.partitions == {"status": ["2025H1"], "flow": ["2025H1", "2025H2", "2026H1"],
                               "staff": []}
    # assessments from the start (the yellow before), up to the last affected period
    assert todo.windows["assessments"] == (None, "2026H1")
    assert "training" not in todo.windows  # the unaffected programme reads nothing
    assert todo.analyses


def test_undated_and_new_periods_touch_every_period() -> None:
    status = Programme("status", [Spec("share_in_position")])
    staff = Programme("staff", [Spec("training_days_held")])
    children = Touched(frozenset({"children"}), None)
    assert plan([status, staff], COMPUTATIONS, children, PERIODS).partitions == {
        "status": PERIODS, "staff": []}
    counselling = Touched(frozenset({"counselling"}), frozenset({"2026H1"}))
    todo = plan([status, staff], COMPUTATIONS, counselling, PERIODS, new_periods=["2026H1"])
    assert todo.partitions == {"status": ["2026H1"], "staff": ["2026H1"]}
    assert not todo.analyses


def test_an_import_names_the_children_it_wrote() -> None:
    assessments = pl.DataFrame({
        "child_id": [5, 7, 5], "institution_id": [3, 3, 4],
        "assessed_on": [dt.date(2025, 3, 1), dt.date(2025, 9, 1), dt.date(2025, 10, 1)],
        "position": ["green", "yellow", "red"]})
    touched = touched_by(KINDS["assessments"], assessments)
    assert touched == Touched(frozenset({"assessments"}), frozenset({"2025H1", "2025H2"}),
                              frozenset({3, 4}), frozenset({5, 7}))
    children = pl.DataFrame({"code": ["B1"], "institution_id": [3]})
    assert touched_by(KINDS["children"], children).children is None  # not child rows by id
    assert touched.merge(Touched(frozenset({"staff"}), None)).children is None
    assert touched.merge(Touched(frozenset(), frozenset(), children=frozenset({9}))).children == {
        5, 7, 9}
