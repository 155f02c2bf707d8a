"""The app's long-lived objects (settings, change model, engine) and the viewer."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.engine import Engine

from core.model_config import ChangeModelConfig, ProgrammeSpec, load_programmes
from core.settings import Settings, load_settings
from data_access.db import get_engine
from data_access.scope import Scope, is_aggregates_only
from indicators.registry import COMPUTATIONS
from indicators.summary import IndicatorMeta


@st.cache_resource
def app_settings() -> Settings:
    return load_settings()


@st.cache_resource
def change_model() -> ChangeModelConfig:
    return load_programmes(app_settings().config_path)


def engine() -> Engine:
    return get_engine(app_settings().database_url)


@dataclass(frozen=True)
class Viewer:
    username: str
    display_name: str
    roles: tuple[str, ...]
    scope: Scope

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def aggregates_only(self) -> bool:
        """The steering group sees areas and up, never single institutions."""
        return is_aggregates_only(self.roles)


def current_viewer() -> Viewer:
    viewer = st.session_state.get("viewer")
    if viewer is None:  # app.py always sets it before a page runs
        st.stop()
    return viewer


def indicator_metas(programme: ProgrammeSpec) -> dict[str, IndicatorMeta]:
    return {
        spec.id: IndicatorMeta(
            id=spec.id, name=spec.name, unit=spec.unit, direction=spec.direction,
            baseline=spec.baseline, target=spec.target,
            subgroups=COMPUTATIONS[spec.computation].subgroups,
        )
        for spec in programme.indicators()
    }
