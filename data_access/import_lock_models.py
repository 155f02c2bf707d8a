"""The import lock: one row that every import (and every refresh) updates as the first statement
of its transaction, so imports are serialised across app replicas and the CLI.

The row lock (PostgreSQL) or the write lock (SQLite) is held until the transaction ends and is
released by the database when the process dies, so a crashed import never leaves a stale lock.
``holder`` and ``started_at`` name the last import that committed.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel


class ImportLock(SQLModel, table=True):
    __tablename__ = "import_lock"

    id: int = Field(default=1, primary_key=True)
    holder: str | None = Field(default=None, max_length=80)
    started_at: dt.datetime | None = None
