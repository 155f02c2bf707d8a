"""The analytics table (``indicator_value``): written by the refresh, read by every page."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa
from polars._typing import PolarsDataType
from sqlalchemy.engine import Connection, Engine

from data_access.models import IndicatorValue
from data_access.raw import read_frame
from data_access.scope import Scope, units_in_scope_clause
from indicators.engine import VALUE_SCHEMA

# The stored columns: the engine's value schema plus the indicator it belongs to.
VALUE_COLUMNS: dict[str, PolarsDataType] = {"indicator_id": pl.Utf8, **VALUE_SCHEMA}


def replace_programme_values(conn: Connection, *, programme_id: str, values: pl.DataFrame) -> int:
    """Replace all stored values of one programme by ``values`` (``VALUE_COLUMNS``)."""
    table = IndicatorValue.__table__
    conn.execute(sa.delete(table).where(table.c.programme_id == programme_id))
    rows = values.select(list(VALUE_COLUMNS)).with_columns(
        pl.lit(programme_id).alias("programme_id")
    )
    for chunk in rows.iter_slices(20_000):
        conn.execute(sa.insert(table), chunk.to_dicts())
    return rows.height


def load_indicator_values(
    engine: Engine,
    *,
    scope: Scope,
    programme_id: str,
    period_from: str,
    period_to: str,
    age_group: str,
    vulnerable_only: bool,
    unit_ids: tuple[int, ...] | None = None,
    with_ancestors: bool = False,
) -> pl.DataFrame:
    """Stored values for the units in ``scope`` (optionally only ``unit_ids``) and periods.

    Returns the requested subgroup and the whole-population rows (``alle``, not vulnerable-only):
    indicators that are not about children only have the latter; :func:`pick_subgroup` chooses.
    """
    t = IndicatorValue.__table__
    stmt = (
        sa.select(*[t.c[name] for name in VALUE_COLUMNS])
        .where(
            t.c.programme_id == programme_id,
            t.c.period >= period_from,
            t.c.period <= period_to,
            t.c.age_group.in_([age_group, "alle"]),
            t.c.vulnerable_only.in_([vulnerable_only, False]),
            units_in_scope_clause(t.c.unit_id, scope, with_ancestors=with_ancestors),
        )
    )
    if unit_ids is not None:
        stmt = stmt.where(t.c.unit_id.in_(unit_ids))
    with engine.connect() as conn:
        return read_frame(conn, stmt, VALUE_COLUMNS)


def available_periods(engine: Engine, *, programme_id: str) -> list[str]:
    t = IndicatorValue.__table__
    stmt = sa.select(t.c.period).where(t.c.programme_id == programme_id).distinct()
    with engine.connect() as conn:
        return sorted(row[0] for row in conn.execute(stmt))


def update_statistics(engine: Engine) -> None:
    """Refresh the planner's statistics for the analytics table after it was rewritten.

    Without them SQLite picks a poor plan for the pages' multi-unit lookups (measured on the
    national-size store: 376 ms → 12 ms for one daycare with its benchmarks).
    """
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit=2000")
            conn.exec_driver_sql("ANALYZE indicator_value")
        elif conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE indicator_value")
