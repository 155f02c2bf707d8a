"""One layer of the model: every box, and a trend chart per indicator (unit vs. benchmarks)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from charts.trend import trend_chart
from indicators.format import format_value
from indicators.periods import periods_between
from indicators.status import STATUS_LABELS
from ui.export import export_buttons
from ui.interpretations import interpretation_panel, notes_for_view
from ui.views import benchmark_units, view_values

# 1. Selection
filters = st.session_state["filters"]
programme = filters.programme
layer_id = st.session_state.get("current_layer") or programme.layers[0].id
layer = next(lay for lay in programme.layers if lay.id == layer_id)
st.title(layer.title)
st.caption(f"{programme.title} · {filters.description()}")

# 2. Data: the chosen unit and the units above it, as benchmarks
chain = benchmark_units(filters)  # root first, chosen unit last
values = view_values(filters, chain["id"].to_list())
labels = {row["id"]: row["name"] for row in chain.iter_rows(named=True)}
order = list(reversed(chain["id"].to_list()))  # chosen unit first
periods = periods_between(filters.period_from, filters.period_to)
notes = notes_for_view(filters)

export_buttons(filters, chain["id"].to_list(), what=f"lag-{layer.id}")

# 3. Boxes and their indicators
for box in layer.boxes:
    st.subheader(f"{box.id} · {box.title}")
    st.caption(box.text)
    for spec in box.indicators:
        rows = values.filter(pl.col("indicator_id") == spec.id)
        if rows.filter(pl.col("unit_id") == filters.unit_id).is_empty():
            st.info(f"**{spec.name}**: Ingen data for perioden.")
            continue
        series = (
            rows.with_columns(pl.col("unit_id").replace_strict(labels).alias("label"))
            .with_columns(pl.col("unit_id").replace_strict(
                {u: i for i, u in enumerate(order)}).alias("order"))
            .sort("order", "period")
        )
        chart_col, facts_col = st.columns([3, 1])
        chart_col.plotly_chart(
            trend_chart(series, unit=spec.unit, target=spec.target, title=spec.name,
                        periods=periods),
            config={"displaylogo": False, "locale": "da"}, key=f"trend_{spec.id}",
        )
        latest = series.filter((pl.col("unit_id") == filters.unit_id)
                               & (pl.col("period") == filters.period_to))
        with facts_col:
            if latest.is_empty():
                st.metric(spec.name, "Ingen data")
            else:
                row = latest.row(0, named=True)
                st.metric("Seneste periode", format_value(row["value"], spec.unit,
                                                          suppressed=row["suppressed"]))
                st.markdown(f"**Status:** {STATUS_LABELS[row['status']]}  \n"
                            f"**Mål {spec.target_year}:** {format_value(spec.target, spec.unit)}"
                            + (f"  \n**Udgangspunkt:** {format_value(spec.baseline, spec.unit)}"
                               if spec.baseline is not None else ""))
            st.caption(spec.definition)
        interpretation_panel(notes, filters, box=box, indicator_id=spec.id, key=f"n_{spec.id}")
