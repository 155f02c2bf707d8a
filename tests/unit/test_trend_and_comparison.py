"""What the pages draw, shaped once: trend series (layer page, meeting, pack) and the daycare
comparison table."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from charts.trend import trend_chart, trend_series
from indicators.summary import IndicatorMeta, comparison

VALUES = pl.DataFrame({
    "indicator_id": ["x", "x", "x", "x", "x", "y"],
    "unit_id": [1, 2, 2, 1, 9, 2],
    "period": ["2026H1", "2026H2", "2026H1", "2026H2", "2026H2", "2026H2"],
    "value": [50.0, None, 40.0, 55.0, 99.0, 1.0],
    "n": [20, 3, 12, 22, 30, 5],
    "suppressed": [False, True, False, False, False, False],
})


def test_a_trend_series_is_one_indicator_for_the_named_units_chosen_unit_first() -> None:
    series = trend_series(VALUES, indicator_id="x", unit_names={2: "Nord", 1: "Kommune"})
    assert_frame_equal(series.select("label", "period", "value"), pl.DataFrame({
        "label": ["Nord", "Nord", "Kommune", "Kommune"],
        "period": ["2026H1", "2026H2", "2026H1", "2026H2"],
        "value": [40.0, None, 50.0, 55.0],
    }))  # unit 9 is not named, indicator y is another indicator


def test_the_chart_marks_a_withheld_point_with_the_settings_text_and_draws_no_value() -> None:
    series = trend_series(VALUES, indicator_id="x", unit_names={2: "Nord", 1: "Kommune"})
    fig = trend_chart(series, unit="%", target=60.0, title="X", periods=["2026H1", "2026H2"],
                      withheld_text="< 10")
    nord, nord_withheld, kommune, target = fig.data
    assert (nord.name, kommune.name) == ("Nord", "Kommune")
    assert list(nord.y) == [40.0, None] and list(nord.text) == ["n=12", "n < 10"]
    assert nord.customdata[1] == "< 10 (skjult af hensyn til fortrolighed)"
    # The withheld point is a visible marker at the foot of the plot, not a silent gap.
    assert nord_withheld.meta == "withheld" and nord_withheld.name == "Nord: < 10 (skjult)"
    assert list(nord_withheld.x) == ["2. halvår 2026"] and list(nord_withheld.text) == ["< 10"]
    assert nord_withheld.y[0] == 0 + 0.05 * 108  # 5 % up the 0-108 % axis
    assert list(kommune.y) == [50.0, 55.0] and kommune.text is None
    assert list(target.y) == [60.0, 60.0]


def test_no_data_is_a_gap_without_a_marker_unlike_a_withheld_value() -> None:
    series = trend_series(VALUES, indicator_id="x", unit_names={2: "Nord"})
    fig = trend_chart(series, unit="%", target=60.0, title="X",
                      periods=["2025H2", "2026H1", "2026H2"], withheld_text="< 5")
    markers = [t for t in fig.data if t.meta == "withheld"]
    assert [list(t.x) for t in markers] == [["2. halvår 2026"]]  # not 2025H2 (no data)
    assert fig.data[0].customdata[0] == "Ingen data"


def test_completeness_is_in_the_hover_and_an_uncertain_value_has_an_open_marker() -> None:
    series = trend_series(VALUES, indicator_id="x", unit_names={2: "Nord"}).with_columns(
        pl.Series("completeness", [62.5, None]), pl.Series("uncertain", [True, None]))
    fig = trend_chart(series, unit="%", target=60.0, title="X", periods=["2026H1", "2026H2"],
                      withheld_text="< 5")
    nord = fig.data[0]
    assert nord.customdata[0] == ("40,0 % (n=12)<br>Datakomplethed 62,5 % · "
                                  "usikkert datagrundlag")
    assert list(nord.marker.symbol) == ["circle-open", "circle"]


def test_the_comparison_puts_each_indicator_next_to_the_units_above() -> None:
    metas = {
        "x": IndicatorMeta("x", "Andel grønne", "%", "higher", None, 50.0, True),
        "y": IndicatorMeta("y", "Sessioner", "antal", "higher", None, 4.0, False),
    }
    values = VALUES.with_columns(pl.Series("status", ["on_track", "no_data", "off_track",
                                                      "on_track", "on_track", "off_track"]))
    table = comparison(values, metas, units={2: "Nord", 1: "Kommune"}, unit_id=2,
                       period="2026H2", withheld_text="< 5")
    assert_frame_equal(table, pl.DataFrame({
        "indicator_id": ["x", "y"],
        "name": ["Andel grønne", "Sessioner"],
        "Nord": ["< 5", "1"],
        "Kommune": ["55,0 %", "Ingen data"],
        "target": ["50,0 %", "4"],
        "status": ["Ingen data", "Ikke på sporet"],
    }))
