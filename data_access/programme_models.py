"""Tables for the data the Socialstyrelsen and Aalborg programmes (and L2's language gap) need.

Like ``models.py``: pseudonyms only (``child.code``), no names or CPR numbers; natural keys make
imports idempotent.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class LanguageAssessment(SQLModel, table=True):
    """Sprogvurdering 3-6: one child's language assessment, summarised as its group."""

    __tablename__ = "language_assessment"
    __table_args__ = (UniqueConstraint("child_id", "assessed_on"),)

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    assessed_on: dt.date
    age_years: int  # the child's age at the assessment (mostly 3, some at 5)
    language_group: str = Field(max_length=20)  # generel / fokuseret / saerlig


class ResourcePlaces(SQLModel, table=True):
    """Ressourcepladser: how many resource places a daycare has, from a date (to a date)."""

    __tablename__ = "resource_places"
    __table_args__ = (UniqueConstraint("institution_id", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    places: int
    valid_from: dt.date
    valid_to: dt.date | None = None


class SupportPlacement(SQLModel, table=True):
    """Where a child who needs support gets it: a resource place or other support in the local
    daycare, or a special offer (specialbørnehave/-gruppe). ``institution_id`` is the child's
    local daycare (for a special offer: the daycare the child came from)."""

    __tablename__ = "support_placement"
    __table_args__ = (UniqueConstraint("child_id", "placed_from"),)

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    institution_id: int = Field(foreign_key="org_unit.id", index=True)
    offer: str = Field(max_length=20)  # ressourceplads / lokal_stoette / specialtilbud
    placed_from: dt.date
    placed_to: dt.date | None = None
