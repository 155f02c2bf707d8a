"""Position flows as a Sankey, and time in yellow as a survival curve (M2).

Withheld counts never reach the figure: a withheld flow is labelled "< 5", and its band is drawn
as an equal share of what the published totals leave for the withheld flows of its row (derived
from published numbers only), so node sizes still match the published totals.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl

from indicators.flows import LABELS, POSITIONS, TOTAL, next_round
from indicators.format import format_number, format_value
from indicators.periods import period_label

POSITION_COLOURS = {"green": "#2e8540", "yellow": "#e0b000", "red": "#c0392b"}
LINK_COLOURS = {"green": "rgba(46,133,64,0.35)", "yellow": "rgba(224,176,0,0.40)",
                "red": "rgba(192,57,43,0.35)"}
WITHHELD_LINK_COLOUR = "rgba(120,120,120,0.30)"
WITHHELD_WIDTH = 2.5  # band width when nothing published bounds a withheld flow
FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 14, "color": "#1f2933"}


def _count_text(count: int | None, withheld_text: str) -> str:
    return withheld_text if count is None else format_value(float(count), "antal")


def _children(count: int | None, withheld_text: str) -> str:
    if count is None:
        return withheld_text + " børn"
    return f"{_count_text(count, withheld_text)} {'barn' if count == 1 else 'børn'}"


def _withheld_widths(cells: dict[tuple[str, str], int | None]) -> dict[tuple[str, str], float]:
    """A band width per withheld flow, from the published numbers only: what its row total
    leaves after the visible flows, shared equally among the row's withheld flows (else its
    column's); a fixed small width when both totals are withheld."""
    widths = {}
    for source in POSITIONS:
        for target in POSITIONS:
            if cells[source, target] is not None:
                continue
            lines = [([(source, t) for t in POSITIONS], cells[source, TOTAL]),
                     ([(s, target) for s in POSITIONS], cells[TOTAL, target])]
            width = WITHHELD_WIDTH
            for parts, total in lines:
                if total is not None:
                    hidden = [p for p in parts if cells[p] is None]
                    left = total - sum(cells[p] or 0 for p in parts)
                    width = left / len(hidden)
                    break
            widths[source, target] = width
    return widths


def flow_sankey_chart(flows: pl.DataFrame, *, from_round: str, withheld_text: str,
                      title: str = "") -> go.Figure:
    """Children by position in ``from_round`` (left) and in the next round (right).

    Parameters
    ----------
    flows
        From :func:`indicators.flows.position_flows` (``FLOW_SCHEMA``: ``from_position``,
        ``to_position``, ``count``, ``withheld``; 16 rows with the totals as ``"alle"``).
    from_round
        The first round (``2025H1``), for the column headings.
    withheld_text
        What a withheld count reads (``Settings.withheld_text``, e.g. ``< 5``).
    """
    cells: dict[tuple[str, str], int | None] = {
        (r["from_position"], r["to_position"]): None if r["withheld"] else r["count"]
        for r in flows.iter_rows(named=True)
    }
    before, after = period_label(from_round), period_label(next_round(from_round))
    node_labels, node_hover, node_colours = [], [], []
    for side, when in (("from", before), ("to", after)):
        for position in POSITIONS:
            total = cells[position, TOTAL] if side == "from" else cells[TOTAL, position]
            node_labels.append(f"{LABELS[position]}: {_count_text(total, withheld_text)}")
            node_hover.append(f"{LABELS[position]} i {when}: {_children(total, withheld_text)}")
            node_colours.append(POSITION_COLOURS[position])
    widths = _withheld_widths(cells)
    sources, targets, values, link_hover, link_colours = [], [], [], [], []
    for i, source in enumerate(POSITIONS):
        for j, target in enumerate(POSITIONS):
            count = cells[source, target]
            if count == 0:
                continue
            sources.append(i)
            targets.append(3 + j)
            values.append(float(count) if count is not None else widths[source, target])
            link_hover.append(
                f"{LABELS[source]} → {LABELS[target]}: {_children(count, withheld_text)}")
            link_colours.append(LINK_COLOURS[target] if count is not None
                                else WITHHELD_LINK_COLOUR)
    fig = go.Figure(go.Sankey(
        arrangement="fixed",
        valueformat=",d",
        node={
            "label": node_labels, "color": node_colours, "pad": 18, "thickness": 22,
            "x": [0.001] * 3 + [0.999] * 3, "y": [0.15, 0.5, 0.85] * 2,
            "customdata": node_hover, "hovertemplate": "%{customdata}<extra></extra>",
        },
        link={
            "source": sources, "target": targets, "value": values, "color": link_colours,
            "customdata": link_hover, "hovertemplate": "%{customdata}<extra></extra>",
        },
        textfont={"size": 15, "color": "#1f2933"},
        domain={"x": [0, 1], "y": [0, 0.84]},  # room above for the title, whatever the theme
    ))
    total = cells[TOTAL, TOTAL]
    subtitle = f"{_children(total, withheld_text)} vurderet i begge halvår"
    fig.update_layout(
        title={"text": f"{title}<br>{subtitle}" if title else subtitle,
               "font": {"size": 16}},
        separators=",.", font=FONT, height=420, margin={"l": 10, "r": 10, "t": 70, "b": 30},
        annotations=[
            {"x": 0, "y": -0.06, "xref": "paper", "yref": "paper", "text": before,
             "showarrow": False, "xanchor": "left", "font": {"size": 14}},
            {"x": 1, "y": -0.06, "xref": "paper", "yref": "paper", "text": after,
             "showarrow": False, "xanchor": "right", "font": {"size": 14}},
        ],
    )
    return fig


ROUND_LABELS = {0: "Ved overgang til gul", 1: "Efter 1 halvår"}


def _round_label(t: int) -> str:
    return ROUND_LABELS.get(t, f"Efter {t} halvår")


def yellow_survival_chart(curve: pl.DataFrame, *, withheld_text: str,
                          title: str = "") -> go.Figure:
    """The share of children still in yellow 0, 1, 2, 3 rounds after entering yellow.

    Parameters
    ----------
    curve
        From :func:`indicators.flows.yellow_survival` (``rounds``, ``at_risk``,
        ``still_yellow``, ``withheld``). Withheld rounds get a ``withheld_text`` marker at the
        bottom of the plot instead of a point.
    withheld_text
        What a withheld share reads (``Settings.withheld_text``, e.g. ``< 5``).
    """
    rows = curve.sort("rounds").iter_rows(named=True)
    x: list[str] = []
    y: list[float | None] = []
    hover: list[str] = []
    text: list[str] = []
    withheld: list[str] = []
    for row in rows:
        label = _round_label(row["rounds"])
        x.append(label)
        if row["withheld"]:
            y.append(None)
            hover.append(f"{label}: {withheld_text} (skjult af hensyn til fortrolighed)")
            text.append("")
            withheld.append(label)
        else:
            share = format_value(row["still_yellow"], "%")
            y.append(row["still_yellow"])
            hover.append(f"{label}: {share} stadig i gul (n={format_number(row['at_risk'], 0)})")
            text.append(share)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=x, y=y, name="Stadig i gul position", mode="lines+markers+text",
        line={"color": POSITION_COLOURS["yellow"], "width": 4, "shape": "hv"},
        marker={"size": 11, "color": "#8a6d00"}, text=text, textposition="top right",
        textfont={"size": 14, "color": "#1f2933"}, customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", connectgaps=False,
    ))
    fig.add_trace(go.Scatter(
        x=x, y=[50.0] * len(x), name="Halvdelen", mode="lines",
        line={"color": "#7a8fa6", "width": 1.5, "dash": "dot"}, hoverinfo="skip",
    ))
    fig.update_layout(
        title={"text": title, "font": {"size": 16}}, separators=",.", font=FONT, height=360,
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, plot_bgcolor="#ffffff",
        legend={"orientation": "h", "y": -0.2},
        yaxis={"range": [0, 118], "ticksuffix": " %", "tickvals": [0, 25, 50, 75, 100],
               "gridcolor": "#e6e9ee", "title": {"text": "Andel stadig i gul"}},
        xaxis={"tickangle": 0, "type": "category", "categoryorder": "array",
               "categoryarray": x},
        annotations=[_withheld_marker(label, withheld_text) for label in withheld],
    )
    return fig


def _withheld_marker(x: str, withheld_text: str) -> dict[str, Any]:
    """A visible "< 5" at the foot of a withheld point: withheld, not missing."""
    return {"x": x, "y": 0.04, "xref": "x", "yref": "paper", "text": withheld_text,
            "showarrow": False, "font": {"size": 14, "color": "#4a5563"},
            "bgcolor": "#eef1f5", "bordercolor": "#9aa5b1", "borderwidth": 1, "borderpad": 3}
