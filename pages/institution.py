"""Dagtilbud: one daycare next to its area and the municipality, and a ranking of daycares."""

from __future__ import annotations

import polars as pl
import streamlit as st

from indicators.format import format_value
from indicators.periods import period_label
from indicators.status import STATUS_LABELS
from indicators.summary import comparison, ranking
from ui.context import app_settings, current_filters, indicator_metas
from ui.export import export_buttons
from ui.views import benchmark_units, institutions_below, view_values

# 1. Selection
filters = current_filters()
withheld = app_settings().withheld_text
programme = filters.programme
st.title("Dagtilbud")
st.caption(f"{programme.title} · {filters.description()}")
chain = benchmark_units(filters)
institutions = institutions_below(filters)

# 2. Comparison: all indicators for the chosen unit next to the units above it
if filters.unit_level != "institution":
    st.info("Vælg et dagtilbud i filtrene til venstre for at se det ved siden af området og "
            "kommunen. Rangeringen nedenfor viser alle dagtilbud i det valgte udsnit.")
else:
    values = view_values(filters, chain["id"].to_list())
    names = {row["id"]: row["name"] for row in reversed(list(chain.iter_rows(named=True)))}
    table = comparison(values, indicator_metas(programme), units=names, unit_id=filters.unit_id,
                       period=filters.period_to, withheld_text=withheld)
    box_of = {spec.id: box.id for _layer, box in programme.boxes() for spec in box.indicators}
    st.subheader(f"{filters.unit_name} · {period_label(filters.period_to)}")
    st.dataframe(table.select(
        pl.col("indicator_id").replace_strict(box_of).alias("Boks"),
        pl.col("name").alias("Indikator"), *names.values(),
        pl.col("target").alias("Mål"), pl.col("status").alias("Status"),
    ), hide_index=True, width="stretch")

# 3. Ranking of the daycares on one indicator
st.subheader("Rangering af dagtilbud")
specs = {spec.id: spec for spec in programme.indicators()}
indicator_id = st.selectbox("Indikator", list(specs), format_func=lambda i: specs[i].name,
                            key="rank_indicator")
spec = specs[indicator_id]
if institutions.is_empty():
    st.info("Ingen dagtilbud i det valgte udsnit.")
else:
    all_values = view_values(filters, institutions["id"].to_list())
    ranked = ranking(all_values, indicator_id=indicator_id, period=filters.period_to,
                     unit_ids=institutions["id"].to_list(), direction=spec.direction)
    if ranked.is_empty():
        st.info("Ingen data for perioden.")
    else:
        names = dict(zip(institutions["id"], institutions["name"], strict=True))
        shown = ranked.select(
            pl.col("rank").alias("Plads"),
            pl.col("unit_id").replace_strict(names).alias("Dagtilbud"),
            pl.struct("value", "suppressed").map_elements(
                lambda r: format_value(r["value"], spec.unit, suppressed=r["suppressed"],
                                       withheld_text=withheld),
                return_dtype=pl.Utf8).alias(spec.name),
            pl.col("status").replace_strict(STATUS_LABELS).alias("Status"),
        )
        st.dataframe(shown, hide_index=True, width="stretch")
        export_buttons(filters, chain["id"].to_list() + institutions["id"].to_list(),
                       page="daycare")
        st.caption(f"{period_label(filters.period_to)}. Dagtilbud med færre end "
                   f"{spec.min_n} i grundlaget vises som «{withheld}» og rangeres ikke.")
