"""One layer of the model: every box, and a trend chart per indicator (unit vs. benchmarks).

A callable page: ``ui.navigation`` makes one ``st.Page(partial(layer_page, layer))`` per layer,
so the page knows its layer from its own ``st.Page``.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from charts.trend import trend_chart, trend_series
from core.model_config import LayerSpec
from indicators.format import format_value
from indicators.periods import periods_between
from indicators.status import STATUS_LABELS
from ui.context import app_settings, current_filters
from ui.export import export_buttons
from ui.interpretations import interpretation_panel, notes_for_view
from ui.views import benchmark_units, view_values


def layer_page(layer: LayerSpec) -> None:
    # 1. Selection
    filters = current_filters()
    withheld = app_settings().withheld_text
    st.title(layer.title)
    st.caption(f"{filters.programme.title} · {filters.description()}")

    # 2. Data: the chosen unit and the units above it, as benchmarks
    chain = benchmark_units(filters)  # root first, chosen unit last
    values = view_values(filters, chain["id"].to_list())
    names = {row["id"]: row["name"] for row in reversed(list(chain.iter_rows(named=True)))}
    periods = periods_between(filters.period_from, filters.period_to)
    notes = notes_for_view(filters)

    export_buttons(filters, chain["id"].to_list(), page="layer", layer=layer)

    # 3. Boxes and their indicators
    for box in layer.boxes:
        st.subheader(f"{box.id} · {box.title}")
        st.caption(box.text)
        for spec in box.indicators:
            series = trend_series(values, indicator_id=spec.id, unit_names=names)
            if series.filter(pl.col("unit_id") == filters.unit_id).is_empty():
                st.info(f"**{spec.name}**: Ingen data for perioden.")
                continue
            chart_col, facts_col = st.columns([3, 1])
            chart_col.plotly_chart(
                trend_chart(series, unit=spec.unit, target=spec.target, title=spec.name,
                            periods=periods, withheld_text=withheld),
                config={"displaylogo": False, "locale": "da"}, key=f"trend_{spec.id}",
            )
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
                st.caption(spec.definition)
            interpretation_panel(notes, filters, box=box, indicator_id=spec.id,
                                 key=f"n_{spec.id}")
