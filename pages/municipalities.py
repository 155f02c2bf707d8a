"""Kommuner: the municipalities running a national programme compared on every indicator, box
by box, in the last period of the chosen range, with the national value as reference line.

For viewers who see the national level (the ``national`` role and admin, see
``ui.navigation``); a municipal user never gets this page, only the national aggregate as a
benchmark line on the layer pages.
"""

from __future__ import annotations

import streamlit as st

from charts.locale_da import PLOTLY_CONFIG
from charts.municipalities import municipalities_chart
from indicators.benchmarking import compared_table, reference_value, units_compared
from indicators.periods import period_label
from indicators.status import status_legend
from ui.context import app_settings, current_filters, indicator_metas
from ui.figures import shared_figure
from ui.views import compared_municipalities, view_values

TABLE_COLUMNS = {"Kommune": st.column_config.TextColumn(width="medium"),
                 "n": st.column_config.TextColumn(width="small")}

# 1. Selection
filters = current_filters()
settings = app_settings()
programme = filters.programme
st.title("Kommuner")
st.caption(f"{programme.title} · {period_label(filters.period_to)}"
           + (" · kun børn i udsatte positioner" if filters.vulnerable_only else "")
           + ("" if filters.age_group == "alle" else f" · {filters.age_group} år"))

# 2. Data: the member municipalities and the national level above them
municipalities, national = compared_municipalities(filters)
if municipalities.is_empty():
    st.info("Programmet kører ikke i nogen kommuner, du har adgang til, i den valgte periode.")
    st.stop()
names = dict(zip(municipalities["id"], municipalities["name"], strict=True))
reference_id = national["id"][0] if not national.is_empty() else None
reference_name = national["name"][0] if not national.is_empty() else ""
values = view_values(filters, [*names, *([reference_id] if reference_id else [])])
metas = indicator_metas(programme)
st.markdown(f"**{len(names)} kommuner** i programmet i {period_label(filters.period_to)}"
            + (f", sammenlignet med **{reference_name}**" if reference_id else "") + ".")

# 3. Per layer and box: a chart and a table per indicator
for layer in programme.layers:
    st.header(layer.title, divider="gray")
    for box in layer.boxes:
        st.subheader(f"{box.id} · {box.title}")
        for spec in box.indicators:
            meta = metas[spec.id]
            compared = units_compared(values, meta, units=names, period=filters.period_to)
            reference = reference_value(values, meta, unit_id=reference_id,
                                        period=filters.period_to)
            chart_col, table_col = st.columns([1, 1])
            chart_col.plotly_chart(
                shared_figure(municipalities_chart, compared, unit=spec.unit, target=spec.target,
                                     title=spec.name, reference=reference,
                                     reference_name=reference_name,
                                     withheld_text=settings.withheld_text),
                config=PLOTLY_CONFIG, key=f"kommuner_{spec.id}",
            )
            with_reference = units_compared(values, meta, units={**names, reference_id: (
                reference_name)} if reference_id else names, period=filters.period_to)
            table_col.dataframe(compared_table(with_reference, meta,
                                               withheld_text=settings.withheld_text),
                                hide_index=True, width="stretch", key=f"kommuner_t_{spec.id}",
                                column_config=TABLE_COLUMNS)
            table_col.caption(spec.definition)

st.caption(f"Status: {status_legend(settings.withheld_text, settings.min_n)}")
