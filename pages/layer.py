"""One layer of the model: every box, and a trend chart per indicator (unit vs. benchmarks).

A callable page: ``ui.navigation`` makes one ``st.Page(partial(layer_page, layer))`` per layer,
so the page knows its layer from its own ``st.Page``. Besides the trend: the position flows of an
indicator with ``view = "flows"``, both groups' lines for a gap indicator, areas side by side for
a viewer with more than one area, completeness next to child indicators, and a chart point opens
the daycares behind it.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from charts.presentation import trend_table
from charts.trend import small_multiples_chart, trend_chart, trend_series
from core.model_config import LayerSpec
from indicators.format import format_value
from indicators.periods import periods_between
from indicators.status import STATUS_LABELS
from ui.analyses import (
    completeness_text,
    equity_section,
    flow_section,
    indicator_help,
    with_completeness,
)
from ui.context import app_settings, current_filters
from ui.drill import box_anchor, drill_chart, drill_panel, units_behind
from ui.export import export_buttons
from ui.figures import shared_figure
from ui.interpretations import interpretation_panel, notes_for_view
from ui.views import areas_below, benchmark_units, view_values


def layer_page(layer: LayerSpec) -> None:
    # 1. Selection
    filters = current_filters()
    withheld = app_settings().withheld_text
    st.title(layer.title)
    st.caption(f"{filters.programme.title} · {filters.description()}")

    # 2. Data: the chosen unit and the units above it, as benchmarks; areas side by side
    chain = benchmark_units(filters)  # root first, chosen unit last
    areas = areas_below(filters)
    values = with_completeness(filters, view_values(
        filters, chain["id"].to_list() + areas["id"].to_list()))
    names = {row["id"]: row["name"] for row in reversed(list(chain.iter_rows(named=True)))}
    area_names = dict(zip(areas["id"], areas["name"], strict=True))
    periods = periods_between(filters.period_from, filters.period_to)
    notes = notes_for_view(filters)
    drillable = not units_behind(filters).is_empty()

    export_buttons(filters, chain["id"].to_list(), page="layer", layer=layer)

    # 3. Boxes and their indicators
    for box in layer.boxes:
        st.subheader(f"{box.id} · {box.title}", anchor=box_anchor(box))
        st.caption(box.text)
        for spec in box.indicators:
            series = trend_series(values, indicator_id=spec.id, unit_names=names)
            if series.filter(pl.col("unit_id") == filters.unit_id).is_empty():
                st.info(f"**{spec.name}**: Ingen data for perioden.")
                indicator_help(spec)
                continue
            chart_col, facts_col = st.columns([3, 1])
            with chart_col:
                drill_chart(shared_figure(trend_chart, series, unit=spec.unit, target=spec.target,
                                        title=spec.name, periods=periods,
                                        withheld_text=withheld),
                            spec=spec, periods=periods, enabled=drillable,
                            table=trend_table(series, periods=periods, unit=spec.unit,
                                              withheld_text=withheld))
            latest = series.filter((pl.col("unit_id") == filters.unit_id)
                                   & (pl.col("period") == filters.period_to))
            with facts_col:
                if latest.is_empty():
                    st.metric(spec.name, "Ingen data")
                else:
                    row = latest.row(0, named=True)
                    st.metric("Seneste periode", format_value(
                        row["value"], spec.unit, suppressed=row["suppressed"],
                        withheld_text=withheld))
                    st.markdown(
                        f"**Status:** {STATUS_LABELS[row['status']]}  \n"
                        f"**Mål {spec.target_year}:** {format_value(spec.target, spec.unit)}"
                        + (f"  \n**Udgangspunkt:** {format_value(spec.baseline, spec.unit)}"
                           if spec.baseline is not None else ""))
                    complete = completeness_text(row)
                    if complete:
                        (st.warning if row["uncertain"] else st.caption)(complete)
                st.caption(spec.definition)
                indicator_help(spec)
            drill_panel(filters, layer, box, spec)
            if len(area_names) > 1 and spec is box.headline:
                st.plotly_chart(shared_figure(
                    small_multiples_chart,
                    trend_series(values, indicator_id=spec.id, unit_names=area_names),
                    unit=spec.unit, target=spec.target, title=f"{spec.name} · områderne",
                    periods=periods, withheld_text=withheld),
                    config={"displaylogo": False, "locale": "da"}, key=f"areas_{spec.id}")
            equity_section(filters, spec, values)
            if spec.view == "flows":
                flow_section(filters, spec)
            interpretation_panel(notes, filters, box=box, indicator_id=spec.id,
                                 key=f"n_{spec.id}")
