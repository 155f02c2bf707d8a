"""Styregruppemøde: the steering group's meeting, one section at a time, readable on a projector.

"Mødet viser" chooses the meeting's filters once — the saved view "Styregruppens standardvisning"
by default, another saved view, or the sidebar's filters — and the summary, every section and the
meeting pack use that choice and say it. "Sidste møde" is the pack of the last meeting before the
meeting date.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from indicators.periods import period_label
from indicators.status import status_legend
from ui.context import app_settings, current_filters
from ui.interpretations import notes_for_view
from ui.meeting import (
    PRESENTATION_CSS,
    choose_meeting_view,
    last_meeting,
    layer_section,
    pack_controls,
    select_view,
    summary_section,
    walk_controls,
)
from ui.saved_views import saved_views_panel
from ui.views import benchmark_units, view_values

# 1. Selection: one source of filters for the whole meeting
sidebar = current_filters()
settings = app_settings()
views = saved_views_panel(sidebar, key="meeting_views", on_open=select_view)
st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
st.title("Styregruppemøde", anchor=False)
top_view, top_date, top_mode = st.columns([3, 2, 2], vertical_alignment="bottom")
with top_view:
    shown = choose_meeting_view(sidebar, views)
filters = shown.filters
programme = filters.programme
meeting_date = top_date.date_input("Mødedato", dt.date.today(), format="DD.MM.YYYY",
                                   key="meeting_date")
mode = top_mode.segmented_control("Vis", ["I dag", "Sidste møde"], default="I dag",
                                  key="meeting_mode")
st.markdown(f'<div class="mt-statement">{shown.statement_html()}</div>',
            unsafe_allow_html=True)
pack_controls(shown, meeting_date)

if mode == "Sidste møde":
    last_meeting(filters, meeting_date)
    st.stop()

# 2. Data: the chosen unit and the units above it (benchmarks)
chain = benchmark_units(filters)  # root first, chosen unit last
values = view_values(filters, chain["id"].to_list())
names = {row["id"]: row["name"] for row in reversed(list(chain.iter_rows(named=True)))}
notes = notes_for_view(filters)

# 3. One section at a time: the summary, then each layer
titles = ["Resumé", *[layer.title for layer in programme.layers]]
index = walk_controls(titles)
if index == 0:
    summary_section(filters, values, meeting_date)
else:
    layer_section(programme.layers[index - 1], filters, values, names, notes)
st.caption(f"{shown.statement()}. Tal for {period_label(filters.period_to)}. Status: "
           f"{status_legend(settings.withheld_text, settings.min_n)}")
