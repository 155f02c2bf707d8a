"""Trend charts made readable from the back of a room (the meeting) and on paper (the pack).

``charts.trend.trend_chart`` draws for a screen at arm's length; :func:`readable_chart` restyles
a finished figure: one font size for every text (≥ 18 px on a projector), period labels kept
horizontal and broken before the year ("1. halvår<br>2025"), the legend under the plot.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from indicators.format import NO_DATA_TEXT, format_number, format_value
from indicators.periods import period_label

MIN_ROOM_FONT = 18  # px: the smallest text a steering group reads on a projector


def wrap_period(label: str) -> str:
    """``"1. halvår 2025"`` → ``"1. halvår<br>2025"``: two short lines instead of a rotation.

    >>> wrap_period("1. halvår 2025")
    '1. halvår<br>2025'
    """
    head, _, year = label.rpartition(" ")
    return f"{head}<br>{year}" if head else label


def readable_chart(fig: go.Figure, *, font_size: int = MIN_ROOM_FONT, height: int = 380,
                   legend: bool = True) -> go.Figure:
    """``fig`` (a trend chart) with every text at ``font_size`` and horizontal period labels."""
    labels: list[str] = []
    for trace in fig.data:
        for x in trace.x or ():
            if x not in labels:
                labels.append(str(x))
    fig.update_traces(textfont={"size": font_size}, selector={"mode": "lines+markers+text"})
    fig.update_layout(
        font={"size": font_size, "color": "#111"}, height=height, showlegend=legend,
        title={"text": ""}, margin={"l": 8, "r": 8, "t": 12, "b": 8},
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0,
                "font": {"size": font_size}},
    )
    fig.update_xaxes(tickmode="array", tickvals=labels,
                     ticktext=[wrap_period(label) for label in labels], tickangle=0,
                     tickfont={"size": font_size}, automargin=True)
    fig.update_yaxes(tickfont={"size": font_size}, automargin=True)
    return fig


def trend_table(series: pl.DataFrame, *, periods: list[str], unit: str,
                withheld_text: str) -> pl.DataFrame:
    """The numbers of a trend chart as a table ("Vis som tabel"): one row per period, a value
    column and an n column per unit (chosen unit first), formatted as on screen.

    >>> s = pl.DataFrame({"label": ["Nord", "Nord"], "period": ["2025H1", "2025H2"],
    ...                   "value": [46.0, None], "n": [50, 3], "suppressed": [False, True]})
    >>> trend_table(s, periods=["2025H1", "2025H2"], unit="%", withheld_text="< 5").rows()
    [('1. halvår 2025', '46,0 %', '50'), ('2. halvår 2025', '< 5', '< 5')]
    """
    table: dict[str, list[str]] = {"Periode": [period_label(p) for p in periods]}
    for (label,) in series.select("label").unique(maintain_order=True).iter_rows():
        rows = {r["period"]: r for r in series.filter(pl.col("label") == label).iter_rows(
            named=True)}
        table[label] = [
            format_value(rows[p]["value"], unit, suppressed=rows[p]["suppressed"],
                         withheld_text=withheld_text) if p in rows else NO_DATA_TEXT
            for p in periods]
        table[f"n ({label})"] = [
            (withheld_text if rows[p]["suppressed"] else format_number(rows[p]["n"], 0))
            if p in rows and rows[p]["n"] is not None else "–"
            for p in periods]
    return pl.DataFrame(table)


def trend_alt(series: pl.DataFrame, *, name: str, unit: str, periods: list[str],
              withheld_text: str) -> str:
    """A short text alternative: what the chart shows and the chosen unit's last value."""
    first = series.filter(pl.col("order") == series["order"].min()) if "order" in series.columns \
        else series
    label = first["label"][0] if first.height else ""
    last = first.filter(pl.col("period") == periods[-1])
    value = (format_value(last["value"][0], unit, suppressed=last["suppressed"][0],
                          withheld_text=withheld_text) if last.height else NO_DATA_TEXT)
    return (f"Udviklingsgraf: {name} for {label} og enhederne over den, "
            f"{period_label(periods[0])} – {period_label(periods[-1])}; seneste værdi {value}. "
            "Tallene står i tabellen under grafen.")
