"""Everything the app keeps in ``st.session_state``, one typed function per key.

Nothing else reads or writes these keys: pages get their inputs from ``ui.context``
(``current_viewer()``, ``current_filters()``), which read them here. Widget keys (``f_*``,
``rank_indicator``, …) are Streamlit's own widget state and stay next to their widgets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:  # only for the annotations: ui.context and ui.filters import this module
    from ui.context import Viewer
    from ui.filters import Filters

_VIEWER = "viewer"
_VIEWER_UNITS = "viewer_units"
_SESSION_ID = "session_id"
_FILTERS = "filters"
_DATA_VERSION = "data_version"
_LAYER_PAGES = "layer_page_objects"
_SIDE_FOLLOWED = "side_followed"
_ACTIVE_VIEW = "active_view"
_STANDARD_VIEW_APPLIED = "meeting_view_applied"
_MEETING_SECTION = "meeting_section"
_MEETING_PACK = "meeting_pack"
_PERIOD_FROM, _PERIOD_TO = "f_from", "f_to"
_CHART_GENERATION = "chart_generation"
_FILTERS_KEPT = "filters_kept"


# The viewer (set by ui.auth after login)
def viewer() -> Viewer | None:
    return st.session_state.get(_VIEWER)


def set_viewer(value: Viewer) -> None:
    st.session_state[_VIEWER] = value


# The org unit codes the viewer's scope was worked out from (ui.auth recomputes it when the
# account's units change)
def viewer_units() -> tuple[str, ...] | None:
    return st.session_state.get(_VIEWER_UNITS)


def set_viewer_units(codes: tuple[str, ...]) -> None:
    st.session_state[_VIEWER_UNITS] = codes


# The id of this tab's server-side login session (data_access.sessions)
def session_id() -> int | None:
    return st.session_state.get(_SESSION_ID)


def set_session_id(value: int) -> None:
    st.session_state[_SESSION_ID] = value


def forget_login() -> None:
    """Log ud, or a session that ended: nothing of the viewer stays in this tab."""
    for key in (_SESSION_ID, _VIEWER, _VIEWER_UNITS, _FILTERS):
        st.session_state.pop(key, None)


# The filters of this run (set by app.py before the page runs)
def filters() -> Filters | None:
    return st.session_state.get(_FILTERS)


def set_filters(value: Filters) -> None:
    st.session_state[_FILTERS] = value


# The store's data version read at the start of this run: part of every cache key
def data_version() -> int:
    return int(st.session_state.get(_DATA_VERSION, 0))


def set_data_version(value: int) -> None:
    st.session_state[_DATA_VERSION] = value


# The layer pages of the navigation, by layer id (for links from the overview)
def layer_pages() -> dict[str, st.Page]:
    return dict(st.session_state.get(_LAYER_PAGES, {}))


def set_layer_pages(pages: dict[str, st.Page]) -> None:
    st.session_state[_LAYER_PAGES] = pages


# Whether the page named in the URL (?side=…) has been followed once in this session
def side_followed() -> bool:
    return bool(st.session_state.get(_SIDE_FOLLOWED, False))


def mark_side_followed() -> None:
    st.session_state[_SIDE_FOLLOWED] = True


# The saved view shown (its name), if the filters came from one
def active_view() -> str | None:
    return st.session_state.get(_ACTIVE_VIEW) or None


def set_active_view(name: str) -> None:
    st.session_state[_ACTIVE_VIEW] = name


# Whether the meeting page has opened the standard view in this session
def standard_view_applied() -> bool:
    return bool(st.session_state.get(_STANDARD_VIEW_APPLIED, False))


def mark_standard_view_applied() -> None:
    st.session_state[_STANDARD_VIEW_APPLIED] = True


# The meeting's section on screen (0 = the summary)
def meeting_section() -> int:
    return int(st.session_state.get(_MEETING_SECTION, 0))


def set_meeting_section(index: int) -> None:
    st.session_state[_MEETING_SECTION] = index


@dataclass(frozen=True)
class MadePack:
    """A meeting pack made in this session, offered for download until the next one."""

    files: dict[str, bytes]
    unit_code: str
    pack_id: int
    meeting_date: dt.date


def meeting_pack() -> MadePack | None:
    return st.session_state.get(_MEETING_PACK)


def set_meeting_pack(pack: MadePack) -> None:
    st.session_state[_MEETING_PACK] = pack


# Whether the filter widgets' state was kept on a page without filters (ui.filters.keep_filters)
# and must be handed back to the widgets when they are drawn again
def filters_kept() -> bool:
    return bool(st.session_state.get(_FILTERS_KEPT, False))


def set_filters_kept(value: bool) -> None:
    st.session_state[_FILTERS_KEPT] = value


# The chosen period range, kept across reruns while the list of periods changes
def period_range() -> tuple[str, str] | None:
    if _PERIOD_FROM not in st.session_state or _PERIOD_TO not in st.session_state:
        return None
    return st.session_state[_PERIOD_FROM], st.session_state[_PERIOD_TO]


def set_period_range(period_from: str, period_to: str) -> None:
    st.session_state[_PERIOD_FROM], st.session_state[_PERIOD_TO] = period_from, period_to


# The meeting's "Mødet viser" choice (a saved view's name, or the sidebar): a widget key, seeded
# and set from the sidebar's saved views here
MEETING_VIEW = "meeting_view"


def meeting_view_choice() -> str | None:
    return st.session_state.get(MEETING_VIEW)


def set_meeting_view_choice(name: str) -> None:
    st.session_state[MEETING_VIEW] = name


# Part of the layer charts' keys: bumped to clear a chart's point selection ("Tilbage")
def chart_generation() -> int:
    return int(st.session_state.get(_CHART_GENERATION, 0))


def bump_chart_generation() -> None:
    st.session_state[_CHART_GENERATION] = chart_generation() + 1
