"""Loaders for the raw tables, as typed polars frames for the analytics step.

These scan whole tables and are used only by the refresh (``pipeline.refresh``), never by a page.

- PostgreSQL: whole-table scans read Arrow columns through ADBC (no Python object per value).
- SQLite: rows come from the ``sqlite3`` cursor of the same connection, stored values as they
  are (dates as ISO text, booleans as 0/1), in 100,000-row chunks typed by polars. Not ADBC:
  its driver links a second copy of SQLite into the process, and two copies on one file break
  each other's POSIX locks (sqlite.org/howtocorrupt.html §2.2.1; seen here as "disk I/O error"
  on the next connection after a refresh).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
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
from data_access.tables import table_of
from indicators.sources import SCHEMAS, Sources

try:  # Optional: Arrow straight from PostgreSQL's wire format (pip adbc-driver-postgresql)
    import adbc_driver_postgresql.dbapi as adbc
except ImportError:  # pragma: no cover - the streamed path below still works
    adbc = None

# "$1" placeholders with explicit casts: the statement is sent with bound parameters.
_ARROW_DIALECT = postgresql.psycopg.dialect(paramstyle="numeric_dollar")
_SQLITE_CHUNK_ROWS = 100_000


def arrow_available(conn: Connection) -> bool:
    return adbc is not None and conn.dialect.name == "postgresql"


def has_uncommitted_writes(conn: Connection) -> bool:
    """True when ``conn``'s open transaction has written something (PostgreSQL).

    An ADBC read runs in its own session and sees committed rows only: a caller that has
    written in ``conn`` (an import and its refresh in one transaction) must read on ``conn``
    itself. PostgreSQL assigns a transaction id at the first write, not before.
    """
    return bool(conn.exec_driver_sql(
        "SELECT pg_current_xact_id_if_assigned() IS NOT NULL").scalar_one())


def _bulk_arrow(conn: Connection) -> bool:
    return arrow_available(conn) and not has_uncommitted_writes(conn)


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


def _sqlite_value(value: Any) -> Any:
    """A bound value as SQLAlchemy stores it in SQLite (dates as ISO text, booleans as 0/1)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _stored_type(dtype: PolarsDataType) -> PolarsDataType:
    """How SQLAlchemy stores a column of ``dtype`` in SQLite."""
    if dtype == pl.Date or dtype == pl.Datetime:  # noqa: PLR1714 (== matches any Datetime unit)
        return pl.Utf8
    if dtype == pl.Boolean:
        return pl.Int64
    return dtype


def read_sqlite_frame(conn: Connection, stmt: sa.Select,
                      schema: dict[str, PolarsDataType]) -> pl.DataFrame:
    """Run a select on SQLite through the driver's own cursor (no SQLAlchemy row or date
    objects); stored values become typed columns in polars. Bound parameters; sees ``conn``'s
    own uncommitted rows."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = tuple(_sqlite_value(compiled.params[name]) for name in compiled.positiontup or ())
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), params)
        names = [column[0] for column in cursor.description]
        _by_name(names, schema)  # fail before reading rows if the select does not fit the schema
        stored = {name: _stored_type(schema[name]) for name in names}
        chunks = []
        while rows := cursor.fetchmany(_SQLITE_CHUNK_ROWS):
            chunks.append(pl.DataFrame(rows, schema=stored, orient="row"))
    finally:
        cursor.close()
    frame = pl.concat(chunks) if chunks else pl.DataFrame(schema=stored)
    return _by_name(frame.columns, schema, frame)


def read_frame(conn: Connection, stmt: sa.Select, schema: dict[str, PolarsDataType],
               *, bulk: bool = False) -> pl.DataFrame:
    """Run a select and return its rows as a frame with an explicit schema (column order kept).

    ``bulk=True`` (whole-table scans of the raw tables): on SQLite the rows come from the
    driver's cursor (:func:`read_sqlite_frame`); on PostgreSQL Arrow through ADBC on a separate
    session, unless ``conn`` has uncommitted writes (that session would not see them).
    Otherwise rows come from a server-side cursor in batches.
    """
    if bulk and conn.dialect.name == "sqlite":
        return read_sqlite_frame(conn, stmt, schema)
    if bulk and _bulk_arrow(conn):
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
    return frame.select([_typed(name, frame.schema[name], dtype) for name, dtype in schema.items()])


def _typed(name: str, source: PolarsDataType, target: PolarsDataType) -> pl.Expr:
    """Column ``name`` as ``target``; SQLite keeps dates as ISO text (SQLAlchemy's format)."""
    if source == pl.Utf8 and target == pl.Date:
        return pl.col(name).str.to_date("%Y-%m-%d")
    if source == pl.Utf8 and target == pl.Datetime:
        return pl.col(name).str.to_datetime("%Y-%m-%d %H:%M:%S%.f").cast(target)
    return pl.col(name).cast(target)


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


def sources_reading(table_name: str) -> frozenset[str]:
    """The source frames whose select reads table ``table_name``."""
    return frozenset(name for name, origin in _origins().items()
                     if any(t.__tablename__ == table_name for t in origin.tables))


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


Window = tuple[dt.date | None, dt.date | None]  # first and last day; None = unbounded


def windowed(name: str, window: Window, date_column: str) -> sa.Select:
    """The select for source frame ``name``, only rows whose ``date_column`` is in ``window``
    (answered from the date index where there is one)."""
    origin = _origins()[name]
    stmt = select_for(name, origin)
    column = _column(date_column, origin)
    first, last = window
    if first is not None:
        stmt = stmt.where(column >= first)
    if last is not None:
        stmt = stmt.where(column <= last)
    return stmt


def load_sources(conn: Connection, *, periods: pl.DataFrame, arrow: bool = True,
                 windows: dict[str, Window] | None = None,
                 dates: dict[str, str] | None = None) -> Sources:
    """All raw frames the indicators need, for the given reporting periods.

    ``windows`` (the incremental refresh): read only these frames, each between two dates
    (its event date is ``dates[name]``; a frame without one is read whole); the others are
    empty.

    On PostgreSQL the whole-table scans go through Arrow (ADBC, one session for all tables;
    committed rows only). ``arrow=False`` reads through ``conn`` itself, so rows it wrote in its
    open transaction are seen (the import's refresh). The explicit flag, not a check for
    uncommitted writes: the full refresh holds the import lock, itself a write.
    """
    statements = _statements()
    if windows is not None:
        dates = dates or {}
        statements = {
            name: (windowed(name, windows[name], dates[name])
                   if name in dates and windows[name] != (None, None) else stmt)
            for name, stmt in statements.items() if name in windows}
    if arrow and arrow_available(conn):
        with arrow_connection(conn) as arrow_conn:
            frames = {name: read_arrow_frame(arrow_conn, stmt, SCHEMAS[name])
                      for name, stmt in statements.items()}
    else:
        frames = {name: read_frame(conn, stmt, SCHEMAS[name], bulk=True)
                  for name, stmt in statements.items()}
    return Sources(periods=periods, **frames)


def load_assessments(conn: Connection, windows: list[Window]) -> pl.DataFrame:
    """The ``assessments`` source frame, only rows dated in one of ``windows`` (through
    ``conn``: its own uncommitted rows are seen); ``[]`` reads nothing, ``(None, None)``
    everything."""
    if not windows:
        return pl.DataFrame(schema=SCHEMAS["assessments"])
    stmt = select_for("assessments")
    if (None, None) not in windows:
        column = table_of(m.Assessment).c.assessed_on
        stmt = stmt.where(sa.or_(*[sa.and_(
            *([column >= first] if first is not None else []),
            *([column <= last] if last is not None else [])) for first, last in windows]))
    return read_frame(conn, stmt, SCHEMAS["assessments"], bulk=True)


CHILD_CHUNK = 5_000  # ids per statement (SQLite's default limit is 32,766 bound values)


def load_child_assessments(conn: Connection, child_ids: Iterable[int]) -> pl.DataFrame:
    """Every assessment of the given children (their whole history), through ``conn``; found by
    the index on ``assessment.child_id``."""
    ids = sorted(set(child_ids))
    column = table_of(m.Assessment).c.child_id
    parts = [read_frame(conn, select_for("assessments").where(
        column.in_(ids[i:i + CHILD_CHUNK])), SCHEMAS["assessments"], bulk=True)
        for i in range(0, len(ids), CHILD_CHUNK)]
    return pl.concat(parts) if parts else pl.DataFrame(schema=SCHEMAS["assessments"])


def children_assessed_before(conn: Connection, day: dt.date,
                             positions: Sequence[str]) -> pl.Series:
    """The children assessed on or after ``day`` who also have an assessment with one of
    ``positions`` before it: one indexed ``EXISTS`` probe (``child_id``, ``assessed_on``) per
    child of the later rows."""
    table = table_of(m.Assessment)
    later = (sa.select(table.c.child_id.label("child_id"))
             .where(table.c.assessed_on >= day).distinct().subquery())
    earlier = table.alias("earlier")
    stmt = sa.select(later.c.child_id).where(
        sa.select(sa.literal(1)).where(
            earlier.c.child_id == later.c.child_id, earlier.c.assessed_on < day,
            earlier.c.position.in_(list(positions))).exists())
    return read_frame(conn, stmt, {"child_id": pl.Int64}, bulk=True)["child_id"]


def load_org_unit_frame(conn: Connection) -> pl.DataFrame:
    """The whole org tree (for jobs; pages use ``scope.load_org_units``)."""
    return read_frame(conn, _statements()["org_units"], SCHEMAS["org_units"])


# The dates that bound the reporting periods; each has an index (migration 0007).
DATED_COLUMNS: tuple[Any, ...] = (
    m.Assessment.assessed_on, m.CounsellingSession.held_on, m.StaffTraining.held_on,
    m.CrossSectorMeeting.held_on, m.ParentSurveyAnswer.answered_on,
    pm.LanguageAssessment.assessed_on,
)


def date_range(conn: Connection) -> tuple | None:
    """First and last date with activity (assessments, sessions, training), or None if empty.

    One statement of scalar subqueries, each a single ``min`` or ``max``: both stores answer
    those from the column's index (two index seeks per table, no scan).
    """
    bounds = [sa.select(agg(col)).scalar_subquery()
              for col in DATED_COLUMNS for agg in (sa.func.min, sa.func.max)]
    row = conn.execute(sa.select(*bounds)).one()
    lows = [_as_date(v) for v in row[0::2] if v is not None]
    highs = [_as_date(v) for v in row[1::2] if v is not None]
    return (min(lows), max(highs)) if lows else None


def _as_date(value: Any) -> dt.date:
    # A scalar subquery's type is the column's, but be lenient with drivers that return text.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
