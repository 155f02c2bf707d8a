"""The plain baseline the refresh is measured against: a straightforward polars script.

It reads the same raw tables with the same selects (Arrow through ADBC: PostgreSQL's driver, or
SQLite's when ``adbc-driver-sqlite`` is installed, else the ``sqlite3`` cursor), computes the same
values with the same computations and engine (``pipeline.refresh.compute_programme_values``), and
writes them into a fresh table whose index is built once, in one transaction. Nothing else: no
ORM, no data version, no statistics.

``suppress=False`` switches the secondary suppression off (primary suppression, n < min_n, stays):
the cost of the privacy guarantee is the difference.

It runs in a process of its own (``bench.steps``): the ADBC SQLite driver links its own copy of
SQLite, which must not share a process with ``sqlite3`` connections to the same file.
"""

from __future__ import annotations

import time
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core.model_config import ChangeModelConfig
from data_access.raw import DATED_COLUMNS, _by_name, _origins, _statements, _stored_type
from indicators.periods import period_of, periods_frame
from indicators.sources import SCHEMAS, Sources

PLAIN_TABLE = "plain_indicator_value"
LOOKUP = "(programme_id, unit_id, age_group, vulnerable_only, period)"


def _connect(url: str) -> tuple[Any, str]:
    """A DB-API connection and the name of the reader used."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        import adbc_driver_postgresql.dbapi as adbc_pg

        uri = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        return adbc_pg.connect(uri), "adbc-postgresql"
    try:
        import adbc_driver_sqlite.dbapi as adbc_sqlite
    except ImportError:
        import sqlite3

        return sqlite3.connect(parsed.database or ":memory:"), "sqlite3"
    return adbc_sqlite.connect(parsed.database or ":memory:"), "adbc-sqlite"


def _read(conn: Any, reader: str, sql: str, schema: dict) -> pl.DataFrame:
    cur = conn.cursor()
    try:
        if reader == "adbc-sqlite":  # type inference over the whole result, not its first rows
            cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(2**30)})
        cur.execute(sql)
        if reader.startswith("adbc"):
            frame = pl.from_arrow(cur.fetch_arrow_table())
        else:
            stored = {name: _stored_type(dtype) for name, dtype in schema.items()}
            frame = pl.DataFrame(cur.fetchall(), schema=stored, orient="row")
    finally:
        cur.close()
    assert isinstance(frame, pl.DataFrame)
    return _by_name(frame.columns, schema, frame)


def _dated_columns() -> list[tuple[str, str]]:
    """``DATED_COLUMNS`` as (source frame, column): the frame whose select starts at the
    column's table (as ``data_access.raw.date_range`` reads them)."""
    frame_of = {origin.tables[0].__tablename__: name for name, origin in _origins().items()}
    return [(frame_of[c.table.name], c.name) for c in DATED_COLUMNS]


def _periods(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The reporting periods from the first to the last dated activity (as the refresh)."""
    dates = pl.concat([frames[frame].select(pl.col(column).alias("d"))
                       for frame, column in _dated_columns()]).drop_nulls()
    if dates.is_empty():
        return periods_frame("2000H1", "1999H2")
    first, last = dates.select(pl.col("d").min().alias("first"),
                               pl.col("d").max().alias("last")).row(0)
    return periods_frame(period_of(first), period_of(last))


def _write(conn: Any, reader: str, values: pl.DataFrame) -> None:
    cur = conn.cursor()
    try:
        cur.execute(f"DROP TABLE IF EXISTS {PLAIN_TABLE}")
        if reader.startswith("adbc"):
            cur.adbc_ingest(PLAIN_TABLE, values.to_arrow(), mode="create")
        else:
            columns = ", ".join(values.columns)
            cur.execute(f"CREATE TABLE {PLAIN_TABLE} ({columns})")
            marks = ", ".join("?" for _ in values.columns)
            cur.executemany(f"INSERT INTO {PLAIN_TABLE} VALUES ({marks})",  # noqa: S608
                            values.iter_rows())
        cur.execute(f"CREATE INDEX ix_{PLAIN_TABLE}_lookup ON {PLAIN_TABLE} {LOOKUP}")
    finally:
        cur.close()
    conn.commit()


def run_plain(url: str, config: ChangeModelConfig, *, suppress: bool) -> dict[str, Any]:
    """Read, compute and write once; seconds per step and the rows written."""
    import indicators.engine as engine_module
    from pipeline.refresh import compute_programme_values

    if not suppress:
        if not hasattr(engine_module, "secondary_suppression"):
            raise RuntimeError("indicators.engine no longer calls secondary_suppression: "
                               "update bench/baseline.py")
        engine_module.secondary_suppression = lambda values, **_: values
    dialect = (postgresql.psycopg.dialect() if url.startswith("postgresql")
               else sqlite.dialect())
    started = time.perf_counter()
    conn, reader = _connect(url)
    frames = {name: _read(conn, reader, str(stmt.compile(dialect=dialect)), SCHEMAS[name])
              for name, stmt in _statements().items()}
    read = time.perf_counter()
    sources = Sources(periods=_periods(frames), **frames)
    values = pl.concat([
        compute_programme_values(programme, sources)
        .with_columns(pl.lit(programme.id).alias("programme_id"))
        for programme in config.programmes
    ])
    computed = time.perf_counter()
    _write(conn, reader, values)
    written = time.perf_counter()
    conn.close()
    return {"reader": reader, "rows": values.height, "read_seconds": read - started,
            "compute_seconds": computed - read, "write_seconds": written - computed,
            "seconds": written - started}


def same_as_the_refresh(url: str) -> bool:
    """True when the plain table holds exactly the refresh's values (every cell, every row)."""
    from data_access.analytics import VALUE_COLUMNS
    from data_access.db import get_engine
    from data_access.raw import read_frame

    columns = {"programme_id": pl.Utf8, **VALUE_COLUMNS}
    engine = get_engine(url)
    key = ["programme_id", "indicator_id", "unit_id", "period", "age_group", "vulnerable_only"]
    with engine.connect() as conn:
        frames = [
            read_frame(conn, sa.select(*[sa.column(c) for c in columns])
                       .select_from(sa.table(name)), columns, bulk=True).sort(key)
            for name in ("indicator_value", PLAIN_TABLE)
        ]
    return frames[0].equals(frames[1])


def drop_plain_table(url: str) -> None:
    from data_access.db import get_engine

    with get_engine(url).begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {PLAIN_TABLE}")
