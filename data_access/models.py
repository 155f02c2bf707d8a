"""The store's tables (SQLModel).

No names and no CPR numbers anywhere: children and staff are pseudonyms (``code``), families are
codes. Natural keys (``UniqueConstraint``) make imports idempotent.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

ORG_LEVELS = ("national", "municipality", "area", "institution")


class OrgUnit(SQLModel, table=True):
    """A node of the org tree: national → municipality → area → institution."""

    __tablename__ = "org_unit"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=40)
    name: str = Field(max_length=200)
    level: str = Field(max_length=20)
    parent_id: int | None = Field(default=None, foreign_key="org_unit.id", index=True)
    # Materialised path of ids ("/1/4/17/"): "this unit and everything below" is a prefix match.
    path: str = Field(default="", index=True, max_length=400)


class Child(SQLModel, table=True):
    __tablename__ = "child"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=40)  # pseudonym
    birth_month: dt.date
    vulnerable: bool = False  # "barn i udsat position": only ever shown in aggregates
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    enrolled_on: dt.date
    left_on: dt.date | None = None


class Assessment(SQLModel, table=True):
    """A wellbeing assessment (TOPI / Opsporingsmodellen): one agreed position per child/date."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("child_id", "assessed_on"),)

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    assessed_on: dt.date = Field(index=True)
    position: str = Field(max_length=10)  # green / yellow / red
    # Area ratings 1-5 (higher is better); optional because not every tool rates areas.
    score_cognitive: int | None = None
    score_emotional: int | None = None
    score_social: int | None = None
    score_physical: int | None = None


class RelationMapping(SQLModel, table=True):
    """Relationship mapping (relationsskema / venskabsskema) for one child at one date."""

    __tablename__ = "relation_mapping"
    __table_args__ = (UniqueConstraint("child_id", "mapped_on"),)

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    mapped_on: dt.date
    has_close_adult: bool
    best_friendship_rating: int  # 1-5; 4-5 with a mutual relation = part of the community
    mutual_play_relation: bool


class CounsellingSession(SQLModel, table=True):
    """Åben rådgivning: one open-counselling session held in a daycare."""

    __tablename__ = "counselling_session"
    __table_args__ = (UniqueConstraint("institution_id", "held_on"),)

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    held_on: dt.date = Field(index=True)  # date_range: min/max by index
    professions: str = Field(max_length=200)  # comma-separated, e.g. "sundhedspleje,ppr_psykolog"
    n_professions: int
    staff_consultations: int
    parent_consultations: int


class FamilyGroup(SQLModel, table=True):
    __tablename__ = "family_group"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=40)
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    started_on: dt.date
    planned_sessions: int


class FamilyGroupSession(SQLModel, table=True):
    __tablename__ = "family_group_session"
    __table_args__ = (UniqueConstraint("group_id", "held_on"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="family_group.id", index=True)
    held_on: dt.date


class FamilyGroupAttendance(SQLModel, table=True):
    """One enrolled family at one session (present or not)."""

    __tablename__ = "family_group_attendance"
    __table_args__ = (UniqueConstraint("session_id", "family_code"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="family_group_session.id", index=True)
    family_code: str = Field(max_length=40)
    present: bool


class Staff(SQLModel, table=True):
    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=40)  # pseudonym
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    role: str = Field(max_length=40)  # paedagog / paedagogmedhjaelper / dagplejer
    employed_from: dt.date
    employed_to: dt.date | None = None


class StaffTraining(SQLModel, table=True):
    """One training day attended: a full training day or a 3-hour action-learning day."""

    __tablename__ = "staff_training"
    __table_args__ = (UniqueConstraint("staff_id", "held_on", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    held_on: dt.date = Field(index=True)
    kind: str = Field(max_length=20)  # uddannelsesdag / aktionslaering
    self_assessment: int | None = None  # competence 1-5, asked after the day


class ParentSurveyAnswer(SQLModel, table=True):
    """One answer (1-5) to one statement of a parent survey, linked to the child it concerns."""

    __tablename__ = "parent_survey_answer"
    __table_args__ = (UniqueConstraint("child_id", "answered_on", "question"),)

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    answered_on: dt.date = Field(index=True)
    question: str = Field(max_length=60)
    answer: int


class CrossSectorMeeting(SQLModel, table=True):
    """A meeting about one child with several professions (tværfagligt møde)."""

    __tablename__ = "cross_sector_meeting"
    __table_args__ = (UniqueConstraint("child_id", "held_on"),)

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    held_on: dt.date = Field(index=True)
    n_professions: int
    parents_invited: bool
    parents_present: bool
    plan_agreed: bool  # a written plan agreed with the parents at this meeting


class ChildInterview(SQLModel, table=True):
    """Børneinterview: answer to "Jeg er vigtig for de andre" (1 nej, 2 nogle gange, 3 ja)."""

    __tablename__ = "child_interview"
    __table_args__ = (UniqueConstraint("child_id", "interviewed_on"),)

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    interviewed_on: dt.date
    feels_important: int


class PracticeSelfAssessment(SQLModel, table=True):
    """An institution's self-assessment (1-5) of one theme of its practice."""

    __tablename__ = "practice_self_assessment"
    __table_args__ = (UniqueConstraint("institution_id", "assessed_on", "theme"),)

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    assessed_on: dt.date
    theme: str = Field(max_length=60)
    score: int


class IndicatorValue(SQLModel, table=True):
    """Pre-aggregated analytics (like DHIS2's analytics tables): what pages read.

    One row per programme × indicator × org unit × period × subgroup. ``value``, ``numerator`` and
    ``denominator`` are NULL when ``n`` is below the indicator's minimum (suppressed at source).
    """

    __tablename__ = "indicator_value"
    # What every page asks: one programme, a few units, one subgroup, a range of periods.
    __table_args__ = (
        Index("ix_indicator_value_lookup", "programme_id", "unit_id", "age_group",
              "vulnerable_only", "period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # programme_id and unit_id lead the lookup index: no single-column index of their own.
    programme_id: str = Field(max_length=40)
    indicator_id: str = Field(max_length=40)
    unit_id: int
    period: str = Field(max_length=10, index=True)
    age_group: str = Field(max_length=5)  # alle / 0-2 / 3-5
    vulnerable_only: bool
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    n: int
    suppressed: bool


class DataVersion(SQLModel, table=True):
    """A single counter bumped by every change of data; cache keys follow it across processes."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    changed_at: dt.datetime | None = None


class UserAccount(SQLModel, table=True):
    """A login. Passwords are bcrypt hashes; roles and org units are comma-separated codes."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=60)
    display_name: str = Field(max_length=120)
    email: str = Field(max_length=200)
    password_hash: str = Field(max_length=100)
    roles: str = Field(max_length=200)  # admin, leder, konsulent, styregruppe
    org_unit_codes: str = Field(default="", max_length=2000)
    active: bool = True
    # A temporary password (reset by an administrator) must be changed at the next login.
    must_change: bool = False


class AuditEvent(SQLModel, table=True):
    """Who did what, when: logins, exports, imports, user changes."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True)
    username: str = Field(max_length=60, index=True)
    action: str = Field(max_length=40)  # login_ok, login_failed, export, import, user_change
    detail: str = Field(default="", max_length=4000)
    rows: int | None = None


class LoginAttempt(SQLModel, table=True):
    """One login attempt; the lockout window is counted from these, shared by all app processes.

    ``kind``: ``failure``, ``success`` or ``unlock`` (an administrator lifted a lockout).
    """

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True)
    username: str = Field(max_length=60, index=True)
    client: str = Field(default="", max_length=80, index=True)
    kind: str = Field(max_length=10)
