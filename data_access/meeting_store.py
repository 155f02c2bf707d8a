"""Saved views (named filter sets) and the archive of meeting packs."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import sqlalchemy as sa
from polars._typing import PolarsDataType
from sqlalchemy.engine import Engine
from sqlmodel import col

from data_access.meeting_models import MeetingPack, SavedView
from data_access.models import OrgUnit
from data_access.raw import read_frame
from data_access.scope import Scope, units_in_scope_clause
from data_access.tables import table_of

VIEW_COLUMNS: dict[str, PolarsDataType] = {
    "id": pl.Int64, "name": pl.Utf8, "programme_id": pl.Utf8, "period_from": pl.Utf8,
    "period_to": pl.Utf8, "unit_code": pl.Utf8, "unit_id": pl.Int64, "age_group": pl.Utf8,
    "vulnerable_only": pl.Boolean, "created_by": pl.Utf8, "created_at": pl.Datetime,
}
PACK_COLUMNS: dict[str, PolarsDataType] = {
    "id": pl.Int64, "created_at": pl.Datetime, "author": pl.Utf8, "programme_id": pl.Utf8,
    "view_name": pl.Utf8, "filters": pl.Utf8, "unit_id": pl.Int64, "period": pl.Utf8,
    "meeting_date": pl.Date,
}


def save_view(engine: Engine, *, scope: Scope, username: str, name: str, programme_id: str,
              period_from: str, period_to: str, unit_code: str, age_group: str,
              vulnerable_only: bool) -> int:
    """Create a view, or replace the filters of the caller's own view with this name; returns
    its id. The view's unit must be in ``scope``; it becomes the view's scope."""
    name = name.strip()
    if not name:
        raise ValueError("Visningen skal have et navn.")
    t = table_of(SavedView)
    with engine.begin() as conn:
        unit_id = conn.execute(sa.select(col(OrgUnit.id)).where(
            col(OrgUnit.code) == unit_code, units_in_scope_clause(col(OrgUnit.id), scope))).scalar()
        if unit_id is None:
            raise PermissionError("Du har ikke adgang til denne enhed.")
        values = dict(programme_id=programme_id, period_from=period_from, period_to=period_to,
                      unit_code=unit_code, unit_id=unit_id, age_group=age_group,
                      vulnerable_only=vulnerable_only, created_by=username,
                      created_at=dt.datetime.now(dt.UTC))
        existing = conn.execute(sa.select(t.c.id, t.c.created_by).where(t.c.name == name)).first()
        if existing is not None:
            if existing.created_by != username:  # never overwrite someone else's view
                raise ValueError("Der findes allerede en visning med det navn. Vælg et andet.")
            conn.execute(sa.update(t).where(t.c.id == existing.id).values(**values))
            return int(existing.id)
        return int(conn.execute(sa.insert(t).values(name=name, **values)
                                .returning(t.c.id)).scalar_one())


def load_views(engine: Engine, *, scope: Scope, programme_id: str | None = None) -> pl.DataFrame:
    """The views whose unit is in ``scope``, by name."""
    t = table_of(SavedView)
    stmt = (sa.select(*[t.c[c] for c in VIEW_COLUMNS])
            .where(units_in_scope_clause(t.c.unit_id, scope)).order_by(t.c.name))
    if programme_id is not None:
        stmt = stmt.where(t.c.programme_id == programme_id)
    with engine.connect() as conn:
        return read_frame(conn, stmt, VIEW_COLUMNS)


def find_view(engine: Engine, *, scope: Scope, name: str) -> dict | None:
    t = table_of(SavedView)
    with engine.connect() as conn:
        row = conn.execute(sa.select(*[t.c[c] for c in VIEW_COLUMNS])
                           .where(t.c.name == name, units_in_scope_clause(t.c.unit_id, scope))
                           ).mappings().first()
    return dict(row) if row else None


def archive_pack(engine: Engine, *, username: str, programme_id: str, view_name: str,
                 filters: dict, unit_id: int, period: str, meeting_date: dt.date,
                 html: str) -> int:
    t = table_of(MeetingPack)
    with engine.begin() as conn:
        return int(conn.execute(sa.insert(t).values(
            created_at=dt.datetime.now(dt.UTC), author=username, programme_id=programme_id,
            view_name=view_name, filters=json.dumps(filters, ensure_ascii=False),
            unit_id=unit_id, period=period, meeting_date=meeting_date, html=html,
        ).returning(t.c.id)).scalar_one())


def load_packs(engine: Engine, *, scope: Scope, programme_id: str,
               limit: int = 20) -> pl.DataFrame:
    """Archived packs for units in scope, newest first (without the HTML). A pack made for an
    institution is not listed to a viewer who sees aggregates only, whoever made it."""
    t = table_of(MeetingPack)
    stmt = (sa.select(*[t.c[c] for c in PACK_COLUMNS])
            .where(t.c.programme_id == programme_id, units_in_scope_clause(t.c.unit_id, scope))
            .order_by(t.c.created_at.desc(), t.c.id.desc()).limit(limit))
    with engine.connect() as conn:
        return read_frame(conn, stmt, PACK_COLUMNS)


def load_pack_html(engine: Engine, *, scope: Scope, pack_id: int) -> str | None:
    t = table_of(MeetingPack)
    stmt = sa.select(t.c.html).where(t.c.id == pack_id, units_in_scope_clause(t.c.unit_id, scope))
    with engine.connect() as conn:
        return conn.execute(stmt).scalar()
