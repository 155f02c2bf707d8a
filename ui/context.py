"""The app's long-lived objects (settings, change model, engine) and a page's inputs.

A page reads its inputs only through ``current_viewer()`` and ``current_filters()`` (a layer page
also gets its layer from its own ``st.Page``, see ``ui.navigation``); it never touches
``st.session_state`` (the keys live in ``ui.session``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st
from sqlalchemy.engine import Engine

from core.capabilities import Capability, has_capability
from core.capabilities import aggregates_only as _aggregates_only
from core.model_config import ChangeModelConfig, ProgrammeSpec, load_programmes
from core.settings import Settings, load_settings
from data_access.db import get_engine
from data_access.scope import Scope
from indicators.registry import COMPUTATIONS
from indicators.summary import IndicatorMeta
from ui import session

if TYPE_CHECKING:
    from ui.filters import Filters


@st.cache_resource
def app_settings() -> Settings:
    return load_settings()


@st.cache_resource
def change_model() -> ChangeModelConfig:
    return load_programmes(app_settings().config_path, computations=COMPUTATIONS)


def engine() -> Engine:
    return get_engine(app_settings().database_url)


@dataclass(frozen=True)
class Viewer:
    username: str
    display_name: str
    roles: tuple[str, ...]
    scope: Scope

    def can(self, capability: Capability) -> bool:
        """Whether one of the viewer's roles has ``capability`` (core.capabilities)."""
        return has_capability(self.roles, capability)

    @property
    def aggregates_only(self) -> bool:
        """A viewer without VIEW_INSTITUTIONS (the steering group) sees areas and up."""
        return _aggregates_only(self.roles)


def current_viewer() -> Viewer:
    """The logged-in viewer (app.py logs in before any page runs)."""
    viewer = session.viewer()
    if viewer is None:
        st.stop()
    return viewer


def current_filters() -> Filters:
    """The filters chosen in the sidebar for this run (app.py sets them before any page runs)."""
    filters = session.filters()
    if filters is None:
        st.stop()
    return filters


def current_view_name() -> str | None:
    """The name of the saved view on screen, when the filters came from one."""
    return session.active_view()


def indicator_metas(programme: ProgrammeSpec) -> dict[str, IndicatorMeta]:
    return {spec.id: IndicatorMeta.of(spec) for spec in programme.indicators()}
