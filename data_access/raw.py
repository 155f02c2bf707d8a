"""Loaders for the raw tables, as typed polars frames for the analytics step.

These scan whole tables and are used only by the refresh (``pipeline.refresh``), never by a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
import sqlalchemy as sa
from polars._typing import PolarsDataType
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from data_access import models as m
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
    frame.columns = list(schema)  # positional, as in the streamed path
    return frame.cast(schema)


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
    chunks = [
        pl.DataFrame(rows, schema=schema, orient="row") for rows in result.partitions(50_000)
    ]
    return pl.concat(chunks) if chunks else pl.DataFrame(schema=schema)


def _statements() -> dict[str, sa.Select]:
    a, c, r = m.Assessment, m.Child, m.RelationMapping
    fga, fgs, fg = m.FamilyGroupAttendance, m.FamilyGroupSession, m.FamilyGroup
    return {
        "org_units": sa.select(m.OrgUnit.id, m.OrgUnit.code, m.OrgUnit.name, m.OrgUnit.level,
                               m.OrgUnit.parent_id, m.OrgUnit.path),
        "children": sa.select(c.id, c.birth_month, c.vulnerable, c.institution_id),
        "assessments": sa.select(a.child_id, a.institution_id, a.assessed_on, a.position,
                                 a.score_cognitive, a.score_emotional, a.score_social,
                                 a.score_physical),
        "relations": sa.select(r.child_id, r.institution_id, r.mapped_on, r.has_close_adult,
                               r.best_friendship_rating, r.mutual_play_relation),
        "counselling": sa.select(
            m.CounsellingSession.id, m.CounsellingSession.institution_id,
            m.CounsellingSession.held_on, m.CounsellingSession.n_professions,
            m.CounsellingSession.staff_consultations, m.CounsellingSession.parent_consultations),
        "family_attendance": sa.select(fg.id, fg.institution_id, fgs.id, fgs.held_on,
                                       fga.family_code, fga.present)
        .join(fgs, fgs.group_id == fg.id).join(fga, fga.session_id == fgs.id),
        "staff": sa.select(m.Staff.id, m.Staff.institution_id, m.Staff.employed_from,
                           m.Staff.employed_to),
        "training": sa.select(m.StaffTraining.staff_id, m.Staff.institution_id,
                              m.StaffTraining.held_on, m.StaffTraining.kind,
                              m.StaffTraining.self_assessment)
        .join(m.Staff, m.Staff.id == m.StaffTraining.staff_id),
        "survey": sa.select(m.ParentSurveyAnswer.child_id, m.ParentSurveyAnswer.institution_id,
                            m.ParentSurveyAnswer.answered_on, m.ParentSurveyAnswer.question,
                            m.ParentSurveyAnswer.answer),
        "meetings": sa.select(
            m.CrossSectorMeeting.child_id, m.CrossSectorMeeting.institution_id,
            m.CrossSectorMeeting.held_on, m.CrossSectorMeeting.n_professions,
            m.CrossSectorMeeting.parents_invited, m.CrossSectorMeeting.parents_present,
            m.CrossSectorMeeting.plan_agreed),
        "interviews": sa.select(m.ChildInterview.child_id, m.ChildInterview.institution_id,
                                m.ChildInterview.interviewed_on,
                                m.ChildInterview.feels_important),
        "practice": sa.select(m.PracticeSelfAssessment.institution_id,
                              m.PracticeSelfAssessment.assessed_on,
                              m.PracticeSelfAssessment.theme, m.PracticeSelfAssessment.score),
    }


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
    ]
    lows, highs = [], []
    for (col,) in candidates:
        low, high = conn.execute(sa.select(sa.func.min(col), sa.func.max(col))).one()
        if low is not None:
            lows.append(low)
            highs.append(high)
    return (min(lows), max(highs)) if lows else None
