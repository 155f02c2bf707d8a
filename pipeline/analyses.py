"""The analysis tables of the M2 box: position flows and time in yellow (for programmes
whose config opts an indicator into ``view = "flows"``) and completeness (for every child
indicator), per org unit, stored like the indicator values.

The full refresh computes them whole; the incremental one (:func:`touched_inputs`) only the
parts an import moves (:class:`indicators.incremental.AnalysisParts`), each from the assessments
of its own rounds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import polars as pl
from sqlalchemy.engine import Connection

from core.model_config import ChangeModelConfig
from data_access.analyses import replace_analysis_tables
from data_access.raw import (
    Window,
    children_assessed_before,
    load_assessments,
    load_child_assessments,
)
from indicators.flows import POSITIONS, yellow_episodes
from indicators.incremental import WHOLE, AnalysisParts, Rounds, Touched, analysis_windows
from indicators.periods import period_bounds
from indicators.registry import COMPUTATIONS
from indicators.sources import Sources
from indicators.unit_analyses import (
    UNIT_FLOW_SCHEMA,
    UNIT_SUMMARY_SCHEMA,
    UNIT_SURVIVAL_SCHEMA,
    completeness_table,
    flow_tables,
    next_rounds,
    survival_tables,
)

# Beyond this many touched children, an import's yellow spells are not compared before and
# after (two reads of their whole history): time in yellow is recomputed whole.
MAX_TRACKED_CHILDREN = 20_000


@dataclass(frozen=True)
class AnalysisInputs:
    """The assessments each part of the analysis tables is computed from: each holds at least
    the rows of its part's rounds (:func:`indicators.incremental.analysis_windows`);
    ``survival`` holds exactly the rows from some round *w* on, and ``assessed_earlier`` its
    children with an assessment before *w* (:func:`indicators.flows.yellow_episodes`)."""

    flows: pl.DataFrame
    survival: pl.DataFrame
    completeness: pl.DataFrame
    assessed_earlier: pl.Series


@dataclass(frozen=True)
class AnalysisTables:
    """The analysis tables' new rows (or those of some parts), as :func:`compute_analyses`
    gives them."""

    flows: pl.DataFrame
    survival: pl.DataFrame
    summary: pl.DataFrame
    completeness: pl.DataFrame
    parts: AnalysisParts


def store_analyses(conn: Connection, config: ChangeModelConfig, sources: Sources, *,
                   parts: AnalysisParts = WHOLE, inputs: AnalysisInputs | None = None) -> int:
    """Compute and replace the analysis tables, or only their ``parts``; returns the rows
    written."""
    return write_analyses(conn, compute_analyses(config, sources, parts=parts, inputs=inputs))


def write_analyses(conn: Connection, tables: AnalysisTables) -> int:
    """Replace the analysis tables' rows (or those of ``tables.parts``); returns the rows
    written."""
    return replace_analysis_tables(conn, flows=tables.flows, survival=tables.survival,
                                   summary=tables.summary, completeness=tables.completeness,
                                   parts=tables.parts)


def compute_analyses(config: ChangeModelConfig, sources: Sources, *,
                     parts: AnalysisParts = WHOLE,
                     inputs: AnalysisInputs | None = None) -> AnalysisTables:
    """The analysis tables, or only their ``parts`` (pure: reads nothing but its arguments).

    ``sources`` holds the org tree, the children (when completeness is computed) and every
    reporting period; ``inputs`` the assessments of each part (default: all of
    ``sources.assessments`` for every part)."""
    if inputs is None:
        inputs = AnalysisInputs(flows=sources.assessments, survival=sources.assessments,
                                completeness=sources.assessments,
                                assessed_earlier=pl.Series("child_id", [], dtype=pl.Int64))
    specs = [spec for programme in config.programmes for spec in programme.indicators()]
    flow_specs = [spec for spec in specs if spec.view == "flows"]
    child_specs = [spec for spec in specs if COMPUTATIONS[spec.computation].subgroups]
    rounds = sources.periods["period"].to_list()
    flows = pl.DataFrame(schema=UNIT_FLOW_SCHEMA)
    survival = pl.DataFrame(schema=UNIT_SURVIVAL_SCHEMA)
    summary = pl.DataFrame(schema=UNIT_SUMMARY_SCHEMA)
    if flow_specs:
        min_n = max(spec.min_n for spec in flow_specs)
        from_rounds = _chosen(next_rounds(rounds), parts.flow_rounds)
        if from_rounds:
            flows = flow_tables(inputs.flows, sources.org_units, rounds=from_rounds, min_n=min_n)
        entry_rounds = _chosen(rounds, parts.entry_rounds)
        if entry_rounds:
            survival, summary = survival_tables(
                inputs.survival, sources.org_units, rounds=entry_rounds, min_n=min_n,
                assessed_earlier=inputs.assessed_earlier)
    periods = sources.periods.filter(pl.col("period").is_in(_chosen(rounds, parts.periods)))
    completeness = completeness_table(
        sources.children, inputs.completeness, sources.org_units, periods=periods,
        min_n=max((spec.min_n for spec in child_specs), default=5))
    return AnalysisTables(flows=flows, survival=survival, summary=summary,
                          completeness=completeness, parts=parts)


def _chosen(rounds: Sequence[str], part: Iterable[str] | None) -> list[str]:
    """``rounds`` that ``part`` names (all when None), in order."""
    if part is None:
        return list(rounds)
    wanted = set(part)
    return [r for r in rounds if r in wanted]


# --- The incremental refresh ------------------------------------------------------------------


def tracked_children(touched: Touched) -> frozenset[int] | None:
    """The children whose yellow spells to compare before and after an import: those it wrote
    assessments of; None when it wrote none, when they are unknown or too many."""
    if "assessments" not in touched.sources or touched.children is None:
        return None
    return touched.children if len(touched.children) <= MAX_TRACKED_CHILDREN else None


def child_episodes(conn: Connection, children: Iterable[int]) -> pl.DataFrame:
    """The yellow spells of ``children`` from their whole assessment history (read by child id,
    through ``conn``): exactly their spells among all children's, as spells are per child."""
    return yellow_episodes(load_child_assessments(conn, children))


def touched_inputs(conn: Connection, parts: AnalysisParts, labels: Sequence[str], *,
                   loaded: pl.DataFrame | None, loaded_rounds: Rounds | None) -> AnalysisInputs:
    """The assessments each of ``parts`` needs (:func:`indicators.incremental.analysis_windows`),
    over the reporting rounds ``labels``.

    ``loaded`` (the rows of rounds ``loaded_rounds``, already read for the indicators) is used
    when it covers every window; otherwise the windows are read through ``conn``. The children
    assessed before the survival window come from ``loaded`` when it starts at the beginning,
    else from an indexed ``EXISTS`` query.
    """
    windows = analysis_windows(parts, labels)
    index = {p: i for i, p in enumerate(labels)}

    def spots(window: Rounds) -> tuple[int, int]:
        first, last = window
        return (0 if first is None else index[first],
                len(labels) - 1 if last is None else index[last])

    needed = [w for ws in windows.values() for w in ws]
    covered = loaded is not None and loaded_rounds is not None and all(
        spots(loaded_rounds)[0] <= spots(w)[0] and spots(w)[1] <= spots(loaded_rounds)[1]
        for w in needed)
    source = loaded if covered and loaded is not None else load_assessments(
        conn, [_dates(w) for w in _merged(needed, spots)])
    survival = _within(source, windows["survival"])
    earlier = pl.Series("child_id", [], dtype=pl.Int64)
    start = windows["survival"][0][0] if windows["survival"] else None
    if start is not None:
        day = period_bounds(start)[0]
        if covered and loaded_rounds is not None and spots(loaded_rounds)[0] == 0:
            earlier = source.filter(pl.col("assessed_on") < day,
                                    pl.col("position").is_in(POSITIONS))["child_id"].unique()
            earlier = earlier.filter(earlier.is_in(survival["child_id"].implode()))
        else:
            earlier = children_assessed_before(conn, day, POSITIONS)
    return AnalysisInputs(flows=_within(source, windows["flows"]), survival=survival,
                          completeness=_within(source, windows["completeness"]),
                          assessed_earlier=earlier.sort())


def _dates(window: Rounds) -> Window:
    """A window of rounds as its first and last day (None = unbounded)."""
    first, last = window
    return (None if first is None else period_bounds(first)[0],
            None if last is None else period_bounds(last)[1])


def _merged(windows: list[Rounds], spots: Callable[[Rounds], tuple[int, int]]) -> list[Rounds]:
    """``windows`` with overlapping or adjacent ones joined (fewer ranges to read)."""
    out: list[Rounds] = []
    for window in sorted(windows, key=spots):
        if out and spots(window)[0] <= spots(out[-1])[1] + 1:
            if spots(window)[1] > spots(out[-1])[1]:
                out[-1] = (out[-1][0], window[1])
        else:
            out.append(window)
    return out


def _within(assessments: pl.DataFrame, windows: list[Rounds]) -> pl.DataFrame:
    """The rows of ``assessments`` dated in one of ``windows``."""
    if (None, None) in windows:
        return assessments
    if not windows:
        return assessments.clear()
    day = pl.col("assessed_on")
    keep = pl.lit(False)
    for first, last in (_dates(w) for w in windows):
        inside = pl.lit(True)
        if first is not None:
            inside = inside & (day >= first)
        if last is not None:
            inside = inside & (day <= last)
        keep = keep | inside
    return assessments.filter(keep)
