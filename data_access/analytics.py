"""The analytics table (``indicator_value``): written by the refresh, read by every page."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from polars._typing import PolarsDataType
from sqlalchemy.engine import Connection, Engine

from data_access.models import IndicatorValue
from data_access.raw import read_frame
from data_access.scope import Scope, units_in_scope_clause
from data_access.tables import table_of
from indicators.engine import VALUE_SCHEMA

try:  # Optional: bulk ingest into the refresh's staging file (pip adbc-driver-sqlite)
    import adbc_driver_sqlite.dbapi as adbc_sqlite
except ImportError:  # pragma: no cover - the executemany path is tested on its own
    adbc_sqlite = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

# The stored columns: the engine's value schema plus the indicator it belongs to.
VALUE_COLUMNS: dict[str, PolarsDataType] = {"indicator_id": pl.Utf8, **VALUE_SCHEMA}


def bulk_insert(conn: Connection, table: sa.TableClause, rows: pl.DataFrame) -> int:
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


def value_rows(programme_id: str, values: pl.DataFrame) -> pl.DataFrame:
    """``values`` as the table's rows: the programme, then ``VALUE_COLUMNS`` in their types."""
    return values.select(
        pl.lit(programme_id, dtype=pl.Utf8).alias("programme_id"),
        *[pl.col(name).cast(dtype) for name, dtype in VALUE_COLUMNS.items()],
    )


@contextmanager
def value_writer(conn: Connection) -> Iterator[ValueWriter]:
    """A :class:`ValueWriter` on ``conn``: the programmes written replace their stored values
    when the block ends without an error."""
    with tempfile.TemporaryDirectory(prefix="value-stage-") as folder:
        writer = ValueWriter(conn, Path(folder))
        yield writer
        writer.finish()


class ValueWriter:
    """Replaces the stored values of the programmes it is given, in bulk, inside ``conn``'s
    transaction. Open it with :func:`value_writer` and :meth:`write` each programme's values
    as they are computed: the writer keeps none of them in memory.

    PostgreSQL: each :meth:`write` deletes the programme's rows and ``COPY``s the new ones; the
    indexes stay (no lock that would block the pages). SQLite: each :meth:`write` appends the
    rows to a staging table (a file of its own written through ADBC's bulk ingest when
    ``adbc-driver-sqlite`` is installed, else a TEMP table by ``executemany``); at the end the
    written programmes' rows are deleted, the table's secondary indexes dropped, the staged
    rows copied in by one ``INSERT … SELECT`` and the indexes built once (SQLite's DDL is
    transactional, and readers in WAL mode keep the committed table meanwhile). Everything is
    in the caller's transaction: rolled back, nothing changed.
    """

    def __init__(self, conn: Connection, folder: Path) -> None:
        self.conn = conn
        self.table = table_of(IndicatorValue)
        self.written: list[str] = []
        self._sqlite = conn.dialect.name == "sqlite"
        self._stage_file = folder / "values.sqlite"
        self._temp_table: str | None = None

    def write(self, programme_id: str, values: pl.DataFrame) -> int:
        """Replace ``programme_id``'s values by ``values`` (``VALUE_SCHEMA`` plus
        ``indicator_id``); returns the rows written."""
        if programme_id in self.written:
            raise ValueError(f"{programme_id} is written twice")
        self.written.append(programme_id)
        rows = value_rows(programme_id, values)
        if not self._sqlite:
            self.conn.execute(sa.delete(self.table).where(
                self.table.c.programme_id == programme_id))
            return bulk_insert(self.conn, self.table, rows)
        if rows.is_empty():
            return 0
        if adbc_sqlite is not None and self._temp_table is None:
            # A file only this driver opens (its own SQLite copy must never open the store).
            with adbc_sqlite.connect(str(self._stage_file)) as stage, stage.cursor() as cur:
                cur.adbc_ingest(STAGE_TABLE, rows.to_arrow(), mode="create_append")
                stage.commit()
            return rows.height
        if self._temp_table is None:
            self._temp_table = f"temp.{STAGE_TABLE}"
            columns = ", ".join(rows.columns)
            self.conn.exec_driver_sql(f"CREATE TEMP TABLE {STAGE_TABLE} ({columns})")
        return bulk_insert(self.conn, sa.table(STAGE_TABLE, *[sa.column(c) for c in rows.columns],
                                               schema="temp"), rows)

    def finish(self) -> None:
        """SQLite: move the staged rows into the table (see the class)."""
        if not self._sqlite or not self.written:
            return
        conn, table = self.conn, self.table
        dbapi = conn.connection.dbapi_connection
        if not dbapi.in_transaction:  # type: ignore[union-attr]
            # pysqlite opens a transaction only before DML; the DDL below must be inside it.
            conn.exec_driver_sql("BEGIN")
        source = self._temp_table
        if source is None and self._stage_file.exists():
            source = f"{_attach_stage(conn, self._stage_file)}.{STAGE_TABLE}"
        for index in table.indexes:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
        others = sa.select(sa.func.count()).select_from(table).where(
            table.c.programme_id.not_in(self.written))
        if conn.execute(others).scalar_one() == 0:
            conn.execute(sa.delete(table))  # SQLite: the truncate optimisation
        else:
            conn.execute(sa.delete(table).where(table.c.programme_id.in_(self.written)))
        if source is not None:
            columns = ", ".join(["programme_id", *VALUE_COLUMNS])
            conn.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) "  # noqa: S608
                                 f"SELECT {columns} FROM {source}")
        if self._temp_table is not None:
            conn.exec_driver_sql(f"DROP TABLE {self._temp_table}")
        for index in table.indexes:
            index.create(conn)


STAGE_TABLE = "value_stage"
STAGE_ALIAS = "value_stage_"


def _attach_stage(conn: Connection, path: Path) -> str:
    """Attach the staging file to ``conn`` under a fresh alias; returns the alias.

    SQLite cannot detach inside a transaction, so :func:`_detach_stages` does it when the
    connection goes back to its pool (registered here on the connection's engine)."""
    engine = conn.engine
    if not sa.event.contains(engine, "checkin", _detach_stages):
        sa.event.listen(engine, "checkin", _detach_stages)
    attached = {row[1] for row in conn.exec_driver_sql("PRAGMA database_list")}
    alias = next(f"{STAGE_ALIAS}{k}" for k in range(len(attached) + 1)
                 if f"{STAGE_ALIAS}{k}" not in attached)
    conn.exec_driver_sql(f"ATTACH DATABASE ? AS {alias}", (str(path),))
    return alias


def _detach_stages(dbapi_conn: Any, _record: object) -> None:
    """Detach the staging files a writer attached (their files are already deleted)."""
    cursor = dbapi_conn.cursor()
    try:
        names = [row[1] for row in cursor.execute("PRAGMA database_list").fetchall()]
        for name in names:
            if name.startswith(STAGE_ALIAS):
                cursor.execute(f"DETACH DATABASE {name}")
    except Exception:  # noqa: BLE001 - harmless: the next writer attaches under a new alias
        log.warning("could not detach a staging file", exc_info=True)
    finally:
        cursor.close()


def replace_partitions(conn: Connection, values: dict[str, pl.DataFrame],
                       partitions: dict[str, list[str]]) -> int:
    """Replace the stored values of some (programme, period) partitions by ``values`` (one frame
    per programme, holding only those periods), in ``conn``'s transaction. A small write: the
    indexes stay (the period index finds the rows to delete)."""
    table = table_of(IndicatorValue)
    rows = 0
    for programme_id, periods in partitions.items():
        if not periods or programme_id not in values:
            continue
        conn.execute(sa.delete(table).where(table.c.programme_id == programme_id,
                                            table.c.period.in_(periods)))
        rows += bulk_insert(conn, table, value_rows(programme_id, values[programme_id].filter(
            pl.col("period").is_in(periods))))
    return rows


def replace_programme_values(conn: Connection, *, programme_id: str, values: pl.DataFrame) -> int:
    """Replace all stored values of one programme by ``values`` (``VALUE_COLUMNS``)."""
    with value_writer(conn) as writer:
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
