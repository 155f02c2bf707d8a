"""Drill-through: from a box on the overview to its layer page, and from a chart point to the
units behind it for that period (within the viewer's scope), with breadcrumbs back.

The opened point lives in the URL (``?punkt=INDICATOR@PERIOD``) so it can be linked and the back
link is an ordinary link; clicking a point (plotly selection) sets it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from core.model_config import BoxSpec, IndicatorSpec, LayerSpec
from indicators.completeness import UNCERTAIN_TEXT
from indicators.format import format_value
from indicators.periods import period_label
from indicators.status import STATUS_LABELS
from indicators.summary import pick_subgroup, with_status
from ui import cache, session
from ui.analyses import PLOTLY_CONFIG, completeness_text, with_completeness
from ui.context import app_settings, current_viewer, indicator_metas
from ui.filters import Filters

POINT_PARAM = "punkt"


def layer_link(layer: LayerSpec, box: BoxSpec) -> str:
    """A relative link to the layer page at the box (``#boks-K1``), keeping the filters."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k != POINT_PARAM}
    params["side"] = f"lag-{layer.id}"
    return f"./lag-{layer.id}?{urlencode(params)}#{box_anchor(box)}"


def box_anchor(box: BoxSpec) -> str:
    return f"boks-{box.id.lower()}"


def units_behind(filters: Filters) -> pl.DataFrame:
    """The units a point of the chosen unit opens: its daycares in scope (areas for a viewer who
    sees aggregates only); empty for a daycare."""
    viewer = current_viewer()
    units = cache.org_units(app_settings().database_url, viewer.scope, session.data_version())
    me = units.filter(pl.col("id") == filters.unit_id)
    if me.is_empty() or filters.unit_level == "institution":
        return units.clear()
    level = "area" if viewer.aggregates_only else "institution"
    return units.filter((pl.col("level") == level)
                        & pl.col("path").str.starts_with(me["path"].item())
                        & (pl.col("id") != filters.unit_id)).sort("name")


def _table(table: pl.DataFrame | None) -> None:
    if table is not None:
        with st.expander("Vis som tabel", icon=":material/table:"):
            st.dataframe(table, hide_index=True, width="stretch")


def opened_point() -> tuple[str, str] | None:
    """(indicator id, period) of the opened point, from the URL."""
    raw = st.query_params.get(POINT_PARAM)
    if not raw or "@" not in raw:
        return None
    indicator_id, period = raw.split("@", 1)
    return indicator_id, period


def drill_chart(fig: go.Figure, *, spec: IndicatorSpec, periods: list[str],
                enabled: bool, table: pl.DataFrame | None = None) -> None:
    """Draw a trend chart (named for screen readers, its numbers under it in "Vis som tabel");
    with ``enabled``, clicking a point opens the units behind it."""
    key = f"trend_{spec.id}_{session.chart_generation()}"
    alt = f"Udviklingen i {spec.name} over perioderne; tallene står i tabellen under grafen."
    if not enabled:
        st.plotly_chart(fig, config=PLOTLY_CONFIG, key=key, alt=alt)
        _table(table)
        return
    event = st.plotly_chart(fig, config=PLOTLY_CONFIG, key=key, on_select="rerun",
                            selection_mode="points", alt=alt)
    _table(table)
    points = event.selection.points if event else []
    by_label = {period_label(p): p for p in periods}
    for point in points:
        period = by_label.get(str(point.get("x")))
        if period:
            st.query_params[POINT_PARAM] = f"{spec.id}@{period}"
            break


def drill_panel(filters: Filters, layer: LayerSpec, box: BoxSpec, spec: IndicatorSpec) -> None:
    """The units behind the opened point of this indicator, if it is open."""
    opened = opened_point()
    if opened is None or opened[0] != spec.id or opened[1] not in filters.periods:
        return
    period = opened[1]
    behind = units_behind(filters)
    withheld = app_settings().withheld_text
    with st.container(border=True):
        crumbs, close = st.columns([6, 1], vertical_alignment="center")
        crumbs.markdown(
            f"Forandringsmodellen › {layer.title} › {box.id} · {box.title} › "
            f"**{spec.name}** › **{filters.unit_name}, {period_label(period)}**")
        if close.button("← Tilbage", key=f"drill_close_{spec.id}"):
            st.query_params.pop(POINT_PARAM, None)
            session.bump_chart_generation()  # a new chart key: the selection is cleared
            st.rerun()
        if behind.is_empty():
            st.info("Der er ingen enheder under den valgte enhed at vise.")
            return
        metas = indicator_metas(filters.programme)
        raw = cache.indicator_period_values(
            app_settings().database_url, current_viewer().scope, filters.programme.id, spec.id,
            period, filters.age_group, filters.vulnerable_only,
            tuple(behind["id"].to_list()), session.data_version())
        one = {spec.id: metas[spec.id]}
        values = with_completeness(filters, with_status(pick_subgroup(
            raw, one, age_group=filters.age_group, vulnerable_only=filters.vulnerable_only),
            one))
        rows = {r["unit_id"]: r for r in values.iter_rows(named=True)}
        table = pl.DataFrame([{
            "Enhed": unit["name"],
            "Værdi": format_value(rows[unit["id"]]["value"], spec.unit,
                                  suppressed=rows[unit["id"]]["suppressed"],
                                  withheld_text=withheld) if unit["id"] in rows else "Ingen data",
            "n": ("" if unit["id"] not in rows or rows[unit["id"]]["suppressed"]
                  else str(rows[unit["id"]]["n"])),
            "Status": STATUS_LABELS[rows[unit["id"]]["status"] if unit["id"] in rows
                                    else "no_data"],
            "Datakomplethed": (completeness_text(rows[unit["id"]]) or "") if unit["id"] in rows
            else "",
        } for unit in behind.iter_rows(named=True)],
            schema={"Enhed": pl.Utf8, "Værdi": pl.Utf8, "n": pl.Utf8, "Status": pl.Utf8,
                    "Datakomplethed": pl.Utf8})
        st.dataframe(table, hide_index=True, width="stretch", key=f"drill_table_{spec.id}")
        uncertain = sum(1 for r in rows.values() if r.get("uncertain"))
        st.caption(f"{behind.height} enheder under {filters.unit_name} i "
                   f"{period_label(period)}."
                   + (f" {uncertain} med {UNCERTAIN_TEXT}." if uncertain else ""))
