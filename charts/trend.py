"""Trend chart: the chosen org unit against its benchmarks (area, municipality) and the target."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from indicators.completeness import UNCERTAIN_TEXT
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
    ``suppressed``, and optionally ``completeness`` (%) and ``uncertain``. Missing values are gaps
    in the line. Withheld values are gaps too, but marked: a grey ``withheld_text`` marker (e.g.
    ``< 5``) at the foot of the plot, in a trace of its own (``customdata`` says which unit), so
    "withheld" never looks like "no data". Values on an uncertain basis (completeness below the
    threshold) get an open marker and say so in the hover.
    """
    fig = go.Figure()
    x = [period_label(p) for p in periods]
    y_axis = _y_axis(series, unit, target)
    low, high = y_axis["range"]
    foot = low + 0.05 * (high - low)
    for i, (label,) in enumerate(series.select("label").unique(maintain_order=True).iter_rows()):
        rows = {r["period"]: r for r in series.filter(pl.col("label") == label).iter_rows(
            named=True)}
        values = [rows.get(p, {}).get("value") for p in periods]
        texts = [_hover_text(rows.get(p), unit, withheld_text) for p in periods]
        first = i == 0
        colour = SERIES_COLOURS[min(i, 3)]
        uncertain = [bool(rows.get(p, {}).get("uncertain")) for p in periods]
        fig.add_trace(go.Scatter(
            x=x, y=values, name=label, mode="lines+markers+text" if first else "lines+markers",
            line={"color": colour, "width": 4 if first else 2,
                  "dash": "solid" if first else "dot"},
            marker={"size": 10 if first else 6,
                    "symbol": ["circle-open" if u else "circle" for u in uncertain],
                    "line": {"width": 2, "color": colour}},
            text=[_n_label(rows.get(p), withheld_text) for p in periods] if first else None,
            textposition="top center", textfont={"size": 11, "color": "#444"},
            customdata=texts, hovertemplate="%{customdata}<extra>" + label + "</extra>",
            connectgaps=False,
        ))
        hidden = [p for p in periods if rows.get(p, {}).get("suppressed")]
        if hidden:
            fig.add_trace(go.Scatter(
                x=[period_label(p) for p in hidden], y=[foot] * len(hidden),
                name=f"{label}: {withheld_text} (skjult)", mode="markers+text",
                marker={"symbol": "square", "size": 12, "color": "#eef1f5",
                        "line": {"color": colour, "width": 1.5}},
                text=[withheld_text] * len(hidden), textposition="top center",
                textfont={"size": 12, "color": "#4a5563"},
                customdata=[f"{withheld_text} (skjult af hensyn til fortrolighed)"] * len(hidden),
                hovertemplate="%{customdata}<extra>" + label + "</extra>",
                legendgroup=f"withheld_{i}", showlegend=first, meta="withheld",
            ))
    fig.add_trace(go.Scatter(
        x=x, y=[target] * len(x), name=f"Mål: {format_value(target, unit)}", mode="lines",
        line={"color": TARGET_COLOUR, "width": 2, "dash": "dash"}, hoverinfo="skip",
    ))
    fig.update_layout(
        title={"text": title, "font": {"size": 15}}, separators=",.", height=340,
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, hovermode="x unified",
        legend={"orientation": "h", "y": -0.18}, plot_bgcolor="#ffffff",
        yaxis=y_axis,
        xaxis={"gridcolor": "#ffffff", "type": "category", "categoryorder": "array",
               "categoryarray": x},
    )
    return fig


def small_multiples_chart(series: pl.DataFrame, *, unit: str, target: float, title: str,
                          periods: list[str], withheld_text: str) -> go.Figure:
    """One small panel per unit (areas side by side), same scale, each with the target.

    ``series`` as for :func:`trend_chart`, one ``label`` per panel (in order).
    """
    labels = [label for (label,) in series.select("label").unique(maintain_order=True).iter_rows()]
    fig = make_subplots(rows=1, cols=max(1, len(labels)), shared_yaxes=True,
                        subplot_titles=labels, horizontal_spacing=0.03)
    x = [period_label(p) for p in periods]
    for col, label in enumerate(labels, start=1):
        rows = {r["period"]: r for r in series.filter(pl.col("label") == label).iter_rows(
            named=True)}
        fig.add_trace(go.Scatter(
            x=x, y=[rows.get(p, {}).get("value") for p in periods], name=label,
            mode="lines+markers", line={"color": SERIES_COLOURS[0], "width": 3},
            customdata=[_hover_text(rows.get(p), unit, withheld_text) for p in periods],
            hovertemplate="%{x}: %{customdata}<extra>" + label + "</extra>",
            showlegend=False, connectgaps=False,
        ), row=1, col=col)
        fig.add_trace(go.Scatter(
            x=x, y=[target] * len(x), mode="lines", showlegend=False, hoverinfo="skip",
            line={"color": TARGET_COLOUR, "width": 1.5, "dash": "dash"},
        ), row=1, col=col)
    axis = _y_axis(series, unit, target)
    fig.update_yaxes(range=axis["range"], ticksuffix=axis["ticksuffix"], gridcolor="#e6e9ee")
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(
        title={"text": title, "font": {"size": 15}}, separators=",.", height=230,
        margin={"l": 10, "r": 10, "t": 70, "b": 10}, plot_bgcolor="#ffffff",
    )
    return fig


def _n_label(row: dict[str, Any] | None, withheld_text: str) -> str:
    if row is None:
        return ""
    return f"n {withheld_text}" if row["suppressed"] else f"n={row['n']}"


def _hover_text(row: dict[str, Any] | None, unit: str, withheld_text: str) -> str:
    if row is None:
        return "Ingen data"
    if row["suppressed"]:
        return f"{withheld_text} (skjult af hensyn til fortrolighed)"
    text = f"{format_value(row['value'], unit)} (n={row['n']})"
    if row.get("completeness") is not None:
        text += f"<br>Datakomplethed {format_value(row['completeness'], '%')}"
        if row.get("uncertain"):
            text += f" · {UNCERTAIN_TEXT}"
    return text


def _y_axis(series: pl.DataFrame, unit: str, target: float) -> dict[str, Any]:
    """Fixed scales where the unit has one (0-100 %, 1-5 scores), with room for the n labels."""
    axis: dict[str, Any] = {"gridcolor": "#e6e9ee", "ticksuffix": " %" if unit == "%" else ""}
    if unit == "%":
        axis["range"] = [0, 108]
    elif unit == "score":
        axis["range"] = [1, 5.3]
    else:
        top = max([target, *[v for v in series["value"].to_list() if v is not None]])
        axis["range"] = [min(0.0, series["value"].min() or 0.0), top * 1.2 if top > 0 else 1]
    return axis
