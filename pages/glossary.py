"""Ordforklaring: the words the dashboard uses, and every indicator of the programme explained."""

from __future__ import annotations

import streamlit as st

from indicators.glossary import glossary_markdown, indicator_help_markdown
from indicators.registry import COMPUTATIONS
from ui.context import app_settings, current_filters

# 1. Selection
filters = current_filters()
settings = app_settings()
st.title("Ordforklaring")
st.caption("Hvad ordene og tallene i dashboardet betyder.")

# 2. The words
st.markdown(glossary_markdown(min_n=settings.min_n, withheld_text=settings.withheld_text,
                              threshold=settings.completeness_threshold))

# 3. The indicators, layer by layer
st.header(f"Indikatorerne i {filters.programme.title}")
for layer in filters.programme.layers:
    st.subheader(layer.title)
    for box in layer.boxes:
        for spec in box.indicators:
            with st.expander(f"{box.id} · {spec.name}"):
                st.markdown(indicator_help_markdown(
                    spec, COMPUTATIONS[spec.computation], min_n=spec.min_n,
                    withheld_text=settings.withheld_text,
                    threshold=settings.completeness_threshold))
