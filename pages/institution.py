"""Dagtilbud: one daycare next to its area and the municipality (table and its own trends), and a
fair comparison of the daycares: a funnel plot by default, a ranking on request."""

from __future__ import annotations

import polars as pl
import streamlit as st

from charts.trend import trend_chart, trend_series
from indicators.format import format_value
from indicators.periods import period_label, periods_between
from indicators.status import STATUS_LABELS
from indicators.summary import comparison, pick_subgroup, ranking, with_status
from ui import cache
from ui.analyses import funnel_section, with_completeness
from ui.context import app_settings, current_filters, current_viewer, indicator_metas
from ui.export import export_buttons
from ui.figures import shared_figure
from ui.views import benchmark_units, data_version, institutions_below, view_values

# 1. Selection
filters = current_filters()
withheld = app_settings().withheld_text
programme = filters.programme
st.title("Dagtilbud")
st.caption(f"{programme.title} · {filters.description()}")
chain = benchmark_units(filters)
institutions = institutions_below(filters)
names = {row["id"]: row["name"] for row in reversed(list(chain.iter_rows(named=True)))}

# 2. The chosen daycare: every indicator next to the units above it, and its own trends
if filters.unit_level != "institution":
    st.info("Vælg et dagtilbud i filtrene til venstre for at se det ved siden af området og "
            "kommunen. Sammenligningen nedenfor viser alle dagtilbud i det valgte udsnit.")
else:
    values = with_completeness(filters, view_values(filters, chain["id"].to_list()))
    table = comparison(values, indicator_metas(programme), units=names, unit_id=filters.unit_id,
                       period=filters.period_to, withheld_text=withheld)
    box_of = {spec.id: box.id for _layer, box in programme.boxes() for spec in box.indicators}
    st.subheader(f"{filters.unit_name} · {period_label(filters.period_to)}")
    st.dataframe(table.select(
        pl.col("indicator_id").replace_strict(box_of).alias("Boks"),
        pl.col("name").alias("Indikator"), *names.values(),
        pl.col("target").alias("Mål"), pl.col("status").alias("Status"),
    ), hide_index=True, width="stretch", column_config={
        "Boks": st.column_config.TextColumn(width=50),
        "Indikator": st.column_config.TextColumn(width="large"),
        **{name: st.column_config.TextColumn(width="small") for name in names.values()},
        "Mål": st.column_config.TextColumn(width="small"),
        "Status": st.column_config.TextColumn(width="small"),
    })
    st.subheader("Udvikling over tid")
    periods = periods_between(filters.period_from, filters.period_to)
    for layer, tab in zip(programme.layers, st.tabs([layer.title for layer in programme.layers]),
                          strict=True):
        with tab:
            columns = st.columns(2)
            for k, box in enumerate(layer.boxes):
                spec = box.headline
                series = trend_series(values, indicator_id=spec.id, unit_names=names)
                with columns[k % 2]:
                    if series.filter(pl.col("unit_id") == filters.unit_id).is_empty():
                        st.info(f"**{box.id} · {spec.name}**: Ingen data for perioden.")
                        continue
                    st.plotly_chart(shared_figure(
                        trend_chart,
                        series, unit=spec.unit, target=spec.target,
                        title=f"{box.id} · {spec.name}", periods=periods,
                        withheld_text=withheld),
                        config={"displaylogo": False, "locale": "da"},
                        key=f"own_{spec.id}")

# 3. Fair comparison of the daycares on one indicator (never a comparison of one)
st.subheader("Sammenligning af dagtilbud")
if institutions.height <= 1:
    st.info("Sammenligningen med andre dagtilbud vises, når du har adgang til flere dagtilbud. "
            "Se dit dagtilbuds udvikling over tid ovenfor.")
    st.stop()
specs = {spec.id: spec for spec in programme.indicators()}
left, right = st.columns([3, 2], vertical_alignment="bottom")
indicator_id = left.selectbox("Indikator", list(specs), format_func=lambda i: specs[i].name,
                              key="rank_indicator")
view = right.segmented_control("Vis", ["Tragtdiagram", "Rangering"], default="Tragtdiagram",
                               key="compare_view")
spec = specs[indicator_id]
reference = next((r for r in chain.iter_rows(named=True) if r["level"] == "municipality"),
                 chain.row(0, named=True))
if view != "Rangering":
    funnel_section(filters, spec, institutions, reference)
else:
    metas = {spec.id: indicator_metas(programme)[spec.id]}
    raw = cache.indicator_period_values(
        app_settings().database_url, current_viewer().scope, programme.id, spec.id,
        filters.period_to, filters.age_group, filters.vulnerable_only,
        tuple(institutions["id"].to_list()), data_version())
    all_values = with_status(pick_subgroup(raw, metas, age_group=filters.age_group,
                                           vulnerable_only=filters.vulnerable_only), metas)
    ranked = ranking(all_values, indicator_id=indicator_id, period=filters.period_to,
                     unit_ids=institutions["id"].to_list(), direction=spec.direction)
    if ranked.is_empty():
        st.info("Ingen data for perioden.")
    else:
        inst_names = dict(zip(institutions["id"], institutions["name"], strict=True))
        st.dataframe(ranked.select(
            pl.col("rank").alias("Plads"),
            pl.col("unit_id").replace_strict(inst_names).alias("Dagtilbud"),
            pl.struct("value", "suppressed").map_elements(
                lambda r: format_value(r["value"], spec.unit, suppressed=r["suppressed"],
                                       withheld_text=withheld),
                return_dtype=pl.Utf8).alias(spec.name),
            pl.col("status").replace_strict(STATUS_LABELS).alias("Status"),
        ), hide_index=True, width="stretch")
        st.caption(f"{period_label(filters.period_to)}. En rangering tager ikke højde for "
                   "dagtilbuddenes størrelse: brug tragtdiagrammet til at se, hvem der reelt "
                   f"skiller sig ud. Dagtilbud med færre end {spec.min_n} i grundlaget vises som "
                   f"«{withheld}» og rangeres ikke.")
export_buttons(filters, chain["id"].to_list() + institutions["id"].to_list(), page="daycare")
