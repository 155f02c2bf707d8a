"""Styregruppemøde: the steering group's meeting, one section at a time, readable on a projector.

Starts from the saved view "Styregruppens standardvisning"; summary first, then one layer per
section with "Forrige" / "Næste"; the meeting pack (HTML + PDF) and the last meeting's pack.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from indicators.format import plain_text
from indicators.periods import period_label
from ui.interpretations import notes_for_view
from ui.meeting import (
    PRESENTATION_CSS,
    last_meeting,
    layer_section,
    pack_controls,
    start_from_standard_view,
    summary_section,
    walk_controls,
)
from ui.saved_views import saved_views_panel
from ui.views import benchmark_units, view_values

# 1. Selection: the standard view on the first visit, then whatever the filters say
start_from_standard_view()
filters = st.session_state["filters"]
programme = filters.programme
saved_views_panel(filters, key="meeting_views")
st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
st.title("Styregruppemøde")
active = st.session_state.get("active_view")
st.caption(f"{programme.title} · {filters.description()}"
           + (f" · visning: {plain_text(active)}" if active else ""))

top_left, top_mid, top_right = st.columns([2, 2, 3], vertical_alignment="bottom")
meeting_date = top_left.date_input("Mødedato", dt.date.today(), format="DD.MM.YYYY",
                                   key="meeting_date")
mode = top_mid.segmented_control("Vis", ["I dag", "Sidste møde"], default="I dag",
                                 key="meeting_mode")
with top_right:
    pack_controls(filters, meeting_date)

if mode == "Sidste møde":
    last_meeting(filters)
    st.stop()

# 2. Data: the chosen unit and the units above it (benchmarks)
chain = benchmark_units(filters)  # root first, chosen unit last
values = view_values(filters, chain["id"].to_list())
labels = {row["id"]: row["name"] for row in reversed(list(chain.iter_rows(named=True)))}
notes = notes_for_view(filters)

# 3. One section at a time: the summary, then each layer
titles = ["Resumé", *[layer.title for layer in programme.layers]]
index = walk_controls(titles)
if index == 0:
    summary_section(filters, values, meeting_date)
else:
    layer_section(programme.layers[index - 1], filters, values, labels, notes)
st.caption(f"Tal for {period_label(filters.period_to)}. Status: På sporet = målet er nået; "
           "Tæt på = inden for 15 % af målet; < 5 = færre end 5, værdien vises ikke.")
