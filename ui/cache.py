"""Cached loaders: the only place pages get data from.

Every function takes plain hashable arguments: the database URL, the filter values, the viewer's
scope (so two viewers never share an entry they should not) and the data version (so an import in
any process shows up at the next rerun, without a restart).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data_access import analyses, analytics, rankings
from data_access import scope as scope_access
from data_access.db import data_version, get_engine
from data_access.scope import Scope

TTL_SECONDS = 3600


def current_data_version(url: str) -> int:
    return data_version(get_engine(url))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=200)
def org_units(url: str, scope: Scope, version: int) -> pl.DataFrame:
    return scope_access.load_org_units(get_engine(url), scope=scope)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=200)
def ancestors(url: str, unit_id: int, version: int) -> pl.DataFrame:
    return scope_access.load_ancestors(get_engine(url), unit_id=unit_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=50)
def periods(url: str, programme_id: str, version: int) -> list[str]:
    return analytics.available_periods(get_engine(url), programme_id=programme_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner="Henter indikatorværdier …", max_entries=500)
def indicator_values(
    url: str, scope: Scope, programme_id: str, period_from: str, period_to: str, age_group: str,
    vulnerable_only: bool, unit_ids: tuple[int, ...], version: int,
) -> pl.DataFrame:
    """Values for the given units: units in scope, plus their ancestors as benchmarks."""
    return analytics.load_indicator_values(
        get_engine(url), scope=scope, programme_id=programme_id, period_from=period_from,
        period_to=period_to, age_group=age_group, vulnerable_only=vulnerable_only,
        unit_ids=unit_ids, with_ancestors=True,
    )


# --- Analyses (issue 15): flows, time in yellow, completeness, one indicator's period ----------


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=200)
def flow_rounds(url: str, scope: Scope, unit_id: int, version: int) -> list[str]:
    return analyses.flow_rounds(get_engine(url), scope=scope, unit_id=unit_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=500)
def position_flows(url: str, scope: Scope, unit_id: int, from_round: str,
                   version: int) -> pl.DataFrame:
    return analyses.load_position_flows(get_engine(url), scope=scope, unit_id=unit_id,
                                        from_round=from_round)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=500)
def yellow_survival(url: str, scope: Scope, unit_id: int, entry_round: str,
                    version: int) -> pl.DataFrame:
    return analyses.load_yellow_survival(get_engine(url), scope=scope, unit_id=unit_id,
                                         entry_round=entry_round)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=500)
def yellow_summary(url: str, scope: Scope, unit_id: int, entry_round: str,
                   version: int) -> pl.DataFrame:
    return analyses.load_yellow_summary(get_engine(url), scope=scope, unit_id=unit_id,
                                        entry_round=entry_round)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=500)
def completeness(url: str, scope: Scope, unit_ids: tuple[int, ...], period_from: str,
                 period_to: str, version: int) -> pl.DataFrame:
    return analyses.load_completeness(get_engine(url), scope=scope, unit_ids=unit_ids,
                                      period_from=period_from, period_to=period_to)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=500)
def indicator_period_values(
    url: str, scope: Scope, programme_id: str, indicator_id: str, period: str, age_group: str,
    vulnerable_only: bool, unit_ids: tuple[int, ...], version: int,
) -> pl.DataFrame:
    """One indicator in one period for the given units (the funnel and the drill-through)."""
    return rankings.load_indicator_period(
        get_engine(url), scope=scope, programme_id=programme_id, indicator_id=indicator_id,
        period=period, age_group=age_group, vulnerable_only=vulnerable_only, unit_ids=unit_ids)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=50)
def data_changed_at(url: str, version: int) -> dt.datetime | None:
    """When the data last changed (the last import or refresh), for "Data opdateret den …"."""
    return analyses.data_changed_at(get_engine(url))
