"""Access scope: "this org unit and everything below it" (as in DHIS2), default deny.

Every loader that returns org-unit data takes a :class:`Scope` and filters in SQL with
:func:`units_in_scope_clause`, so nothing outside the viewer's units ever leaves the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped
from sqlmodel import col

from core.capabilities import aggregates_only
from data_access.models import ORG_LEVELS, OrgUnit
from data_access.raw import read_frame
from indicators.sources import SCHEMAS


@dataclass(frozen=True)
class Scope:
    """The org units a viewer may see, as the roots of their subtrees. Hashable (a cache key).

    ``aggregates_only`` leaves out every institution: the viewer sees areas and up only, in
    every query that filters by scope (values, unit lists, comments, saved views, meeting packs).
    """

    root_ids: tuple[int, ...]
    # The lowest org level the viewer may see: "institution" for most; "area" for the steering
    # group (aggregates only); "municipality" for a national user (municipalities compared).
    lowest_level: str = "institution"

    @property
    def is_empty(self) -> bool:
        return not self.root_ids

    @property
    def aggregates_only(self) -> bool:
        """No single daycares: every query that filters by scope (values, unit lists, comments,
        saved views, meeting packs) leaves them out."""
        return self.lowest_level != "institution"

    @property
    def levels(self) -> tuple[str, ...]:
        return ORG_LEVELS[:ORG_LEVELS.index(self.lowest_level) + 1]


def units_in_scope_clause(
    unit_id_column: sa.ColumnElement[Any] | Mapped[Any], scope: Scope, *,
    with_ancestors: bool = False,
) -> sa.ColumnElement[bool]:
    """SQL condition: ``unit_id_column`` is a unit in the scope (a root or below one).

    ``with_ancestors`` also admits the units above the roots: used only for aggregate benchmark
    lines (the municipality an institution leader compares against), never for unit lists.
    """
    if scope.is_empty:
        return sa.false()
    roots = sa.select(col(OrgUnit.path)).where(col(OrgUnit.id).in_(scope.root_ids)).subquery()
    related = col(OrgUnit.path).startswith(roots.c.path)
    if with_ancestors:
        related = related | roots.c.path.startswith(col(OrgUnit.path))
    units = sa.select(col(OrgUnit.id)).join(roots, related)
    if scope.lowest_level != "institution":
        units = units.where(col(OrgUnit.level).in_(scope.levels))
    return unit_id_column.in_(units)


def load_org_units(engine: Engine, *, scope: Scope) -> pl.DataFrame:
    """The org units in scope (``SCHEMAS['org_units']``), ordered by level and name."""
    stmt = (
        sa.select(col(OrgUnit.id), col(OrgUnit.code), col(OrgUnit.name), col(OrgUnit.level),
                  col(OrgUnit.parent_id), col(OrgUnit.path))
        .where(units_in_scope_clause(col(OrgUnit.id), scope))
        .order_by(col(OrgUnit.path))
    )
    with engine.connect() as conn:
        return read_frame(conn, stmt, SCHEMAS["org_units"])


def load_ancestors(engine: Engine, *, unit_id: int) -> pl.DataFrame:
    """A unit's ancestors (for benchmark lines), root first. Only names and ids, no data."""
    with engine.connect() as conn:
        path = conn.execute(
            sa.select(col(OrgUnit.path)).where(col(OrgUnit.id) == unit_id)).scalar()
        if not path:
            return pl.DataFrame(schema=SCHEMAS["org_units"])
        ids = [int(p) for p in path.strip("/").split("/")]
        stmt = sa.select(col(OrgUnit.id), col(OrgUnit.code), col(OrgUnit.name), col(OrgUnit.level),
                         col(OrgUnit.parent_id), col(OrgUnit.path)).where(col(OrgUnit.id).in_(ids))
        return read_frame(conn, stmt, SCHEMAS["org_units"]).sort("path")


NATIONAL_ONLY_ROLES = frozenset({"national"})


def lowest_level_for(roles: tuple[str, ...]) -> str:
    """The lowest org level an account with ``roles`` may see (no roles given: no limit, as for
    the CLI's operator scopes)."""
    if not roles:
        return "institution"
    if set(roles) <= NATIONAL_ONLY_ROLES:
        return "municipality"
    return "area" if aggregates_only(roles) else "institution"


def scope_for_codes(engine: Engine, codes: list[str], *, roles: tuple[str, ...] = (),
                    aggregates_only: bool = False) -> Scope:
    """The scope of an account: its units' subtrees, down to the lowest level its roles allow
    (``aggregates_only=True`` forces areas and up whatever the roles)."""
    with engine.connect() as conn:
        ids = conn.execute(
            sa.select(col(OrgUnit.id)).where(col(OrgUnit.code).in_(codes))).scalars().all()
    level = lowest_level_for(roles)
    if aggregates_only and level == "institution":
        level = "area"
    return Scope(tuple(sorted(i for i in ids if i is not None)), lowest_level=level)
