"""Saved views (named filter sets) and the archive of meeting packs."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import sqlalchemy as sa
from polars._typing import PolarsDataType
from sqlalchemy.engine import Engine

from data_access.meeting_models import MeetingPack, SavedView
from data_access.raw import read_frame
from data_access.scope import Scope, units_in_scope_clause

VIEW_COLUMNS: dict[str, PolarsDataType] = {
    "id": pl.Int64, "name": pl.Utf8, "programme_id": pl.Utf8, "period_from": pl.Utf8,
    "period_to": pl.Utf8, "unit_code": pl.Utf8, "age_group": pl.Utf8,
    "vulnerable_only": pl.Boolean, "created_by": pl.Utf8, "created_at": pl.Datetime,
}
PACK_COLUMNS: dict[str, PolarsDataType] = {
    "id": pl.Int64, "created_at": pl.Datetime, "author": pl.Utf8, "programme_id": pl.Utf8,
    "view_name": pl.Utf8, "filters": pl.Utf8, "unit_id": pl.Int64, "period": pl.Utf8,
    "meeting_date": pl.Date,
}


def save_view(engine: Engine, *, username: str, name: str, programme_id: str, period_from: str,
              period_to: str, unit_code: str, age_group: str, vulnerable_only: bool) -> int:
    """Create a view, or replace the filters of the view with this name; returns its id."""
    name = name.strip()
    if not name:
        raise ValueError("Visningen skal have et navn.")
    t = SavedView.__table__
    values = dict(programme_id=programme_id, period_from=period_from, period_to=period_to,
                  unit_code=unit_code, age_group=age_group, vulnerable_only=vulnerable_only,
                  created_by=username, created_at=dt.datetime.now(dt.UTC))
    with engine.begin() as conn:
        existing = conn.execute(sa.select(t.c.id).where(t.c.name == name)).scalar()
        if existing is not None:
            conn.execute(sa.update(t).where(t.c.id == existing).values(**values))
            return int(existing)
        return int(conn.execute(sa.insert(t).values(name=name, **values)
                                .returning(t.c.id)).scalar_one())


def load_views(engine: Engine, *, programme_id: str | None = None) -> pl.DataFrame:
    t = SavedView.__table__
    stmt = sa.select(*[t.c[c] for c in VIEW_COLUMNS]).order_by(t.c.name)
    if programme_id is not None:
        stmt = stmt.where(t.c.programme_id == programme_id)
    with engine.connect() as conn:
        return read_frame(conn, stmt, VIEW_COLUMNS)


def find_view(engine: Engine, *, name: str) -> dict | None:
    t = SavedView.__table__
    with engine.connect() as conn:
        row = conn.execute(sa.select(*[t.c[c] for c in VIEW_COLUMNS])
                           .where(t.c.name == name)).mappings().first()
    return dict(row) if row else None


def archive_pack(engine: Engine, *, username: str, programme_id: str, view_name: str,
                 filters: dict, unit_id: int, period: str, meeting_date: dt.date,
                 html: str) -> int:
    t = MeetingPack.__table__
    with engine.begin() as conn:
        return int(conn.execute(sa.insert(t).values(
            created_at=dt.datetime.now(dt.UTC), author=username, programme_id=programme_id,
            view_name=view_name, filters=json.dumps(filters, ensure_ascii=False),
            unit_id=unit_id, period=period, meeting_date=meeting_date, html=html,
        ).returning(t.c.id)).scalar_one())


def load_packs(engine: Engine, *, scope: Scope, programme_id: str,
               limit: int = 20) -> pl.DataFrame:
    """Archived packs for units in scope, newest first (without the HTML)."""
    t = MeetingPack.__table__
    stmt = (sa.select(*[t.c[c] for c in PACK_COLUMNS])
            .where(t.c.programme_id == programme_id, units_in_scope_clause(t.c.unit_id, scope))
            .order_by(t.c.created_at.desc(), t.c.id.desc()).limit(limit))
    with engine.connect() as conn:
        return read_frame(conn, stmt, PACK_COLUMNS)


def load_pack_html(engine: Engine, *, scope: Scope, pack_id: int) -> str | None:
    t = MeetingPack.__table__
    stmt = sa.select(t.c.html).where(t.c.id == pack_id, units_in_scope_clause(t.c.unit_id, scope))
    with engine.connect() as conn:
        return conn.execute(stmt).scalar()
