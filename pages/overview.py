"""Forandringsmodellen: the whole model as the programme draws it, with each box's headline."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from charts.tiles import TILE_CSS, box_tile_html
from indicators.periods import period_label
from indicators.status import STATUS_LABELS, status_legend
from indicators.summary import snapshot
from ui.analyses import completeness_text, with_completeness
from ui.context import app_settings, current_filters
from ui.drill import layer_link
from ui.export import export_buttons
from ui.navigation import link_to_layer
from ui.views import view_values

# 1. Selection
filters = current_filters()
settings = app_settings()
programme = filters.programme
st.title(programme.title)
st.caption(f"{programme.subtitle} · Forandringsmodel")
st.markdown(f"**{filters.unit_name}** · {period_label(filters.period_to)}"
            + (" · kun børn i udsatte positioner" if filters.vulnerable_only else "")
            + ("" if filters.age_group == "alle" else f" · {filters.age_group} år"))

# 2. Data
values = with_completeness(filters, view_values(filters, [filters.unit_id]))
now = snapshot(values, unit_id=filters.unit_id, period=filters.period_to)
by_indicator = {row["indicator_id"]: row for row in now.iter_rows(named=True)}

# 3. Summary: how many boxes are on track
statuses = [by_indicator.get(box.headline.id, {}).get("status", "no_data")
            for _layer, box in programme.boxes()]
counts = Counter(statuses)
for col, status in zip(st.columns(4), STATUS_LABELS, strict=True):
    col.metric(STATUS_LABELS[status], f"{counts[status]} af {len(statuses)} bokse")

# 4. The model: four columns, left to right
st.markdown(TILE_CSS, unsafe_allow_html=True)
columns = st.columns(len(programme.layers), gap="small")
for column, layer in zip(columns, programme.layers, strict=True):
    with column:
        st.markdown(f'<div class="cm-layer-title">{layer.title} →</div>', unsafe_allow_html=True)
        for box in layer.boxes:
            row = by_indicator.get(box.headline.id, {})
            st.markdown(box_tile_html(
                box_id=box.id, title=box.title, full_text=box.text,
                indicator_name=box.headline.name, value=row.get("value"),
                suppressed=bool(row.get("suppressed")), change=row.get("change"),
                unit=box.headline.unit, target=box.headline.target,
                status=row.get("status", "no_data"), withheld_text=settings.withheld_text,
                href=layer_link(layer, box), completeness=completeness_text(row, warning=False),
                uncertain=bool(row.get("uncertain")),
            ), unsafe_allow_html=True)
        link_to_layer(layer.id, f"Se {layer.title.lower()} →")

export_buttons(filters, [filters.unit_id], page="overview")
st.caption(f"Status: {status_legend(settings.withheld_text, settings.min_n)} "
           "Hold musen over en boks for hele teksten fra forandringsmodellen; klik på den for "
           "at åbne laget ved boksen.")
