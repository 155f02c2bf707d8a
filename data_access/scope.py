"""Access scope: "this org unit and everything below it" (as in DHIS2), default deny.

Every loader that returns org-unit data takes a :class:`Scope` and filters in SQL with
:func:`units_in_scope_clause`, so nothing outside the viewer's units ever leaves the store.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_access.models import ORG_LEVELS, OrgUnit
from data_access.raw import read_frame
from indicators.sources import SCHEMAS


@dataclass(frozen=True)
class Scope:
    """The org units a viewer may see, as the roots of their subtrees. Hashable (a cache key)."""

    root_ids: tuple[int, ...]
    # The lowest org level the viewer may see: "municipality" for a national user (aggregates
    # over municipalities only, never an area or a daycare).
    lowest_level: str = "institution"

    @property
    def is_empty(self) -> bool:
        return not self.root_ids

    @property
    def levels(self) -> tuple[str, ...]:
        return ORG_LEVELS[:ORG_LEVELS.index(self.lowest_level) + 1]


def units_in_scope_clause(
    unit_id_column: sa.ColumnElement, scope: Scope, *, with_ancestors: bool = False
) -> sa.ColumnElement:
    """SQL condition: ``unit_id_column`` is a unit in the scope (a root or below one).

    ``with_ancestors`` also admits the units above the roots: used only for aggregate benchmark
    lines (the municipality an institution leader compares against), never for unit lists.
    """
    if scope.is_empty:
        return sa.false()
    roots = sa.select(OrgUnit.path).where(OrgUnit.id.in_(scope.root_ids)).subquery()
    related = OrgUnit.path.startswith(roots.c.path)
    if with_ancestors:
        related = related | roots.c.path.startswith(OrgUnit.path)
    units = sa.select(OrgUnit.id).join(roots, related)
    if scope.lowest_level != "institution":
        units = units.where(OrgUnit.level.in_(scope.levels))
    return unit_id_column.in_(units)


def load_org_units(engine: Engine, *, scope: Scope) -> pl.DataFrame:
    """The org units in scope (``SCHEMAS['org_units']``), ordered by level and name."""
    stmt = (
        sa.select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.parent_id,
                  OrgUnit.path)
        .where(units_in_scope_clause(OrgUnit.id, scope))
        .order_by(OrgUnit.path)
    )
    with engine.connect() as conn:
        return read_frame(conn, stmt, SCHEMAS["org_units"])


def load_ancestors(engine: Engine, *, unit_id: int) -> pl.DataFrame:
    """A unit's ancestors (for benchmark lines), root first. Only names and ids, no data."""
    with engine.connect() as conn:
        path = conn.execute(sa.select(OrgUnit.path).where(OrgUnit.id == unit_id)).scalar()
        if not path:
            return pl.DataFrame(schema=SCHEMAS["org_units"])
        ids = [int(p) for p in path.strip("/").split("/")]
        stmt = sa.select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level,
                         OrgUnit.parent_id, OrgUnit.path).where(OrgUnit.id.in_(ids))
        return read_frame(conn, stmt, SCHEMAS["org_units"]).sort("path")


NATIONAL_ONLY_ROLES = frozenset({"national"})


def scope_for_codes(engine: Engine, codes: list[str], *, roles: tuple[str, ...] = ()) -> Scope:
    """The scope of an account: its units' subtrees. A national user (only the ``national``
    role) sees no level below the municipality."""
    with engine.connect() as conn:
        ids = conn.execute(sa.select(OrgUnit.id).where(OrgUnit.code.in_(codes))).scalars().all()
    national = bool(roles) and set(roles) <= NATIONAL_ONLY_ROLES
    return Scope(tuple(sorted(ids)), lowest_level="municipality" if national else "institution")
