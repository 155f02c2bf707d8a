"""Equity over time: both groups' shares (top) and the gap between them with its target (bottom)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from indicators.equity import FOCUS, GROUP_LABELS, OTHERS
from indicators.format import format_number, format_value
from indicators.periods import period_label

FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 14, "color": "#1f2933"}
GROUP_COLOURS = {FOCUS: "#c2410c", OTHERS: "#0b4f8a"}
GAP_COLOUR = "#4a5563"
TARGET_COLOUR = "#1b7f3b"


def _hover(row: dict[str, Any] | None, share: str, n: str, withheld_text: str) -> str:
    if row is None:
        return "Ingen data"
    if row["withheld"]:
        return f"{withheld_text} (skjult af hensyn til fortrolighed)"
    text = format_value(row[share], "%")
    return f"{text} (n={format_number(row[n], 0)})" if row[n] is not None else text


def equity_chart(frame: pl.DataFrame, *, target: float, withheld_text: str,
                 periods: list[str] | None = None, title: str = "") -> go.Figure:
    """Both groups' lines and the gap, per period.

    Parameters
    ----------
    frame
        From :func:`indicators.equity.group_shares` or :func:`~indicators.equity.equity_from_values`
        (``period``, ``share_focus``, ``n_focus``, ``share_others``, ``n_others``, ``gap``,
        ``withheld``).
    target
        The gap's target, in percentage points (e.g. 10).
    periods
        The periods to show, in order (a period missing from ``frame`` is "Ingen data", a gap
        in the lines); default: the frame's periods. Withheld periods get a marker.
    withheld_text
        What a withheld period reads (``Settings.withheld_text``, e.g. ``< 5``).
    """
    rows = {r["period"]: r for r in frame.iter_rows(named=True)}
    periods = periods or sorted(rows)
    x = [period_label(p) for p in periods]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        row_heights=[0.6, 0.4],
                        subplot_titles=("Andel i de to grupper", "Forskel (procentpoint)"))
    for group in (OTHERS, FOCUS):
        share, n = f"share_{group}", f"n_{group}"
        fig.add_trace(go.Scatter(
            x=x, y=[rows[p][share] if p in rows else None for p in periods],
            name=GROUP_LABELS[group], mode="lines+markers",
            line={"color": GROUP_COLOURS[group], "width": 3}, marker={"size": 9},
            customdata=[_hover(rows.get(p), share, n, withheld_text) for p in periods],
            hovertemplate="%{customdata}<extra>" + GROUP_LABELS[group] + "</extra>",
            connectgaps=False,
        ), row=1, col=1)
    fig.add_trace(go.Scatter(
        x=x, y=[rows[p]["gap"] if p in rows else None for p in periods], name="Forskel",
        mode="lines+markers", line={"color": GAP_COLOUR, "width": 3}, marker={"size": 9},
        customdata=[_gap_hover(rows.get(p), withheld_text) for p in periods],
        hovertemplate="%{customdata}<extra>Forskel</extra>", connectgaps=False,
    ), row=2, col=1)
    fig.add_trace(go.Scatter(
        x=x, y=[target] * len(x),
        name=f"Mål for forskellen: {format_value(target, 'procentpoint')}",
        mode="lines", line={"color": TARGET_COLOUR, "width": 2, "dash": "dash"},
        hoverinfo="skip",
    ), row=2, col=1)
    gaps = [r["gap"] for r in rows.values() if r["gap"] is not None]
    top = max([target, *gaps, 1.0]) * 1.25
    bottom = min([0.0, *gaps]) * 1.25  # a negative gap: the focus group does better
    fig.update_yaxes(range=[0, 105], ticksuffix=" %", gridcolor="#e6e9ee", row=1, col=1)
    fig.update_yaxes(range=[bottom, top], gridcolor="#e6e9ee", row=2, col=1)
    fig.update_xaxes(tickangle=0, type="category", categoryorder="array", categoryarray=x)
    fig.update_annotations(font={"size": 14})  # the subplot titles
    for p, label in zip(periods, x, strict=True):
        if p in rows and rows[p]["withheld"]:
            for yref in ("y domain", "y2 domain"):
                fig.add_annotation(
                    x=label, y=0.06, xref="x", yref=yref, text=withheld_text, showarrow=False,
                    font={"size": 14, "color": "#4a5563"}, bgcolor="#eef1f5",
                    bordercolor="#9aa5b1", borderwidth=1, borderpad=3)
    fig.update_layout(
        title={"text": title, "font": {"size": 16}}, separators=",.", font=FONT, height=480,
        margin={"l": 10, "r": 10, "t": 60, "b": 10}, plot_bgcolor="#ffffff",
        legend={"orientation": "h", "y": -0.12}, hovermode="x unified",
    )
    return fig


def _gap_hover(row: dict[str, Any] | None, withheld_text: str) -> str:
    if row is None:
        return "Ingen data"
    if row["withheld"]:
        return f"{withheld_text} (skjult af hensyn til fortrolighed)"
    return format_value(row["gap"], "procentpoint")
