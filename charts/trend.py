"""Trend chart: the chosen org unit against its benchmarks (area, municipality) and the target."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from indicators.format import format_value
from indicators.periods import period_label

SERIES_COLOURS = ("#0b4f8a", "#7a8fa6", "#b9c4d0", "#d0d6dd")
TARGET_COLOUR = "#1b7f3b"


def trend_series(values: pl.DataFrame, *, indicator_id: str,
                 unit_names: dict[int, str]) -> pl.DataFrame:
    """The rows ``trend_chart`` draws: one indicator, the units of ``unit_names`` only, labelled
    with their names and ordered as ``unit_names`` is (the chosen unit first), then by period.

    Examples
    --------
    >>> values = pl.DataFrame({"indicator_id": ["x", "x", "x", "y"], "unit_id": [1, 2, 9, 2],
    ...                        "period": ["2026H1", "2026H1", "2026H1", "2026H1"]})
    >>> series = trend_series(values, indicator_id="x", unit_names={2: "Nord", 1: "Kommune"})
    >>> series["label"].to_list()
    ['Nord', 'Kommune']
    """
    order = {unit_id: i for i, unit_id in enumerate(unit_names)}
    return (
        values.filter((pl.col("indicator_id") == indicator_id)
                      & pl.col("unit_id").is_in(list(unit_names)))
        .with_columns(pl.col("unit_id").replace_strict(unit_names).alias("label"),
                      pl.col("unit_id").replace_strict(order).alias("order"))
        .sort("order", "period")
    )


def trend_chart(series: pl.DataFrame, *, unit: str, target: float, title: str,
                periods: list[str], withheld_text: str) -> go.Figure:
    """One line per org unit (first = the chosen unit), over ``periods``.

    ``series`` (from ``trend_series``) has columns ``label``, ``period``, ``value``, ``n``,
    ``suppressed``. Withheld and missing values are gaps in the line (no point, no value in the
    hover); they are labelled ``withheld_text`` (e.g. ``< 5``).
    """
    fig = go.Figure()
    x = [period_label(p) for p in periods]
    for i, (label,) in enumerate(series.select("label").unique(maintain_order=True).iter_rows()):
        rows = {r["period"]: r for r in series.filter(pl.col("label") == label).iter_rows(
            named=True)}
        values = [rows.get(p, {}).get("value") for p in periods]
        texts = [_hover_text(rows.get(p), unit, withheld_text) for p in periods]
        first = i == 0
        fig.add_trace(go.Scatter(
            x=x, y=values, name=label, mode="lines+markers+text" if first else "lines+markers",
            line={"color": SERIES_COLOURS[min(i, 3)], "width": 4 if first else 2,
                  "dash": "solid" if first else "dot"},
            marker={"size": 10 if first else 6},
            text=[_n_label(rows.get(p), withheld_text) for p in periods] if first else None,
            textposition="top center", textfont={"size": 11, "color": "#444"},
            customdata=texts, hovertemplate="%{customdata}<extra>" + label + "</extra>",
            connectgaps=False,
        ))
    fig.add_trace(go.Scatter(
        x=x, y=[target] * len(x), name=f"Mål: {format_value(target, unit)}", mode="lines",
        line={"color": TARGET_COLOUR, "width": 2, "dash": "dash"}, hoverinfo="skip",
    ))
    fig.update_layout(
        title={"text": title, "font": {"size": 15}}, separators=",.", height=340,
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, hovermode="x unified",
        legend={"orientation": "h", "y": -0.18}, plot_bgcolor="#ffffff",
        yaxis=_y_axis(series, unit, target),
        xaxis={"gridcolor": "#ffffff"},
    )
    return fig


def _n_label(row: dict | None, withheld_text: str) -> str:
    if row is None:
        return ""
    return f"n {withheld_text}" if row["suppressed"] else f"n={row['n']}"


def _hover_text(row: dict | None, unit: str, withheld_text: str) -> str:
    if row is None:
        return "Ingen data"
    if row["suppressed"]:
        return f"{withheld_text} (skjult af hensyn til fortrolighed)"
    return f"{format_value(row['value'], unit)} (n={row['n']})"


def _y_axis(series: pl.DataFrame, unit: str, target: float) -> dict:
    """Fixed scales where the unit has one (0-100 %, 1-5 scores), with room for the n labels."""
    axis: dict = {"gridcolor": "#e6e9ee", "ticksuffix": " %" if unit == "%" else ""}
    if unit == "%":
        axis["range"] = [0, 108]
    elif unit == "score":
        axis["range"] = [1, 5.3]
    else:
        top = max([target, *[v for v in series["value"].to_list() if v is not None]])
        axis["range"] = [min(0.0, series["value"].min() or 0.0), top * 1.2 if top > 0 else 1]
    return axis
