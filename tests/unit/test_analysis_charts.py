"""The Sankey, survival, funnel and equity charts: values, Danish labels, and no withheld count
anywhere in the figure."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest

from charts.equity import equity_chart
from charts.flows import flow_sankey_chart, yellow_survival_chart
from charts.funnel import class_colours, funnel_chart
from indicators.equity import EQUITY_SCHEMA
from indicators.flows import flow_frame, suppress_flow_table
from indicators.funnel import classify, funnel_limits

# Rows: spring green/yellow/red; columns: autumn. Withheld: yellow→red 4 and red→yellow 3
# (small), yellow→yellow 5 and red→red 6 (their cover).
WITHHELD = "< 5"
TRUE = np.array([[20, 6, 0], [7, 5, 4], [0, 3, 6]])


def _walk(node: object, key: str = "") -> Iterator[tuple[str, object]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, k)
    elif isinstance(node, list | tuple):
        for v in node:
            yield from _walk(v, key)
    else:
        yield key, node


def _strings(fig: go.Figure) -> list[str]:
    """Every text in the figure except plotly's theme and colour codes."""
    spec = fig.to_plotly_json()
    spec["layout"].pop("template", None)
    return [v for key, v in _walk(spec) if isinstance(v, str)
            and "color" not in key and not v.startswith(("#", "rgb"))]


def _font_sizes(node: object) -> list[float]:
    sizes = []
    if isinstance(node, dict):
        for k, v in node.items():
            if "font" in k and isinstance(v, dict) and "size" in v:
                sizes.append(v["size"])
            sizes += _font_sizes(v)
    elif isinstance(node, list | tuple):
        for v in node:
            sizes += _font_sizes(v)
    return sizes


def _assert_readable(fig: go.Figure) -> None:
    layout = fig.to_plotly_json()["layout"]
    assert layout["separators"] == ",."
    sizes = _font_sizes(fig.to_plotly_json())
    assert sizes and min(sizes) >= 14


# --- Sankey -----------------------------------------------------------------------------------


def _sankey() -> go.Figure:
    return flow_sankey_chart(flow_frame(suppress_flow_table(TRUE)), from_round="2025H1",
                             withheld_text=WITHHELD, title="Positioner fra forår til efterår")


def test_sankey_nodes_and_visible_flows() -> None:
    sankey = _sankey().data[0]
    assert list(sankey.node.label) == ["Grøn: 26", "Gul: 16", "Rød: 9",
                                       "Grøn: 27", "Gul: 14", "Rød: 10"]
    assert sankey.node.customdata[1] == "Gul i 1. halvår 2025: 16 børn"
    assert sankey.node.customdata[5] == "Rød i 2. halvår 2025: 10 børn"
    links = {(s, t): (v, h) for s, t, v, h in zip(sankey.link.source, sankey.link.target,
                                                   sankey.link.value, sankey.link.customdata,
                                                   strict=True)}
    assert links[0, 3] == (20.0, "Grøn → Grøn: 20 børn")
    assert links[1, 3] == (7.0, "Gul → Grøn: 7 børn")
    assert (0, 5) not in links and (2, 3) not in links  # zero flows are not drawn


def test_sankey_shows_withheld_flows_as_less_than_five_and_never_their_counts() -> None:
    fig = _sankey()
    sankey = fig.data[0]
    links = {(s, t): (v, h) for s, t, v, h in zip(sankey.link.source, sankey.link.target,
                                                   sankey.link.value, sankey.link.customdata,
                                                   strict=True)}
    # Width from published numbers only: the yellow row's 16 − 7 visible, over two withheld
    # flows; the red row's 9 − 0 over two.
    assert links[1, 5] == (4.5, "Gul → Rød: < 5 børn")
    assert links[2, 4] == (4.5, "Rød → Gul: < 5 børn")
    assert links[1, 4] == (4.5, "Gul → Gul: < 5 børn")
    withheld_only = {5, 4, 3}  # withheld counts that are not also some published number
    assert not withheld_only & set(sankey.link.value)
    for text in _strings(fig):
        tokens = re.findall(r"\d+", text.replace(WITHHELD, ""))
        assert not withheld_only & {int(t) for t in tokens}, text
    _assert_readable(fig)
    assert "70 børn" not in fig.layout.title.text and "51 børn" in fig.layout.title.text


def test_sankey_of_a_small_unit_shows_nothing_but_less_than_five() -> None:
    fig = flow_sankey_chart(flow_frame(suppress_flow_table(np.array([[2, 1, 0], [0, 1, 0],
                                                                     [0, 0, 0]]))),
                            from_round="2025H2", withheld_text=WITHHELD)
    sankey = fig.data[0]
    assert set(sankey.node.label) == {"Grøn: < 5", "Gul: < 5", "Rød: < 5"}
    assert all(v == 2.5 for v in sankey.link.value)  # nothing published bounds them
    assert "2. halvår 2025" in sankey.node.customdata[0]
    assert "1. halvår 2026" in sankey.node.customdata[3]


# --- Survival ---------------------------------------------------------------------------------


def _curve() -> pl.DataFrame:
    return pl.DataFrame({"rounds": [0, 1, 2, 3], "at_risk": [10, 10, 5, None],
                         "still_yellow": [100.0, 70.0, 0.0, None],
                         "withheld": [False, False, False, True]})


def test_survival_chart_points_and_withheld_marker() -> None:
    fig = yellow_survival_chart(_curve(), withheld_text=WITHHELD, title="Tid i gul position")
    line = fig.data[0]
    assert list(line.x) == ["Ved overgang til gul", "Efter 1 halvår", "Efter 2 halvår",
                            "Efter 3 halvår"]
    assert list(line.y) == [100.0, 70.0, 0.0, None]
    assert line.customdata[1] == "Efter 1 halvår: 70,0 % stadig i gul (n=10)"
    assert line.customdata[3].startswith("Efter 3 halvår: < 5")
    markers = [a for a in fig.layout.annotations if a.text == WITHHELD]
    assert [a.x for a in markers] == ["Efter 3 halvår"]
    assert fig.layout.xaxis.tickangle == 0
    _assert_readable(fig)


# --- Funnel -----------------------------------------------------------------------------------


def _points() -> pl.DataFrame:
    units = pl.DataFrame({
        "label": ["Solsikken", "Mælkebøtten", "Regnbuen", "Skovbørnehaven", "Lille Bjørn"],
        "value": [70.0, 50.0, 30.0, 62.0, None],
        "n": [6, 100, 100, 100, 3],
        "suppressed": [False, False, False, False, True],
    })
    return classify(units, 50.0)


def test_funnel_chart_draws_limits_target_and_coloured_points() -> None:
    limits = funnel_limits(50.0, n_max=110)
    fig = funnel_chart(_points(), limits, target=50.0, title="Andel i grøn position")
    names = [t.name for t in fig.data]
    assert names[:4] == ["99,8 %-grænser"] * 2 + ["95 %-grænser"] * 2
    assert "Kommunen: 50,0 %" in names
    upper_95 = next(t for t in fig.data if t.name == "95 %-grænser")
    assert upper_95.y[99] == pytest.approx(59.32, abs=0.01)  # n = 100
    by_name = {t.name: t for t in fig.data}
    inside = by_name["Inden for grænserne"]
    assert sorted(inside.x) == [6, 100]
    assert by_name["Under 99,8 %-grænsen"].marker.color == class_colours(True)["below_998"]
    assert by_name["Over 95 %-grænsen"].customdata[0] == (
        "<b>Skovbørnehaven</b><br>Værdi: 62,0 %<br>n = 100<br>Over 95 %-grænsen")
    hover = " ".join(_strings(fig))
    assert "Solsikken" in hover and "Værdi: 70,0 %" in hover and "n = 6" in hover
    assert "Lille Bjørn" not in hover  # withheld: not on the plot, nor its n
    _assert_readable(fig)


def test_funnel_colours_follow_the_direction() -> None:
    assert class_colours(False)["above_998"] == class_colours(True)["below_998"]
    neutral = class_colours(None)
    assert neutral["above_95"] == neutral["below_95"] != neutral["inside"]


# --- Equity -----------------------------------------------------------------------------------


def test_equity_chart_draws_both_groups_and_the_gap_with_gaps_for_missing_periods() -> None:
    frame = pl.DataFrame([
        ("2024H2", 45.0, 8, 80.0, 20, 35.0, 8, False),
        ("2025H1", 50.0, 8, 80.0, 20, 30.0, 8, False),
        ("2025H2", None, None, None, None, None, None, True),
    ], schema=EQUITY_SCHEMA, orient="row")
    fig = equity_chart(frame, target=10.0, withheld_text=WITHHELD,
                       periods=["2024H1", "2024H2", "2025H1", "2025H2"], title="Chancelighed")
    by_name = {t.name: t for t in fig.data}
    x = ["1. halvår 2024", "2. halvår 2024", "1. halvår 2025", "2. halvår 2025"]
    focus = by_name["Børn i udsatte positioner"]
    assert list(focus.x) == x and list(focus.y) == [None, 45.0, 50.0, None]
    assert list(by_name["Øvrige børn"].y) == [None, 80.0, 80.0, None]
    assert list(by_name["Forskel"].y) == [None, 35.0, 30.0, None]
    assert list(by_name["Mål for forskellen: 10,0 pct.-point"].y) == [10.0] * 4
    assert focus.customdata[0] == "Ingen data"  # no data: a gap, no marker
    assert focus.customdata[2] == "50,0 % (n=8)"
    assert focus.customdata[3].startswith("< 5")
    markers = [a for a in fig.layout.annotations if a.text == WITHHELD]
    assert {a.x for a in markers} == {"2. halvår 2025"} and len(markers) == 2
    _assert_readable(fig)
