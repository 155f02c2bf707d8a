"""ui.figures.shared_figure: one figure per distinct input, across sessions."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pytest

from ui import figures
from ui.figures import shared_figure

pytestmark = pytest.mark.unit

calls: list[int] = []


def _bars(frame: pl.DataFrame, *, title: str) -> go.Figure:
    calls.append(1)
    return go.Figure(go.Bar(x=frame["x"].to_list(), y=frame["y"].to_list()),
                     layout={"title": {"text": title}})


@pytest.fixture(autouse=True)
def _empty_cache():
    figures.clear_shared_figures()
    calls.clear()
    yield
    figures.clear_shared_figures()


def test_same_inputs_build_once_and_share_the_figure():
    frame = pl.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0]})
    first = shared_figure(_bars, frame, title="T")
    again = shared_figure(_bars, pl.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0]}), title="T")
    assert again is first
    assert len(calls) == 1


def test_any_other_cell_or_argument_builds_a_new_figure():
    base = shared_figure(_bars, pl.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0]}), title="T")
    other_cell = shared_figure(_bars, pl.DataFrame({"x": ["a", "b"], "y": [1.0, 3.0]}), title="T")
    other_title = shared_figure(_bars, pl.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0]}),
                                title="U")
    assert len(calls) == 3
    assert list(other_cell.data[0].y) == [1.0, 3.0]
    assert other_title.layout.title.text == "U"
    assert base.layout.title.text == "T"


def test_a_null_is_not_a_value():
    shared_figure(_bars, pl.DataFrame({"x": ["a"], "y": [None]}, schema={"x": pl.Utf8,
                                                                          "y": pl.Float64}),
                  title="T")
    shared_figure(_bars, pl.DataFrame({"x": ["a"], "y": [0.0]}), title="T")
    assert len(calls) == 2


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(figures, "MAX_FIGURES", 3)
    for k in range(5):
        shared_figure(_bars, pl.DataFrame({"x": ["a"], "y": [float(k)]}), title="T")
    assert len(figures._FIGURES) == 3
    shared_figure(_bars, pl.DataFrame({"x": ["a"], "y": [0.0]}), title="T")  # evicted: rebuilt
    assert len(calls) == 6
