"""Recompute every programme's indicator values and store them (the analytics step).

Run after every change of data (imports, the demo build) and by ``python manage.py refresh``.
Pages only read the small result; they never scan raw rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import polars as pl
from sqlalchemy.engine import Engine

from core.model_config import ChangeModelConfig
from data_access.analytics import replace_programme_values, update_statistics
from data_access.db import bump_data_version
from data_access.raw import date_range, load_sources
from indicators.engine import aggregate
from indicators.periods import period_of, periods_frame
from indicators.registry import COMPUTATIONS
from pipeline.analyses import store_analyses


@dataclass(frozen=True)
class RefreshReport:
    rows: int
    seconds: float
    periods: tuple[str, ...]


def compute_programme_values(programme, sources) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    parts = []
    for spec in programme.indicators():
        computation = COMPUTATIONS[spec.computation]
        obs = computation.observations(sources, dict(spec.params))
        values = aggregate(
            obs, org_units=sources.org_units, aggregation=computation.aggregation,
            min_n=spec.min_n, subgroups=computation.subgroups,
        )
        parts.append(values.with_columns(pl.lit(spec.id).alias("indicator_id")))
    return pl.concat(parts) if parts else pl.DataFrame()


def refresh(engine: Engine, config: ChangeModelConfig) -> RefreshReport:
    """Recompute all values in one transaction and bump the data version."""
    started = time.perf_counter()
    rows = 0
    with engine.begin() as conn:
        span = date_range(conn)
        periods = (periods_frame(period_of(span[0]), period_of(span[1])) if span
                   else periods_frame("2000H1", "1999H2"))
        sources = load_sources(conn, periods=periods)
        for programme in config.programmes:
            values = compute_programme_values(programme, sources)
            rows += replace_programme_values(conn, programme_id=programme.id, values=values)
        rows += store_analyses(conn, config, sources)  # flows, time in yellow, completeness
        bump_data_version(conn)
    update_statistics(engine)
    return RefreshReport(rows=rows, seconds=time.perf_counter() - started,
                         periods=tuple(periods["period"].to_list()))
