"""The analysis tables (flows, time in yellow, completeness): written by the refresh, read by the
pages. Every loader takes the viewer's scope and filters in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa
from polars._typing import PolarsDataType
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel, col

from data_access.flow_models import (
    AssessmentCompleteness,
    PositionFlow,
    YellowSummary,
    YellowSurvival,
)
from data_access.models import DataVersion
from data_access.raw import read_frame
from data_access.scope import Scope, units_in_scope_clause
from data_access.tables import table_of
from indicators.flows import FLOW_SCHEMA, SUMMARY_SCHEMA, SURVIVAL_SCHEMA

COMPLETENESS_COLUMNS: dict[str, PolarsDataType] = {
    "unit_id": pl.Int64, "period": pl.Utf8, "enrolled": pl.Int64,
    "assessed": pl.Int64, "completeness": pl.Float64, "withheld": pl.Boolean}
TABLES: tuple[type[SQLModel], ...] = (
    PositionFlow, YellowSurvival, YellowSummary, AssessmentCompleteness)


def replace_analysis_tables(conn: Connection, *, flows: pl.DataFrame, survival: pl.DataFrame,
                            summary: pl.DataFrame, completeness: pl.DataFrame,
                            flow_rounds: list[str] | None = None) -> int:
    """Replace the four tables' rows (in the refresh's transaction). Returns the rows written.

    ``flow_rounds`` (the incremental refresh): replace only the flows from these rounds."""
    written = 0
    for model, frame in zip(TABLES, (flows, survival, summary, completeness), strict=True):
        table = table_of(model)
        if model is PositionFlow and flow_rounds is not None:
            conn.execute(sa.delete(table).where(table.c.from_round.in_(flow_rounds)))
        else:
            conn.execute(sa.delete(table))
        columns = [c.name for c in table.columns if c.name != "id"]
        rows = frame.select(columns)
        for chunk in rows.iter_slices(20_000):
            conn.execute(sa.insert(table), chunk.to_dicts())
        written += rows.height
    return written


def _in_scope(column: sa.ColumnElement, scope: Scope) -> sa.ColumnElement:
    return units_in_scope_clause(column, scope)


def flow_rounds(engine: Engine, *, scope: Scope, unit_id: int) -> list[str]:
    """The from-rounds with a stored flow table for the unit (empty when out of scope)."""
    t = table_of(PositionFlow)
    stmt = sa.select(t.c.from_round).where(t.c.unit_id == unit_id,
                                           _in_scope(t.c.unit_id, scope)).distinct()
    with engine.connect() as conn:
        return sorted(row[0] for row in conn.execute(stmt))


def load_position_flows(engine: Engine, *, scope: Scope, unit_id: int,
                        from_round: str) -> pl.DataFrame:
    """One unit's published flow table (``FLOW_SCHEMA``, 16 rows) or an empty frame."""
    t = table_of(PositionFlow)
    stmt = sa.select(*[t.c[c] for c in FLOW_SCHEMA]).where(
        t.c.unit_id == unit_id, t.c.from_round == from_round, _in_scope(t.c.unit_id, scope))
    with engine.connect() as conn:
        return read_frame(conn, stmt, FLOW_SCHEMA)


def load_yellow_survival(engine: Engine, *, scope: Scope, unit_id: int,
                         entry_round: str) -> pl.DataFrame:
    t = table_of(YellowSurvival)
    stmt = sa.select(*[t.c[c] for c in SURVIVAL_SCHEMA]).where(
        t.c.unit_id == unit_id, t.c.entry_round == entry_round, _in_scope(t.c.unit_id, scope)
    ).order_by(t.c.rounds)
    with engine.connect() as conn:
        return read_frame(conn, stmt, SURVIVAL_SCHEMA)


def load_yellow_summary(engine: Engine, *, scope: Scope, unit_id: int,
                        entry_round: str) -> pl.DataFrame:
    t = table_of(YellowSummary)
    stmt = sa.select(*[t.c[c] for c in SUMMARY_SCHEMA]).where(
        t.c.unit_id == unit_id, t.c.entry_round == entry_round, _in_scope(t.c.unit_id, scope))
    with engine.connect() as conn:
        return read_frame(conn, stmt, SUMMARY_SCHEMA)


def load_completeness(engine: Engine, *, scope: Scope, unit_ids: Sequence[int],
                      period_from: str, period_to: str) -> pl.DataFrame:
    """Completeness of the given units (in scope, or above it as benchmarks) and periods."""
    t = table_of(AssessmentCompleteness)
    stmt = sa.select(*[t.c[c] for c in COMPLETENESS_COLUMNS]).where(
        t.c.unit_id.in_(list(unit_ids)), t.c.period >= period_from, t.c.period <= period_to,
        units_in_scope_clause(t.c.unit_id, scope, with_ancestors=True))
    with engine.connect() as conn:
        return read_frame(conn, stmt, COMPLETENESS_COLUMNS)


def data_changed_at(engine: Engine) -> dt.datetime | None:
    """The moment of the last change of data (import, refresh), in UTC; None before any."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(col(DataVersion.changed_at)).where(col(DataVersion.id) == 1)).scalar()
