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

from data_access.analytics import bulk_insert
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
from indicators.incremental import WHOLE, AnalysisParts

COMPLETENESS_COLUMNS: dict[str, PolarsDataType] = {
    "unit_id": pl.Int64, "period": pl.Utf8, "enrolled": pl.Int64,
    "assessed": pl.Int64, "completeness": pl.Float64, "withheld": pl.Boolean}
TABLES: tuple[type[SQLModel], ...] = (
    PositionFlow, YellowSurvival, YellowSummary, AssessmentCompleteness)


def replace_analysis_tables(conn: Connection, *, flows: pl.DataFrame, survival: pl.DataFrame,
                            summary: pl.DataFrame, completeness: pl.DataFrame,
                            parts: AnalysisParts = WHOLE) -> int:
    """Replace the four tables' rows (in the refresh's transaction), in bulk
    (:func:`data_access.analytics.bulk_insert`). Returns the rows written.

    ``parts`` (the incremental refresh): replace only the flows from these rounds, the time in
    yellow of these entry rounds and the completeness of these periods (the frames hold those
    rows only); a table whose part is empty is left as it is."""
    written = 0
    chosen = (parts.flow_rounds, parts.entry_rounds, parts.entry_rounds, parts.periods)
    for model, frame, part in zip(TABLES, (flows, survival, summary, completeness), chosen,
                                  strict=True):
        if part is not None and not part:
            continue
        table = table_of(model)
        if part is None:
            conn.execute(sa.delete(table))
        else:
            conn.execute(sa.delete(table).where(table.c[_ROUND[model]].in_(list(part))))
        written += bulk_insert(conn, table, frame.select(
            [c.name for c in table.columns if c.name != "id"]))
    return written


# The column by which each table is replaced in parts.
_ROUND: dict[type[SQLModel], str] = {
    PositionFlow: "from_round", YellowSurvival: "entry_round", YellowSummary: "entry_round",
    AssessmentCompleteness: "period"}


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
