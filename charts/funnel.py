"""Funnel plot: each daycare's value against its n, with 95 % and 99,8 % limits around the
municipality's value. Only daycares outside the limits are coloured as different."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl

from indicators.format import format_number, format_value
from indicators.funnel import CLASS_LABELS, CLASSES

FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 14, "color": "#1f2933"}
TARGET_COLOUR = "#0b4f8a"
LIMIT_COLOUR = "#7a8fa6"
INSIDE_COLOUR = "#9aa5b1"
# Outside the limits: green on the good side, orange/red on the bad side; blue/purple when the
# indicator has no better direction.
GOOD = {"95": "#4caf50", "998": "#1b5e20"}
BAD = {"95": "#f39c12", "998": "#b00020"}
NEUTRAL = {"95": "#5b8def", "998": "#6a3d9a"}


def class_colours(higher_is_better: bool | None) -> dict[str, str]:
    """Colour per classification, by which side is better."""
    above, below = (GOOD, BAD) if higher_is_better else (BAD, GOOD)
    if higher_is_better is None:
        above = below = NEUTRAL
    return {"above_998": above["998"], "above_95": above["95"], "inside": INSIDE_COLOUR,
            "below_95": below["95"], "below_998": below["998"]}


def funnel_chart(points: pl.DataFrame, limits: pl.DataFrame, *, target: float, unit: str = "%",
                 title: str = "", reference_label: str = "Kommunen",
                 higher_is_better: bool | None = True) -> go.Figure:
    """Daycares as points (x = n, y = value) inside a funnel of control limits.

    Parameters
    ----------
    points
        From :func:`indicators.funnel.classify`: ``label`` (the daycare's name), ``value``,
        ``n``, ``classification``. Withheld units are already gone.
    limits
        From :func:`indicators.funnel.funnel_limits`: ``n``, ``lower_95``, ``upper_95``,
        ``lower_998``, ``upper_998``.
    target
        The reference value the limits are drawn around (the municipality's value).
    unit
        The value's unit, for Danish number formats (``"%"``, ``"score"``).
    higher_is_better
        Which side of the funnel is coloured as good; None for neutral colours.
    """
    fig = go.Figure()
    n = limits["n"].to_list()
    for level, dash, name in (("998", "dot", "99,8 %-grænser"), ("95", "dash", "95 %-grænser")):
        for side in ("upper", "lower"):
            fig.add_trace(go.Scatter(
                x=n, y=limits[f"{side}_{level}"].to_list(), mode="lines", name=name,
                legendgroup=level, showlegend=side == "upper", hoverinfo="skip",
                line={"color": LIMIT_COLOUR, "width": 1.5 if level == "998" else 2, "dash": dash},
            ))
    fig.add_trace(go.Scatter(
        x=[n[0], n[-1]] if n else [], y=[target, target], mode="lines",
        name=f"{reference_label}: {format_value(target, unit)}",
        line={"color": TARGET_COLOUR, "width": 2.5}, hoverinfo="skip",
    ))
    colours = class_colours(higher_is_better)
    for code in CLASSES:
        rows = points.filter(pl.col("classification") == code)
        if rows.is_empty():
            continue
        hover = [f"<b>{r['label']}</b><br>Værdi: {format_value(r['value'], unit)}"
                 f"<br>n = {format_number(r['n'], 0)}<br>{CLASS_LABELS[code]}"
                 for r in rows.iter_rows(named=True)]
        fig.add_trace(go.Scatter(
            x=rows["n"].to_list(), y=rows["value"].to_list(), mode="markers",
            name=CLASS_LABELS[code], customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            marker={"size": 12 if code == "inside" else 14, "color": colours[code],
                    "line": {"color": "#ffffff", "width": 1.5}},
        ))
    y_axis: dict[str, Any] = {"gridcolor": "#e6e9ee", "title": {"text": "Værdi"}}
    if unit == "%":
        y_axis.update(range=[0, 102], ticksuffix=" %", title={"text": "Andel"})
    fig.update_layout(
        title={"text": title, "font": {"size": 16}}, separators=",.", font=FONT, height=440,
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, plot_bgcolor="#ffffff",
        legend={"orientation": "h", "y": -0.2}, hovermode="closest", yaxis=y_axis,
        xaxis={"title": {"text": "Antal (n)"}, "gridcolor": "#f0f2f5", "rangemode": "tozero",
               "tickangle": 0},
    )
    return fig
