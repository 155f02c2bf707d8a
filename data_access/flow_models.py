"""The analysis tables of issue 15, written by the refresh next to ``indicator_value``.

- ``position_flow``: per org unit and pair of consecutive rounds, the 16 cells of the bordered
  3×3 table of positions (green/yellow/red → green/yellow/red, with the totals as ``alle``),
  suppressed as :func:`indicators.flows.suppress_flow_table` does.
- ``yellow_survival`` / ``yellow_summary``: per org unit and entry round, the share of the
  children who entered yellow in that round still yellow 0-3 rounds later, and the median time in
  yellow and the yellow → red share.
- ``assessment_completeness``: per org unit and period, enrolled and assessed children (the
  "reporting rate" shown next to every child indicator).

Withheld rows have no count; nothing child-level is stored.
"""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class PositionFlow(SQLModel, table=True):
    __tablename__ = "position_flow"
    __table_args__ = (Index("ix_position_flow_lookup", "unit_id", "from_round"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int
    from_round: str = Field(max_length=10)  # the flow goes to the next half-year
    from_position: str = Field(max_length=10)  # green / yellow / red / alle
    to_position: str = Field(max_length=10)
    count: int | None = None  # null when withheld
    withheld: bool


class YellowSurvival(SQLModel, table=True):
    __tablename__ = "yellow_survival"
    __table_args__ = (Index("ix_yellow_survival_lookup", "unit_id", "entry_round"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int
    entry_round: str = Field(max_length=10)
    rounds: int  # rounds after entering yellow; 0 = the entry round
    at_risk: int | None = None
    still_yellow: float | None = None  # %, null when withheld
    withheld: bool


class YellowSummary(SQLModel, table=True):
    __tablename__ = "yellow_summary"
    __table_args__ = (Index("ix_yellow_summary_lookup", "unit_id", "entry_round"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int
    entry_round: str = Field(max_length=10)
    entered: int | None = None
    ended: int | None = None
    median_rounds: float | None = None
    to_red_share: float | None = None
    withheld: bool


class AssessmentCompleteness(SQLModel, table=True):
    __tablename__ = "assessment_completeness"
    __table_args__ = (Index("ix_assessment_completeness_lookup", "unit_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int
    period: str = Field(max_length=10)
    enrolled: int | None = None  # null when withheld
    assessed: int | None = None
    completeness: float | None = None  # %, null when withheld
    withheld: bool
