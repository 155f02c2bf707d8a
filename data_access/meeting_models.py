"""Tables for the steering group's meeting: comments and decisions, saved views, meeting packs.

Nothing here is ever deleted: an interpretation that is "deleted" is marked withdrawn (who, when)
and every change writes a row to ``interpretation_history``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

INTERPRETATION_KINDS = ("kommentar", "beslutning", "opfoelgning")
FOLLOWUP_STATUSES = ("aaben", "i_gang", "afsluttet")


class Interpretation(SQLModel, table=True):
    """A comment, decision or follow-up bound to a box (and optionally one of its indicators),
    an org unit and a period (like a DHIS2 interpretation)."""

    __tablename__ = "interpretation"

    id: int | None = Field(default=None, primary_key=True)
    programme_id: str = Field(max_length=40, index=True)
    box_id: str = Field(max_length=40)
    indicator_id: str | None = Field(default=None, max_length=40)  # None = about the whole box
    unit_id: int = Field(foreign_key="org_unit.id", index=True)
    period: str = Field(max_length=10, index=True)
    kind: str = Field(max_length=20)  # kommentar / beslutning / opfoelgning
    text: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(max_length=60)
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str = Field(max_length=60)
    owner: str | None = Field(default=None, max_length=120)  # follow-ups: who does it
    due_on: dt.date | None = None  # follow-ups: by when
    status: str | None = Field(default=None, max_length=20)  # follow-ups: aaben / i_gang / ...
    version: int = 1
    withdrawn: bool = False
    withdrawn_by: str | None = Field(default=None, max_length=60)
    withdrawn_at: dt.datetime | None = None


class InterpretationHistory(SQLModel, table=True):
    """One row per version of an interpretation: the state after the change, and who made it."""

    __tablename__ = "interpretation_history"
    __table_args__ = (UniqueConstraint("interpretation_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    interpretation_id: int = Field(foreign_key="interpretation.id", index=True)
    version: int
    change: str = Field(max_length=20)  # oprettet / rettet / status / trukket_tilbage
    changed_at: dt.datetime
    changed_by: str = Field(max_length=60)
    kind: str = Field(max_length=20)
    text: str = Field(sa_column=Column(Text, nullable=False))
    owner: str | None = Field(default=None, max_length=120)
    due_on: dt.date | None = None
    status: str | None = Field(default=None, max_length=20)
    withdrawn: bool = False


class SavedView(SQLModel, table=True):
    """A named set of filters. Its owner is ``created_by``; its scope is ``unit_id``: a viewer
    lists and opens only the views whose unit is in their scope (and never an institution's
    view when they see aggregates only)."""

    __tablename__ = "saved_view"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    programme_id: str = Field(max_length=40)
    period_from: str = Field(max_length=10)
    period_to: str = Field(max_length=10)
    unit_code: str = Field(max_length=40)
    unit_id: int | None = Field(default=None, index=True)  # None: nobody sees it (default deny)
    age_group: str = Field(default="alle", max_length=5)
    vulnerable_only: bool = False
    created_by: str = Field(max_length=60)
    created_at: dt.datetime


class MeetingPack(SQLModel, table=True):
    """An archived meeting pack: the self-contained HTML exactly as it was handed out."""

    __tablename__ = "meeting_pack"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(index=True)
    author: str = Field(max_length=60)
    programme_id: str = Field(max_length=40, index=True)
    view_name: str = Field(default="", max_length=120)
    filters: str = Field(default="", max_length=1000)  # JSON of the filters used
    unit_id: int = Field(foreign_key="org_unit.id")
    period: str = Field(max_length=10)
    meeting_date: dt.date
    html: str = Field(sa_column=Column(Text, nullable=False))
