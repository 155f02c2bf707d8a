"""Municipalities compared on one indicator: a bar per municipality, the national value as a
reference line and the target as a dashed green line."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts.trend import SERIES_COLOURS, TARGET_COLOUR
from indicators.format import format_value

REFERENCE_COLOUR = "#333333"


def municipalities_chart(compared: pl.DataFrame, *, unit: str, target: float, title: str,
                         reference: float | None, reference_name: str,
                         withheld_text: str) -> go.Figure:
    """Horizontal bars, one per row of ``compared`` (``indicators.benchmarking.COMPARED_SCHEMA``,
    top to bottom in its order). A withheld or missing value has no bar, only its text
    (``withheld_text`` or "Ingen data"); ``reference`` (the national value) is a vertical line.
    """
    names = compared["name"].to_list()
    texts = [format_value(r["value"], unit, suppressed=r["suppressed"],
                          withheld_text=withheld_text) for r in compared.iter_rows(named=True)]
    fig = go.Figure(go.Bar(
        y=names, x=[0 if v is None else v for v in compared["value"]], orientation="h",
        marker={"color": SERIES_COLOURS[0]}, text=texts, textposition="outside",
        cliponaxis=False, name=title, hovertemplate="%{y}: %{text}<extra></extra>",
        showlegend=False,
    ))
    if reference is not None:
        fig.add_vline(x=reference, line={"color": REFERENCE_COLOUR, "width": 2, "dash": "dot"})
        fig.add_trace(go.Scatter(  # the reference in the legend (a vline has no legend entry)
            x=[None], y=[None], mode="lines", name=f"{reference_name}: "
            f"{format_value(reference, unit)}",
            line={"color": REFERENCE_COLOUR, "width": 2, "dash": "dot"}))
    fig.add_vline(x=target, line={"color": TARGET_COLOUR, "width": 2, "dash": "dash"})
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines",
                             name=f"Mål: {format_value(target, unit)}",
                             line={"color": TARGET_COLOUR, "width": 2, "dash": "dash"}))
    present = [v for v in [*compared["value"].drop_nulls().to_list(), reference, target]
               if v is not None]
    low = min([0.0, *present])
    high = max([1.0, *present])
    fig.update_layout(
        title={"text": title, "font": {"size": 15}}, separators=",.",
        height=140 + 44 * max(len(names), 1), plot_bgcolor="#ffffff",
        margin={"l": 10, "r": 40, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.25},
        xaxis={"range": [low, high * 1.2], "gridcolor": "#e5e5e5", "zeroline": True},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return fig
