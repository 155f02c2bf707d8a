"""Recompute every programme's indicator values and store them (the analytics step).

Run after every change of data (imports, the demo build) and by ``python manage.py refresh``.
Pages only read the small result; they never scan raw rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import polars as pl
from sqlalchemy.engine import Connection, Engine

from core.model_config import ChangeModelConfig
from data_access.accounts import record_event
from data_access.analytics import replace_partitions, update_statistics, value_writer
from data_access.db import bump_data_version
from data_access.import_lock import take_import_lock
from data_access.raw import date_range, load_sources
from indicators.disclosure_audit import AuditReport, audit_publication
from indicators.engine import aggregate
from indicators.incremental import (
    SOURCE_DATES,
    Touched,
    analysis_parts,
    changed_entry_rounds,
    plan,
)
from indicators.membership import Member, member_periods, programme_tree, restrict_observations
from indicators.periods import period_bounds, period_of, periods_frame
from indicators.registry import COMPUTATIONS
from pipeline.analyses import (
    child_episodes,
    compute_analyses,
    store_analyses,
    touched_inputs,
    tracked_children,
    write_analyses,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefreshReport:
    rows: int
    seconds: float
    periods: tuple[str, ...]
    # Programmes whose new values the privacy audit refused (their previous values stay).
    refused: dict[str, AuditReport] = field(default_factory=dict)
    # The (programme, period) partitions recomputed; None for a full refresh.
    partitions: dict[str, list[str]] | None = None


def audit_rules(programme) -> dict[str, tuple[str, int]]:  # type: ignore[no-untyped-def]
    """Each indicator's (aggregation, min_n), as the disclosure audit needs them."""
    return {spec.id: (COMPUTATIONS[spec.computation].aggregation, spec.min_n)
            for spec in programme.indicators()}


def refused_message(programme_id: str, audit: AuditReport) -> str:
    return (f"Nye tal for {programme_id} er ikke offentliggjort: privatlivskontrollen fandt "
            f"skjulte tal, der kan regnes ud. De forrige tal vises stadig. {audit.summary()}")


def refresh_workers() -> int:
    """Threads that compute at once in a full refresh: ``REFRESH_WORKERS``, else the machine's
    CPUs (at most 4). polars and numpy release the GIL in their kernels, so on 2 cores two
    indicators compute side by side."""
    configured = os.environ.get("REFRESH_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(4, os.cpu_count() or 1))


def programme_scope(programme, sources  # type: ignore[no-untyped-def]
                    ) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The org tree ``programme`` is computed over and the (unit, period)s it runs in (None:
    everywhere, always), from its membership."""
    if not programme.membership:
        return sources.org_units, None
    members = [Member(m.unit, m.start, m.end) for m in programme.membership]
    runs = member_periods(sources.org_units, sources.periods, members)
    return programme_tree(sources.org_units, members, top_level=programme.top_level), runs


def indicator_values(spec, sources, org_units: pl.DataFrame,  # type: ignore[no-untyped-def]
                     runs: pl.DataFrame | None) -> pl.DataFrame:
    """One indicator's values over ``org_units`` (``VALUE_SCHEMA`` plus ``indicator_id``): pure,
    so indicators can be computed in threads side by side."""
    computation = COMPUTATIONS[spec.computation]
    obs = computation.observations(sources, dict(spec.params))
    if runs is not None:
        obs = restrict_observations(obs, runs)
    values = aggregate(
        obs, org_units=org_units, aggregation=computation.aggregation,
        min_n=spec.min_n, subgroups=computation.subgroups,
    )
    return values.with_columns(pl.lit(spec.id).alias("indicator_id"))


def compute_programme_values(programme, sources) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    """Values of every indicator of ``programme`` where and when it runs (its membership)."""
    org_units, runs = programme_scope(programme, sources)
    parts = [indicator_values(spec, sources, org_units, runs) for spec in programme.indicators()]
    return pl.concat(parts) if parts else pl.DataFrame()


def _programme_futures(pool: ThreadPoolExecutor, programme, sources  # type: ignore[no-untyped-def]
                       ) -> list[Future[pl.DataFrame]]:
    org_units, runs = programme_scope(programme, sources)
    return [pool.submit(indicator_values, spec, sources, org_units, runs)
            for spec in programme.indicators()]


def refresh_in(conn: Connection, config: ChangeModelConfig, *,
               uncommitted: bool = False) -> RefreshReport:
    """Recompute all values inside ``conn``'s open transaction and bump the data version.

    ``uncommitted=True`` when the same transaction has written raw rows (an import): then the
    rows are read through ``conn`` so that its own writes are seen.

    The indicators and the analysis tables are computed in :func:`refresh_workers` threads;
    this thread audits each programme and writes it as soon as its indicators are done, while
    the threads go on with the next programme (one programme ahead: memory holds about two
    programmes' values, not all). Only this thread touches ``conn``.
    """
    started = time.perf_counter()
    rows = 0
    periods = _reporting_periods(date_range(conn))
    sources = load_sources(conn, periods=periods, arrow=not uncommitted)
    refused: dict[str, AuditReport] = {}
    programmes = list(config.programmes)
    pool = ThreadPoolExecutor(max_workers=refresh_workers(), thread_name_prefix="refresh")
    try:
        analyses = pool.submit(compute_analyses, config, sources)
        ahead = _programme_futures(pool, programmes[0], sources) if programmes else []
        with value_writer(conn) as writer:
            for k, programme in enumerate(programmes):
                futures = ahead
                ahead = (_programme_futures(pool, programmes[k + 1], sources)
                         if k + 1 < len(programmes) else [])
                parts = [future.result() for future in futures]
                values = pl.concat(parts) if parts else pl.DataFrame()
                del parts, futures
                audit = _refused(conn, programme, values, sources.org_units)
                if audit is not None:
                    refused[programme.id] = audit
                    continue
                rows += writer.write(programme.id, values)
                del values
        rows += write_analyses(conn, analyses.result())  # flows, time in yellow, completeness
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    bump_data_version(conn)
    return RefreshReport(rows=rows, seconds=time.perf_counter() - started,
                         periods=tuple(periods["period"].to_list()), refused=refused)


def _reporting_periods(span: tuple[dt.date, dt.date] | None) -> pl.DataFrame:
    """Every half-year from the first to the last date with activity."""
    return (periods_frame(period_of(span[0]), period_of(span[1])) if span
            else periods_frame("2000H1", "1999H2"))


def _computed_and_audited(conn: Connection, programmes, sources  # type: ignore[no-untyped-def]
                          ) -> tuple[dict[str, pl.DataFrame], dict[str, AuditReport]]:
    """Each programme's values for ``sources.periods``, and the programmes the audit refused."""
    refused: dict[str, AuditReport] = {}
    accepted: dict[str, pl.DataFrame] = {}
    for programme in programmes:
        values = compute_programme_values(programme, sources)
        audit = _refused(conn, programme, values, sources.org_units)
        if audit is None:
            accepted[programme.id] = values
        else:
            refused[programme.id] = audit
    return accepted, refused


def _refused(conn: Connection, programme, values: pl.DataFrame,  # type: ignore[no-untyped-def]
             org_units: pl.DataFrame) -> AuditReport | None:
    """The audit's report when it refuses ``programme``'s ``values`` (recorded in the audit
    log), else None.

    The gate: nothing is published that the exact audit can work back; a refused programme
    keeps its previous values. Per period, so an incremental refresh audits exactly the
    partitions it writes."""
    audit = audit_publication(values, org_units=org_units, rules=audit_rules(programme))
    if audit.clean:
        return None
    log.error(refused_message(programme.id, audit))
    record_event(conn, username="system", action="privacy_audit",
                 detail=refused_message(programme.id, audit), rows=len(audit.findings))
    return audit


def refresh_touched(conn: Connection, config: ChangeModelConfig, touched: Touched, *,
                    span_before: tuple[dt.date, dt.date] | None,
                    episodes_before: pl.DataFrame | None = None) -> RefreshReport:
    """Recompute only what ``touched`` (an import's writes, in ``conn``'s open transaction)
    changes: the (programme, period) partitions :func:`indicators.incremental.plan` names, for
    the whole org tree, from the raw rows in their windows; then replace those partitions.
    Likewise the parts of the analysis tables :func:`indicators.incremental.analysis_parts`
    names, each from the assessments of its rounds.

    ``span_before`` is :func:`data_access.raw.date_range` before the import wrote: a span that
    grew gets its new periods computed for every programme; one that shrank (or a touched org
    tree) falls back to the full :func:`refresh_in`. ``episodes_before``: the yellow spells of
    :func:`pipeline.analyses.tracked_children` before the import wrote
    (:func:`pipeline.analyses.child_episodes`); compared with theirs now, they give the entry
    rounds of time in yellow to recompute (without them: all).
    """
    started = time.perf_counter()
    if not touched.sources:
        bump_data_version(conn)
        return RefreshReport(rows=0, seconds=time.perf_counter() - started, periods=(),
                             partitions={})
    span = date_range(conn)
    before = _reporting_periods(span_before)["period"].to_list()
    periods = _reporting_periods(span)
    labels = periods["period"].to_list()
    if (touched.periods is None and "org_units" in touched.sources) or not set(before) <= set(
            labels):
        return refresh_in(conn, config, uncommitted=True)
    programmes = list(config.programmes)
    new_periods = [p for p in labels if p not in before]
    todo = plan(programmes, COMPUTATIONS, touched, labels, new_periods=new_periods)
    parts = analysis_parts(touched, labels, new_periods=new_periods,
                           entry_rounds=_changed_entry_rounds(conn, touched, episodes_before))
    windows = {name: (None if first is None else period_bounds(first)[0],
                      None if last is None else period_bounds(last)[1])
               for name, (first, last) in todo.windows.items()}
    windows["org_units"] = (None, None)
    if parts.periods is None or parts.periods:  # completeness: every child's enrollment
        windows["children"] = (None, None)
    affected = sorted({p for ps in todo.partitions.values() for p in ps})
    sources = load_sources(conn, periods=periods.filter(pl.col("period").is_in(affected)),
                           arrow=False, windows=windows, dates=SOURCE_DATES)
    chosen = [p for p in programmes if todo.partitions.get(p.id)]
    accepted, refused = _computed_and_audited(conn, chosen, sources)
    rows = replace_partitions(conn, accepted, {pid: todo.partitions[pid] for pid in accepted})
    if not parts.empty:
        inputs = touched_inputs(conn, parts, labels, loaded=sources.assessments,
                                loaded_rounds=todo.windows.get("assessments"))
        rows += store_analyses(conn, config, replace(sources, periods=periods), parts=parts,
                               inputs=inputs)
    bump_data_version(conn)
    return RefreshReport(rows=rows, seconds=time.perf_counter() - started,
                         periods=tuple(affected), refused=refused,
                         partitions={pid: ps for pid, ps in todo.partitions.items() if ps})


def _changed_entry_rounds(conn: Connection, touched: Touched,
                          episodes_before: pl.DataFrame | None) -> list[str] | None:
    """The entry rounds whose yellow spells the import changed; None when not known."""
    children = tracked_children(touched)
    if children is None or episodes_before is None:
        return None
    return changed_entry_rounds(episodes_before, child_episodes(conn, children))


def refresh(engine: Engine, config: ChangeModelConfig, *,
            lock_wait_seconds: float = 600.0) -> RefreshReport:
    """Recompute all values in one transaction, serialised with imports by the import lock."""
    started = time.perf_counter()
    with engine.begin() as conn:
        take_import_lock(conn, holder="refresh", wait_seconds=lock_wait_seconds)
        report = refresh_in(conn, config)
    update_statistics(engine)
    return RefreshReport(rows=report.rows, seconds=time.perf_counter() - started,
                         periods=report.periods, refused=report.refused)
