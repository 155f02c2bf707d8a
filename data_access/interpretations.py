"""Comments, decisions and follow-ups on the change model (see ``meeting_models``).

Rules:

- Everyone reads what is bound to a unit in their scope.
- Who writes what comes from ``core.capabilities``: COMMENT (comments and follow-ups), DECIDE
  (decisions), EDIT_ANY_NOTE (change another author's text).
- Text is changed by its author or an administrator; a follow-up's status by anyone who may write.
- Nothing is deleted: :func:`withdraw_interpretation` marks it withdrawn. Every change adds a row
  to the history table in the same transaction.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa
from polars._typing import PolarsDataType
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from core.capabilities import Capability, has_capability
from data_access.meeting_models import (
    FOLLOWUP_STATUSES,
    INTERPRETATION_KINDS,
    Interpretation,
    InterpretationHistory,
)
from data_access.models import OrgUnit
from data_access.raw import read_frame
from data_access.scope import Scope, units_in_scope_clause
from data_access.tables import table_of

MAX_TEXT = 4000

INTERPRETATION_COLUMNS: dict[str, PolarsDataType] = {
    "id": pl.Int64, "programme_id": pl.Utf8, "box_id": pl.Utf8, "indicator_id": pl.Utf8,
    "unit_id": pl.Int64, "period": pl.Utf8, "kind": pl.Utf8, "text": pl.Utf8,
    "author": pl.Utf8, "created_at": pl.Datetime, "updated_at": pl.Datetime,
    "updated_by": pl.Utf8, "owner": pl.Utf8, "due_on": pl.Date, "status": pl.Utf8,
    "version": pl.Int64, "withdrawn": pl.Boolean, "withdrawn_by": pl.Utf8,
    "withdrawn_at": pl.Datetime,
}
HISTORY_COLUMNS: dict[str, PolarsDataType] = {
    "interpretation_id": pl.Int64, "version": pl.Int64, "change": pl.Utf8,
    "changed_at": pl.Datetime, "changed_by": pl.Utf8, "kind": pl.Utf8, "text": pl.Utf8,
    "owner": pl.Utf8, "due_on": pl.Date, "status": pl.Utf8, "withdrawn": pl.Boolean,
}


class NotAllowed(Exception):
    """The viewer may not make this change; the message is Danish, for the screen."""


def may_write(roles: tuple[str, ...], kind: str = "kommentar") -> bool:
    needed = Capability.DECIDE if kind == "beslutning" else Capability.COMMENT
    return has_capability(roles, needed)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _unit_in_scope(conn: Connection, scope: Scope, unit_id: int) -> bool:
    stmt = sa.select(col(OrgUnit.id)).where(col(OrgUnit.id) == unit_id,
                                       units_in_scope_clause(col(OrgUnit.id), scope))
    return conn.execute(stmt).first() is not None


def _check_fields(kind: str, text: str, status: str | None) -> None:
    if kind not in INTERPRETATION_KINDS:
        raise ValueError(f"Ukendt type: {kind}")
    if not text.strip():
        raise ValueError("Teksten må ikke være tom.")
    if len(text) > MAX_TEXT:
        raise ValueError(f"Teksten må højst være {MAX_TEXT} tegn.")
    if status is not None and status not in FOLLOWUP_STATUSES:
        raise ValueError(f"Ukendt status: {status}")


def _write_history(conn: Connection, row: dict, *, change: str, by: str, at: dt.datetime) -> None:
    conn.execute(sa.insert(table_of(InterpretationHistory)).values(
        interpretation_id=row["id"], version=row["version"], change=change, changed_at=at,
        changed_by=by, kind=row["kind"], text=row["text"], owner=row["owner"],
        due_on=row["due_on"], status=row["status"], withdrawn=row["withdrawn"],
    ))


def add_interpretation(
    engine: Engine, *, scope: Scope, username: str, roles: tuple[str, ...], programme_id: str,
    box_id: str, indicator_id: str | None, unit_id: int, period: str, kind: str, text: str,
    owner: str | None = None, due_on: dt.date | None = None,
) -> int:
    """Write a new comment, decision or follow-up; returns its id."""
    if not may_write(roles, kind):
        raise NotAllowed("Kun styregruppen og administratorer kan registrere beslutninger."
                         if kind == "beslutning" else "Din rolle kan ikke skrive kommentarer.")
    status = "aaben" if kind == "opfoelgning" else None
    _check_fields(kind, text, status)
    if kind != "opfoelgning":
        owner, due_on = None, None
    at = _now()
    t = table_of(Interpretation)
    with engine.begin() as conn:
        if not _unit_in_scope(conn, scope, unit_id):
            raise NotAllowed("Du har ikke adgang til denne enhed.")
        new_id = conn.execute(sa.insert(t).values(
            programme_id=programme_id, box_id=box_id, indicator_id=indicator_id,
            unit_id=unit_id, period=period, kind=kind, text=text.strip(), author=username,
            created_at=at, updated_at=at, updated_by=username, owner=owner or None,
            due_on=due_on, status=status, version=1, withdrawn=False,
        ).returning(t.c.id)).scalar_one()
        row = conn.execute(sa.select(t).where(t.c.id == new_id)).mappings().one()
        _write_history(conn, dict(row), change="oprettet", by=username, at=at)
    return int(new_id)


def _load_for_change(conn: Connection, scope: Scope, interpretation_id: int) -> dict:
    t = table_of(Interpretation)
    row = conn.execute(
        sa.select(t).where(t.c.id == interpretation_id,
                           units_in_scope_clause(t.c.unit_id, scope))
    ).mappings().first()
    if row is None:
        raise NotAllowed("Kommentaren findes ikke, eller du har ikke adgang til den.")
    if row["withdrawn"]:
        raise NotAllowed("Kommentaren er trukket tilbage og kan ikke ændres.")
    return dict(row)


def _may_change_text(row: dict, username: str, roles: tuple[str, ...]) -> bool:
    if row["kind"] == "beslutning" and not may_write(roles, "beslutning"):
        return False
    return row["author"] == username or has_capability(roles, Capability.EDIT_ANY_NOTE)


def _update(conn: Connection, row: dict, changes: dict, *, change: str, username: str) -> None:
    at = _now()
    new = {**row, **changes, "version": row["version"] + 1, "updated_at": at,
           "updated_by": username}
    t = table_of(Interpretation)
    conn.execute(sa.update(t).where(t.c.id == row["id"], t.c.version == row["version"]).values(
        **changes, version=new["version"], updated_at=at, updated_by=username))
    _write_history(conn, new, change=change, by=username, at=at)


def edit_interpretation(
    engine: Engine, *, scope: Scope, username: str, roles: tuple[str, ...],
    interpretation_id: int, text: str | None = None, owner: str | None = None,
    due_on: dt.date | None = None, status: str | None = None,
) -> None:
    """Change the text (author or admin) and/or a follow-up's owner, due date or status."""
    with engine.begin() as conn:
        row = _load_for_change(conn, scope, interpretation_id)
        changes: dict = {}
        if text is not None and text.strip() != row["text"]:
            if not _may_change_text(row, username, roles):
                raise NotAllowed("Kun forfatteren eller en administrator kan rette teksten.")
            changes["text"] = text.strip()
        if row["kind"] == "opfoelgning":
            for key, value in (("owner", owner), ("due_on", due_on), ("status", status)):
                if value is not None and value != row[key]:
                    changes[key] = value
        elif status is not None or due_on is not None:
            raise ValueError("Kun opfølgninger har status og frist.")
        if not changes:
            return
        if set(changes) - {"text"} and not may_write(roles, row["kind"]):
            raise NotAllowed("Din rolle kan ikke ændre opfølgninger.")
        _check_fields(row["kind"], changes.get("text", row["text"]), changes.get("status"))
        kind = "rettet" if "text" in changes or set(changes) - {"status"} else "status"
        _update(conn, row, changes, change=kind, username=username)


def withdraw_interpretation(engine: Engine, *, scope: Scope, username: str,
                            roles: tuple[str, ...], interpretation_id: int) -> None:
    """"Delete": mark withdrawn with who and when; it stays in the store and in the history."""
    with engine.begin() as conn:
        row = _load_for_change(conn, scope, interpretation_id)
        if not _may_change_text(row, username, roles):
            raise NotAllowed("Kun forfatteren eller en administrator kan trække den tilbage.")
        _update(conn, row, {"withdrawn": True, "withdrawn_by": username,
                            "withdrawn_at": _now()}, change="trukket_tilbage", username=username)


def load_interpretations(
    engine: Engine, *, scope: Scope, programme_id: str, unit_ids: tuple[int, ...] | None = None,
    periods: tuple[str, ...] | None = None, include_withdrawn: bool = False,
) -> pl.DataFrame:
    """Interpretations bound to units in scope, oldest first (``INTERPRETATION_COLUMNS``)."""
    t = table_of(Interpretation)
    stmt = sa.select(*[t.c[c] for c in INTERPRETATION_COLUMNS]).where(
        t.c.programme_id == programme_id, units_in_scope_clause(t.c.unit_id, scope)
    ).order_by(t.c.created_at, t.c.id)
    if unit_ids is not None:
        stmt = stmt.where(t.c.unit_id.in_(unit_ids))
    if periods is not None:
        stmt = stmt.where(t.c.period.in_(periods))
    if not include_withdrawn:
        stmt = stmt.where(t.c.withdrawn.is_(False))
    with engine.connect() as conn:
        return read_frame(conn, stmt, INTERPRETATION_COLUMNS)


def load_history(engine: Engine, *, scope: Scope, interpretation_id: int) -> pl.DataFrame:
    """Every version of one interpretation (if its unit is in scope), oldest first."""
    h, t = table_of(InterpretationHistory), table_of(Interpretation)
    stmt = (
        sa.select(*[h.c[c] for c in HISTORY_COLUMNS])
        .join(t, t.c.id == h.c.interpretation_id)
        .where(h.c.interpretation_id == interpretation_id,
               units_in_scope_clause(t.c.unit_id, scope))
        .order_by(h.c.version)
    )
    with engine.connect() as conn:
        return read_frame(conn, stmt, HISTORY_COLUMNS)


def open_followups(engine: Engine, *, scope: Scope, programme_id: str,
                   unit_ids: tuple[int, ...] | None = None) -> pl.DataFrame:
    """Follow-ups that are not finished (nor withdrawn), earliest due date first."""
    t = table_of(Interpretation)
    stmt = sa.select(*[t.c[c] for c in INTERPRETATION_COLUMNS]).where(
        t.c.programme_id == programme_id, t.c.kind == "opfoelgning",
        t.c.status != "afsluttet", t.c.withdrawn.is_(False),
        units_in_scope_clause(t.c.unit_id, scope),
    ).order_by(t.c.due_on, t.c.id)
    if unit_ids is not None:
        stmt = stmt.where(t.c.unit_id.in_(unit_ids))
    with engine.connect() as conn:
        return read_frame(conn, stmt, INTERPRETATION_COLUMNS)
