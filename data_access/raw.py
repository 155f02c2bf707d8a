"""Loaders for the raw tables, as typed polars frames for the analytics step.

These scan whole tables and are used only by the refresh (``pipeline.refresh``), never by a page.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data_access import models as m
from indicators.sources import SCHEMAS, Sources


def read_frame(conn: Connection, stmt: sa.Select, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Run a select and return its rows as a frame with an explicit schema (column order kept)."""
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


def load_sources(conn: Connection, *, periods: pl.DataFrame) -> Sources:
    """All raw frames the indicators need, for the given reporting periods."""
    frames = {name: read_frame(conn, stmt, SCHEMAS[name]) for name, stmt in _statements().items()}
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
