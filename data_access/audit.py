"""Reading the audit log (writing is ``accounts.record_event``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import sqlalchemy as sa
from polars._typing import PolarsDataType
from sqlalchemy.engine import Engine

from data_access.models import AuditEvent
from data_access.raw import read_frame
from data_access.tables import table_of

DANISH_TIME = ZoneInfo("Europe/Copenhagen")

AUDIT_SCHEMA: dict[str, PolarsDataType] = {
    "at": pl.Datetime, "username": pl.Utf8, "action": pl.Utf8, "detail": pl.Utf8,
    "rows": pl.Int64,
}


def load_audit_events(engine: Engine, *, since: dt.date, until: dt.date,
                      actions: tuple[str, ...] = (), username: str = "",
                      limit: int = 5000) -> pl.DataFrame:
    """Newest first, between two Danish calendar days (inclusive), optionally by action and
    username. ``at`` is stored in UTC; the days start at Danish midnight."""
    t = table_of(AuditEvent)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=DANISH_TIME).astimezone(dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min,
                              tzinfo=DANISH_TIME).astimezone(dt.UTC)
    stmt = (sa.select(t.c.at, t.c.username, t.c.action, t.c.detail, t.c.rows)
            .where(t.c.at >= start, t.c.at < end).order_by(t.c.at.desc()).limit(limit))
    if actions:
        stmt = stmt.where(t.c.action.in_(actions))
    if username:
        stmt = stmt.where(t.c.username == username)
    with engine.connect() as conn:
        return read_frame(conn, stmt, AUDIT_SCHEMA)
