"""Loaders for the raw tables, as typed polars frames for the analytics step.

These scan whole tables and are used only by the refresh (``pipeline.refresh``), never by a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import sqlalchemy as sa
from polars._typing import PolarsDataType
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from data_access import models as m
from data_access import programme_models as pm
from data_access.db import DatabaseUnavailable
from indicators.sources import SCHEMAS, Sources

try:  # Optional: Arrow straight from PostgreSQL's wire format (pip adbc-driver-postgresql)
    import adbc_driver_postgresql.dbapi as adbc
except ImportError:  # pragma: no cover - the streamed path below still works
    adbc = None

# "$1" placeholders with explicit casts: the statement is sent with bound parameters.
_ARROW_DIALECT = postgresql.psycopg.dialect(paramstyle="numeric_dollar")


def arrow_available(conn: Connection) -> bool:
    return adbc is not None and conn.dialect.name == "postgresql"


@contextmanager
def arrow_connection(conn: Connection) -> Iterator[Any]:
    """An ADBC connection to the same PostgreSQL database as ``conn`` (its own session)."""
    uri = conn.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        arrow_conn = adbc.connect(uri)
    except (adbc.OperationalError, adbc.InterfaceError) as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    try:
        yield arrow_conn
    finally:
        arrow_conn.close()


def read_arrow_frame(arrow_conn: Any, stmt: sa.Select,
                     schema: dict[str, PolarsDataType]) -> pl.DataFrame:
    """Run a select through ADBC: Arrow columns from the server, no Python object per value."""
    compiled = stmt.compile(dialect=_ARROW_DIALECT, compile_kwargs={"render_postcompile": True})
    params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    try:
        with arrow_conn.cursor() as cur:
            cur.execute(str(compiled), parameters=params or None)
            table = cur.fetch_arrow_table()
    except (adbc.OperationalError, adbc.InterfaceError) as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    frame = pl.from_arrow(table, rechunk=False)
    assert isinstance(frame, pl.DataFrame)
    return _by_name(frame.columns, schema, frame)


def read_frame(conn: Connection, stmt: sa.Select, schema: dict[str, PolarsDataType],
               *, bulk: bool = False) -> pl.DataFrame:
    """Run a select and return its rows as a frame with an explicit schema (column order kept).

    ``bulk=True`` (whole-table scans) on PostgreSQL reads Arrow through ADBC on a separate
    session: it sees committed rows only, so use it only before ``conn`` has written anything.
    Otherwise rows come from a server-side cursor in batches.
    """
    if bulk and arrow_available(conn):
        with arrow_connection(conn) as arrow_conn:
            return read_arrow_frame(arrow_conn, stmt, schema)
    # Options per statement: Connection.execution_options would change the connection for good.
    result = conn.execute(stmt, execution_options={"stream_results": True, "yield_per": 50_000})
    names = list(result.keys())
    _by_name(names, schema)  # fail before reading rows if the select does not fit the schema
    # Rows are tuples in the select's column order; name them from the result, then cast by name.
    chunks = [
        pl.DataFrame(rows, schema={n: schema[n] for n in names}, orient="row")
        for rows in result.partitions(50_000)
    ]
    return pl.concat(chunks).select(list(schema)) if chunks else pl.DataFrame(schema=schema)


def _by_name(names: list[str], schema: dict[str, PolarsDataType],
             frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """The frame's columns matched to ``schema`` by name, in schema order and types."""
    if sorted(names) != sorted(schema):
        raise ValueError(f"select columns {names} do not match the schema {list(schema)}")
    if frame is None:
        return pl.DataFrame(schema=schema)
    return frame.select(list(schema)).cast(schema)


@dataclass(frozen=True)
class _Origin:
    """Where a source frame's columns come from: the tables of its select, in join order.

    A schema column is taken from the one table that has an attribute of the same name, or from
    ``renamed`` where the names differ (``child_id`` is ``Child.id``). The column list itself is
    ``indicators.sources.SCHEMAS``: written once, here only mapped by name.
    """

    tables: tuple[Any, ...]
    renamed: dict[str, Any] = field(default_factory=dict)
    joins: tuple[tuple[Any, Any], ...] = ()  # (table, on-clause) after the first table


def _origins() -> dict[str, _Origin]:
    fga, fgs, fg = m.FamilyGroupAttendance, m.FamilyGroupSession, m.FamilyGroup
    return {
        "org_units": _Origin((m.OrgUnit,)),
        "children": _Origin((m.Child,), {"child_id": m.Child.id}),
        "assessments": _Origin((m.Assessment,)),
        "relations": _Origin((m.RelationMapping,)),
        "counselling": _Origin((m.CounsellingSession,), {"session_id": m.CounsellingSession.id}),
        "family_attendance": _Origin(
            (fga, fgs, fg), joins=((fgs, fgs.id == fga.session_id), (fg, fg.id == fgs.group_id))),
        "staff": _Origin((m.Staff,), {"staff_id": m.Staff.id}),
        "training": _Origin((m.StaffTraining, m.Staff),
                            joins=((m.Staff, m.Staff.id == m.StaffTraining.staff_id),)),
        "survey": _Origin((m.ParentSurveyAnswer,)),
        "meetings": _Origin((m.CrossSectorMeeting,)),
        "interviews": _Origin((m.ChildInterview,)),
        "practice": _Origin((m.PracticeSelfAssessment,)),
        "language": _Origin((pm.LanguageAssessment,)),
        "resource_places": _Origin((pm.ResourcePlaces,)),
        "placements": _Origin((pm.SupportPlacement,)),
    }


def _column(name: str, origin: _Origin) -> Any:
    if name in origin.renamed:
        return origin.renamed[name]
    owners = [table for table in origin.tables if name in table.__table__.columns]
    if len(owners) != 1:
        tables = ", ".join(t.__tablename__ for t in origin.tables)
        raise LookupError(f"column {name!r} is in {len(owners)} of the tables {tables}; "
                          "map it in _origins().renamed")
    return getattr(owners[0], name)


def select_for(name: str, origin: _Origin | None = None) -> sa.Select:
    """The select for source frame ``name``: one column per schema column, labelled by name."""
    origin = origin or _origins()[name]
    stmt = sa.select(*[_column(col, origin).label(col) for col in SCHEMAS[name]])
    stmt = stmt.select_from(origin.tables[0])
    for table, on in origin.joins:
        stmt = stmt.join(table, on)
    return stmt


def _statements() -> dict[str, sa.Select]:
    """One select per raw source frame (all of ``SCHEMAS`` but the computed ``periods``)."""
    return {name: select_for(name, origin) for name, origin in _origins().items()}


def load_sources(conn: Connection, *, periods: pl.DataFrame, arrow: bool = True) -> Sources:
    """All raw frames the indicators need, for the given reporting periods.

    On PostgreSQL the whole-table scans go through Arrow (committed rows: call this before
    ``conn`` writes anything, as the refresh does). ``arrow=False`` reads through ``conn``
    itself, so rows it wrote in its open transaction are seen (the import's refresh).
    """
    statements = _statements()
    if arrow and arrow_available(conn):
        with arrow_connection(conn) as arrow_conn:
            frames = {name: read_arrow_frame(arrow_conn, stmt, SCHEMAS[name])
                      for name, stmt in statements.items()}
    else:
        frames = {name: read_frame(conn, stmt, SCHEMAS[name]) for name, stmt in statements.items()}
    return Sources(periods=periods, **frames)


def load_org_unit_frame(conn: Connection) -> pl.DataFrame:
    """The whole org tree (for jobs; pages use ``scope.load_org_units``)."""
    return read_frame(conn, _statements()["org_units"], SCHEMAS["org_units"])


def date_range(conn: Connection) -> tuple | None:
    """First and last date with activity (assessments, sessions, training), or None if empty."""
    candidates = [
        (m.Assessment.assessed_on,), (m.CounsellingSession.held_on,), (m.StaffTraining.held_on,),
        (m.CrossSectorMeeting.held_on,), (m.ParentSurveyAnswer.answered_on,),
        (pm.LanguageAssessment.assessed_on,),
    ]
    lows, highs = [], []
    for (col,) in candidates:
        low, high = conn.execute(sa.select(sa.func.min(col), sa.func.max(col))).one()
        if low is not None:
            lows.append(low)
            highs.append(high)
    return (min(lows), max(highs)) if lows else None
