"""The analytics table (``indicator_value``): written by the refresh, read by every page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
import sqlalchemy as sa
from polars._typing import PolarsDataType
from sqlalchemy.engine import Connection, Engine

from data_access.models import IndicatorValue
from data_access.raw import read_frame
from data_access.scope import Scope, units_in_scope_clause
from data_access.tables import table_of
from indicators.engine import VALUE_SCHEMA

# The stored columns: the engine's value schema plus the indicator it belongs to.
VALUE_COLUMNS: dict[str, PolarsDataType] = {"indicator_id": pl.Utf8, **VALUE_SCHEMA}


class ValueWriter:
    """Replaces the stored values of some programmes in bulk, inside ``conn``'s transaction.

    Open it with :func:`value_writer`; :meth:`write` each programme's values. On SQLite the
    table's secondary indexes are dropped first and built once at the end (SQLite's DDL is
    transactional, and readers in WAL mode keep the committed table meanwhile); rows go in by
    ``executemany`` of tuples on the same connection. On PostgreSQL the rows go in by ``COPY``
    on the same connection and the indexes stay (no lock that would block the pages).
    Everything is in the caller's transaction: rolled back, nothing changed.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.table = table_of(IndicatorValue)

    def write(self, programme_id: str, values: pl.DataFrame) -> int:
        rows = values.select(
            pl.lit(programme_id, dtype=pl.Utf8).alias("programme_id"),
            *[pl.col(name).cast(dtype) for name, dtype in VALUE_COLUMNS.items()],
        )
        return bulk_insert(self.conn, self.table, rows)


def bulk_insert(conn: Connection, table: sa.Table, rows: pl.DataFrame) -> int:
    """Insert ``rows`` (columns named as ``table``'s, typed) into ``table``, in bulk on
    ``conn``'s own connection and transaction; returns the rows inserted.

    PostgreSQL: ``COPY … FROM STDIN (FORMAT csv)``. SQLite: ``executemany`` of row tuples
    straight into the driver (no dicts, no SQLAlchemy per row).
    """
    if rows.is_empty():
        return 0
    dbapi = conn.connection.dbapi_connection
    names = ", ".join(rows.columns)
    if conn.dialect.name == "postgresql":
        copy_sql = f"COPY {table.name} ({names}) FROM STDIN (FORMAT csv)"
        with dbapi.cursor() as cur, cur.copy(copy_sql) as copy:  # type: ignore[union-attr]
            for chunk in rows.iter_slices(200_000):
                # Shortest round-trip floats; NULL is an unquoted empty field.
                copy.write(chunk.write_csv(include_header=False))
    else:
        insert = sa.insert(table).values({c: sa.bindparam(c) for c in rows.columns})
        cursor = dbapi.cursor()  # type: ignore[union-attr]
        try:  # sqlite3 takes any iterable of rows (SQLAlchemy's DBAPI stub says Sequence).
            cursor.executemany(str(insert.compile(dialect=conn.dialect)),
                               rows.iter_rows())  # type: ignore[arg-type]
        finally:
            cursor.close()
    return rows.height


@contextmanager
def value_writer(conn: Connection, *, programme_ids: list[str]) -> Iterator[ValueWriter]:
    """Delete the stored values of ``programme_ids``; the writer then adds the new ones."""
    table = table_of(IndicatorValue)
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        dbapi = conn.connection.dbapi_connection
        if not dbapi.in_transaction:  # type: ignore[union-attr]
            # pysqlite opens a transaction only before DML; the DDL below must be inside it.
            conn.exec_driver_sql("BEGIN")
        for index in table.indexes:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
    others = sa.select(sa.func.count()).select_from(table).where(
        table.c.programme_id.not_in(programme_ids))
    if conn.execute(others).scalar_one() == 0:
        conn.execute(sa.delete(table))  # SQLite: the truncate optimisation
    else:
        conn.execute(sa.delete(table).where(table.c.programme_id.in_(programme_ids)))
    yield ValueWriter(conn)
    if sqlite:
        for index in table.indexes:
            index.create(conn)


def replace_partitions(conn: Connection, values: dict[str, pl.DataFrame],
                       partitions: dict[str, list[str]]) -> int:
    """Replace the stored values of some (programme, period) partitions by ``values`` (one frame
    per programme, holding only those periods), in ``conn``'s transaction. A small write: the
    indexes stay (the period index finds the rows to delete)."""
    table = table_of(IndicatorValue)
    writer = ValueWriter(conn)
    rows = 0
    for programme_id, periods in partitions.items():
        if not periods or programme_id not in values:
            continue
        conn.execute(sa.delete(table).where(table.c.programme_id == programme_id,
                                            table.c.period.in_(periods)))
        rows += writer.write(programme_id, values[programme_id].filter(
            pl.col("period").is_in(periods)))
    return rows


def replace_programme_values(conn: Connection, *, programme_id: str, values: pl.DataFrame) -> int:
    """Replace all stored values of one programme by ``values`` (``VALUE_COLUMNS``)."""
    with value_writer(conn, programme_ids=[programme_id]) as writer:
        return writer.write(programme_id, values)


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
    t = table_of(IndicatorValue)
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
    t = table_of(IndicatorValue)
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
