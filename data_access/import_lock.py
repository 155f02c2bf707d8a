"""Take the import lock (see ``import_lock_models``) inside an open transaction."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data_access.import_lock_models import ImportLock
from data_access.tables import table_of

SQLITE_BUSY_TIMEOUT_MS = 30_000  # the engine's own ``timeout=30``, restored afterwards


class ImportBusy(Exception):
    """Another import (or refresh) holds the lock and did not finish within the wait."""


def take_import_lock(conn: Connection, *, holder: str, wait_seconds: float) -> None:
    """Serialise on the lock row; must be the first statement of ``conn``'s transaction.

    Waits up to ``wait_seconds`` for a running import to finish, then raises
    :class:`ImportBusy`. The lock is held until the transaction commits or rolls back.
    """
    table = table_of(ImportLock)
    update = (sa.update(table).where(table.c.id == 1)
              .values(holder=holder[:80], started_at=dt.datetime.now(dt.UTC)))
    wait_ms = max(1, int(wait_seconds * 1000))
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {wait_ms}")
        try:
            updated = conn.execute(update).rowcount
        except sa.exc.OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
                raise ImportBusy from exc
            raise
        conn.exec_driver_sql("SET LOCAL lock_timeout = 0")
    else:
        # The UPDATE is the transaction's first statement, so SQLite waits for the write lock
        # with the busy handler instead of failing on a stale snapshot.
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {wait_ms}")
        try:
            updated = conn.execute(update).rowcount
        except sa.exc.OperationalError as exc:
            if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                raise ImportBusy from exc
            raise
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    if not updated:  # a store whose lock row was never written
        conn.execute(sa.insert(table).values(id=1, holder=holder[:80],
                                             started_at=dt.datetime.now(dt.UTC)))
