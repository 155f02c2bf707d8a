"""One indicator in one period for many units: what the funnel plot and a chart point's
drill-through read (not the whole period range of every indicator)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_access.analytics import VALUE_COLUMNS
from data_access.models import IndicatorValue
from data_access.raw import read_frame
from data_access.scope import Scope, units_in_scope_clause


def load_indicator_period(
    engine: Engine, *, scope: Scope, programme_id: str, indicator_id: str, period: str,
    age_group: str, vulnerable_only: bool, unit_ids: Sequence[int],
) -> pl.DataFrame:
    """Stored values (``VALUE_COLUMNS``) of one indicator and period for ``unit_ids``.

    Units in ``scope``, plus the units above it (the municipality's value is the funnel's
    centre line for an area leader too). The requested subgroup and the whole-population rows,
    as :func:`data_access.analytics.load_indicator_values`; ``pick_subgroup`` chooses.
    """
    t = IndicatorValue.__table__  # type: ignore[attr-defined]
    stmt = sa.select(*[t.c[name] for name in VALUE_COLUMNS]).where(
        t.c.programme_id == programme_id,
        t.c.indicator_id == indicator_id,
        t.c.period == period,
        t.c.age_group.in_([age_group, "alle"]),
        t.c.vulnerable_only.in_([vulnerable_only, False]),
        t.c.unit_id.in_(list(unit_ids)),
        units_in_scope_clause(t.c.unit_id, scope, with_ancestors=True),
    )
    with engine.connect() as conn:
        return read_frame(conn, stmt, VALUE_COLUMNS)
