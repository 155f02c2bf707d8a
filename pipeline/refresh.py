"""Recompute every programme's indicator values and store them (the analytics step).

Run after every change of data (imports, the demo build) and by ``python manage.py refresh``.
Pages only read the small result; they never scan raw rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import polars as pl
from sqlalchemy.engine import Connection, Engine

from core.model_config import ChangeModelConfig
from data_access.analytics import replace_programme_values, update_statistics
from data_access.db import bump_data_version
from data_access.import_lock import take_import_lock
from data_access.raw import date_range, load_sources
from indicators.engine import aggregate
from indicators.membership import Member, member_periods, programme_tree, restrict_observations
from indicators.periods import period_of, periods_frame
from indicators.registry import COMPUTATIONS


@dataclass(frozen=True)
class RefreshReport:
    rows: int
    seconds: float
    periods: tuple[str, ...]


def compute_programme_values(programme, sources) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    """Values of every indicator of ``programme`` where and when it runs (its membership)."""
    org_units, runs = sources.org_units, None
    if programme.membership:
        members = [Member(m.unit, m.start, m.end) for m in programme.membership]
        runs = member_periods(sources.org_units, sources.periods, members)
        org_units = programme_tree(sources.org_units, members, top_level=programme.top_level)
    parts = []
    for spec in programme.indicators():
        computation = COMPUTATIONS[spec.computation]
        obs = computation.observations(sources, dict(spec.params))
        if runs is not None:
            obs = restrict_observations(obs, runs)
        values = aggregate(
            obs, org_units=org_units, aggregation=computation.aggregation,
            min_n=spec.min_n, subgroups=computation.subgroups,
        )
        parts.append(values.with_columns(pl.lit(spec.id).alias("indicator_id")))
    return pl.concat(parts) if parts else pl.DataFrame()


def refresh_in(conn: Connection, config: ChangeModelConfig, *,
               uncommitted: bool = False) -> RefreshReport:
    """Recompute all values inside ``conn``'s open transaction and bump the data version.

    ``uncommitted=True`` when the same transaction has written raw rows (an import): then the
    rows are read through ``conn`` so that its own writes are seen.
    """
    started = time.perf_counter()
    rows = 0
    span = date_range(conn)
    periods = (periods_frame(period_of(span[0]), period_of(span[1])) if span
               else periods_frame("2000H1", "1999H2"))
    sources = load_sources(conn, periods=periods, arrow=not uncommitted)
    for programme in config.programmes:
        values = compute_programme_values(programme, sources)
        rows += replace_programme_values(conn, programme_id=programme.id, values=values)
    bump_data_version(conn)
    return RefreshReport(rows=rows, seconds=time.perf_counter() - started,
                         periods=tuple(periods["period"].to_list()))


def refresh(engine: Engine, config: ChangeModelConfig, *,
            lock_wait_seconds: float = 600.0) -> RefreshReport:
    """Recompute all values in one transaction, serialised with imports by the import lock."""
    started = time.perf_counter()
    with engine.begin() as conn:
        take_import_lock(conn, holder="refresh", wait_seconds=lock_wait_seconds)
        report = refresh_in(conn, config)
    update_statistics(engine)
    return RefreshReport(rows=report.rows, seconds=time.perf_counter() - started,
                         periods=report.periods)
