"""Saved views: a named set of filters, stored for everyone; opening one sets the URL and the
filter state that ``ui.filters`` reads, then reruns."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from data_access.meeting_store import load_views, save_view
from indicators.format import plain_text
from indicators.periods import period_label
from ui.context import current_viewer, engine
from ui.filters import AGE_GROUPS, Filters

# Widget state that must be re-seeded from the URL when a view is opened (ui/filters.py).
WIDGET_KEYS = ("f_programme", "f_periods", "f_age", "f_vulnerable")


def filters_code(filters: Filters) -> str:
    return str(st.query_params.get("enhed", ""))


def open_view(view: dict) -> None:
    """Show exactly this view: URL, the session keys of ui/filters.py, and a rerun."""
    params = {"program": view["programme_id"], "fra": view["period_from"],
              "til": view["period_to"], "enhed": view["unit_code"], "alder": view["age_group"],
              "udsatte": "1" if view["vulnerable_only"] else "0"}
    st.query_params.from_dict(params)
    # Widgets already drawn in this run cannot be given new values, but their state can be
    # dropped: on the rerun ui/filters.py seeds them again from the URL set above.
    for key in [*WIDGET_KEYS, *[k for k in st.session_state if str(k).startswith("f_unit_")]]:
        st.session_state.pop(key, None)
    st.session_state["f_from"], st.session_state["f_to"] = view["period_from"], view["period_to"]
    st.session_state["active_view"] = view["name"]
    st.rerun()


def view_caption(view: dict) -> str:
    parts = [f"{period_label(view['period_from'])} – {period_label(view['period_to'])}",
             f"enhed {view['unit_code']}"]
    if view["age_group"] != "alle":
        parts.append(AGE_GROUPS[view["age_group"]])
    if view["vulnerable_only"]:
        parts.append("kun børn i udsatte positioner")
    return " · ".join(parts)


def saved_views_panel(filters: Filters, *, key: str = "views",
                      on_open: Callable[[dict], None] | None = None) -> pl.DataFrame:
    """The list of views (one click opens one: ``on_open``, by default :func:`open_view`) and a
    "Gem visning" control; returns the views of the programme."""
    views = load_views(engine(), scope=current_viewer().scope,
                       programme_id=filters.programme.id)
    with st.sidebar.expander("Gemte visninger", icon=":material/bookmarks:",
                             expanded=not views.is_empty()):
        for row in views.iter_rows(named=True):
            # Labels and help render Markdown (images included): the name is the user's text.
            if st.button(plain_text(row["name"]), key=f"{key}_open_{row['id']}",
                         help=plain_text(view_caption(row)),
                         width="stretch", icon=":material/open_in_new:"):
                (on_open or open_view)(row)
        with st.form(f"{key}_save", clear_on_submit=True, border=False):
            name = st.text_input("Navn på visningen", max_chars=120)
            if st.form_submit_button("Gem visning", icon=":material/bookmark_add:"):
                _save(filters, name)
    return views


def _save(filters: Filters, name: str) -> None:
    viewer = current_viewer()
    try:
        save_view(engine(), scope=viewer.scope, username=viewer.username, name=name,
                  programme_id=filters.programme.id, period_from=filters.period_from,
                  period_to=filters.period_to, unit_code=filters_code(filters),
                  age_group=filters.age_group, vulnerable_only=filters.vulnerable_only)
    except (ValueError, PermissionError) as exc:
        st.sidebar.error(str(exc))
        return
    st.session_state["active_view"] = name.strip()
    st.rerun()
