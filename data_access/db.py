"""The store: one engine per URL, schema creation and the data version.

The same code path serves SQLite (default, demo) and PostgreSQL (production).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from data_access import models  # noqa: F401  (registers the tables)


class DatabaseUnavailable(Exception):
    """The store cannot be reached right now."""


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine (and connection pool) per URL for the whole process."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    # pool_pre_ping: a connection that died with a database restart is replaced, not used.
    return sa.create_engine(url, pool_pre_ping=True, pool_recycle=1800)


def create_schema(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        exists = conn.execute(sa.select(models.DataVersion.version)).first()
        if exists is None:
            conn.execute(sa.insert(models.DataVersion).values(id=1, version=0))


def drop_schema(engine: Engine) -> None:
    SQLModel.metadata.drop_all(engine)


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction: everything inside is written, or nothing is."""
    with engine.begin() as conn:
        yield conn


def data_version(engine: Engine) -> int:
    """The current data version; bumped by every import, demo build and refresh."""
    try:
        with engine.connect() as conn:
            value = conn.execute(
                sa.select(models.DataVersion.version).where(models.DataVersion.id == 1)
            ).scalar()
    except sa.exc.OperationalError as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    return int(value or 0)


def bump_data_version(conn: Connection) -> None:
    conn.execute(
        sa.update(models.DataVersion)
        .where(models.DataVersion.id == 1)
        .values(version=models.DataVersion.version + 1, changed_at=dt.datetime.now(dt.UTC))
    )
