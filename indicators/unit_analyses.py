"""Flows, time in yellow and completeness for every org unit at once, safe to store.

:mod:`indicators.flows` works on one unit (its institution ids); the refresh needs every unit
(institution, area, municipality) × round, and the published tables of neighbouring units must not
give a withheld count back either: an area's yellow → red count minus the visible counts of its
daycares would be the one daycare's withheld count. So after each table is suppressed on its own,
every cell position (e.g. *yellow → red in 2025H1*) is treated as one indicator over the org tree
and :func:`indicators.suppression.secondary_suppression` withholds more cells where the tree
needs it; the tables touched are suppressed again on their own, until nothing changes.

Examples
--------
Twelve children of one daycare under one municipality, green in spring and in autumn 2025:

>>> import datetime as dt
>>> from indicators.sources import frame
>>> org_units = frame("org_units", [
...     dict(id=1, code="580", level="municipality", path="/1/"),
...     dict(id=3, code="580-001", level="institution", parent_id=1, path="/1/3/")])
>>> assessments = frame("assessments", [
...     dict(child_id=c, institution_id=3, assessed_on=day, position="green")
...     for c in range(12) for day in (dt.date(2025, 3, 1), dt.date(2025, 10, 1))])
>>> flows = flow_tables(assessments, org_units, rounds=["2025H1"], min_n=5)
>>> flows.columns
['unit_id', 'from_round', 'from_position', 'to_position', 'count', 'withheld']
>>> flows.filter(pl.col("count") > 0).select("unit_id", "from_position", "to_position",
...                                           "count").rows()  # doctest: +NORMALIZE_WHITESPACE
[(1, 'green', 'green', 12), (1, 'green', 'alle', 12), (1, 'alle', 'green', 12),
 (1, 'alle', 'alle', 12), (3, 'green', 'green', 12), (3, 'green', 'alle', 12),
 (3, 'alle', 'green', 12), (3, 'alle', 'alle', 12)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from polars._typing import PolarsDataType

from indicators.completeness import COMPLETENESS_SCHEMA, completeness
from indicators.engine import VALUE_SCHEMA, ancestors
from indicators.flows import (
    FLOW_SCHEMA,
    POSITIONS,
    SUMMARY_SCHEMA,
    SURVIVAL_SCHEMA,
    TOTAL,
    next_round,
    position_rounds,
    suppress_flow_tables,
    yellow_episodes,
)
from indicators.suppression import secondary_suppression

MAX_PASSES = 6
NAMES = [*POSITIONS, TOTAL]

UNIT_FLOW_SCHEMA: dict[str, PolarsDataType] = {
    "unit_id": pl.Int64, "from_round": pl.Utf8, **FLOW_SCHEMA}
UNIT_SURVIVAL_SCHEMA: dict[str, PolarsDataType] = {
    "unit_id": pl.Int64, "entry_round": pl.Utf8, **SURVIVAL_SCHEMA}
UNIT_SUMMARY_SCHEMA: dict[str, PolarsDataType] = {
    "unit_id": pl.Int64, "entry_round": pl.Utf8, **SUMMARY_SCHEMA}


def _tree_withheld(cells: pl.DataFrame, org_units: pl.DataFrame, min_n: int) -> pl.DataFrame:
    """Cells (``unit_id``, ``key``, ``n``, ``withheld``) that the org-tree rule withholds.

    Returns the ``unit_id``, ``key`` of every cell withheld after the rule (old and new).
    Visible zero cells are left out: they cannot cover anything.
    """
    if cells.is_empty():
        return cells.select("unit_id", "key")
    values = cells.filter(pl.col("withheld") | (pl.col("n") > 0)).select(
        "unit_id", pl.col("key").alias("period"), pl.lit("alle").alias("age_group"),
        pl.lit(False).alias("vulnerable_only"),
        *[pl.col("n").cast(pl.Float64).alias(c) for c in ("value", "numerator", "denominator")],
        pl.col("n").cast(pl.Int64), pl.col("withheld").alias("suppressed"),
    ).cast(VALUE_SCHEMA)  # type: ignore[arg-type]
    safe = secondary_suppression(values, org_units=org_units, min_n=min_n)
    return safe.filter(pl.col("suppressed")).select("unit_id", pl.col("period").alias("key"))


# --- Flows ------------------------------------------------------------------------------------


def flow_count_frame(assessments: pl.DataFrame, org_units: pl.DataFrame, *,
                     rounds: Sequence[str]) -> pl.DataFrame:
    """Raw counts per unit, from-round, position and next position (unsuppressed, never shown).

    A child counts for the units above the institution it was in at ``from_round``, as in
    :func:`indicators.flows.flow_counts`.
    """
    pr = position_rounds(assessments)
    before = pr.filter(pl.col("round").is_in(list(rounds)))
    after = pr.select("child_id", (pl.col("round_index") - 1).alias("round_index"),
                      pl.col("position").alias("to_position"))
    pairs = before.join(after, on=["child_id", "round_index"], how="inner")
    per_institution = pairs.group_by("institution_id", "round", "position", "to_position").len()
    return (
        per_institution.join(ancestors(org_units), on="institution_id", how="inner")
        .group_by("unit_id", pl.col("round").alias("from_round"),
                  pl.col("position").alias("from_position"), "to_position")
        .agg(pl.col("len").sum().alias("count"))
        .sort("unit_id", "from_round")
    )


def flow_tables(assessments: pl.DataFrame, org_units: pl.DataFrame, *, rounds: Sequence[str],
                min_n: int = 5) -> pl.DataFrame:
    """Published flow tables for every unit and from-round in ``rounds`` (to the next round).

    All tables are suppressed at once (:func:`indicators.flows.suppress_flow_tables`); after
    every pass of the tree rule, only the tables it withheld more cells of are suppressed again.
    The tree rule works on each cell position (``key``) on its own, so a pass gives it only the
    keys with a cell newly withheld since the last pass: the other keys would give the cells
    they gave before, all withheld already (in the first pass, a key with nothing withheld
    gives nothing).

    Returns
    -------
    pl.DataFrame
        :data:`UNIT_FLOW_SCHEMA`: 16 rows per unit and from-round with at least one child
        assessed in both rounds, sorted by unit, from-round and cell (row-major).
    """
    counts = flow_count_frame(assessments, org_units, rounds=rounds)
    if counts.is_empty():
        return pl.DataFrame(schema=UNIT_FLOW_SCHEMA)
    keys, tables = _count_tables(counts)
    values, mask = suppress_flow_tables(tables, min_n=min_n)
    values, mask = values.reshape(-1, 16), mask.reshape(-1, 16)
    new = mask.copy()  # cells withheld since the tree rule last saw their key
    for _ in range(MAX_PASSES):
        cells = _flow_cells(keys, values, mask, new)
        wanted = _cell_mask(_tree_withheld(cells, org_units, min_n), keys)
        changed = np.flatnonzero((wanted & ~mask).any(axis=1))
        if not changed.size:
            break
        _, again = suppress_flow_tables(tables[changed], min_n=min_n,
                                        withheld=(wanted | mask)[changed].reshape(-1, 4, 4))
        new[:] = False
        new[changed] = again.reshape(-1, 16) & ~mask[changed]
        mask[changed] = again.reshape(-1, 16)
    return _flow_output(keys, values, mask)


_POSITION_INDEX = {p: k for k, p in enumerate(POSITIONS)}
_CELL_CODES = pl.Series([f"{i}{j}" for i in range(4) for j in range(4)])


def _count_tables(counts: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
    """The raw 3×3 tables of :func:`flow_count_frame`: the keys (``unit_id``, ``from_round``,
    sorted; row k is table k) and the tables ``(T, 3, 3)``."""
    keys = counts.select("unit_id", "from_round").unique().sort("unit_id", "from_round")
    indexed = counts.join(keys.with_row_index("table"), on=["unit_id", "from_round"]).select(
        pl.col("table").cast(pl.Int64),
        (pl.col("from_position").replace_strict(_POSITION_INDEX, return_dtype=pl.Int64) * 3
         + pl.col("to_position").replace_strict(_POSITION_INDEX, return_dtype=pl.Int64))
        .alias("cell"),
        "count")
    tables = np.zeros((keys.height, 9), dtype=np.int64)
    tables[indexed["table"].to_numpy(), indexed["cell"].to_numpy()] = (
        indexed["count"].to_numpy())
    return keys, tables.reshape(-1, 3, 3)


def _flow_cells(keys: pl.DataFrame, values: np.ndarray, mask: np.ndarray,
                new: np.ndarray) -> pl.DataFrame:
    """The tables' cells as tree-rule cells (``key`` is ``from_round|ij``), for the keys with a
    ``new`` cell in some table: all their units' cells."""
    table = np.repeat(np.arange(keys.height), 16)
    return pl.DataFrame({
        "unit_id": keys["unit_id"].gather(table),
        "key": keys["from_round"].gather(table) + "|" + _CELL_CODES.gather(
            np.tile(np.arange(16), keys.height)),
        "n": values.reshape(-1),
        "withheld": mask.reshape(-1),
        "new": new.reshape(-1),
    }, schema={"unit_id": pl.Int64, "key": pl.Utf8, "n": pl.Int64, "withheld": pl.Boolean,
               "new": pl.Boolean}).filter(pl.col("new").any().over("key")).drop("new")


def _cell_mask(hidden: pl.DataFrame, keys: pl.DataFrame) -> np.ndarray:
    """The cells of ``hidden`` (``unit_id``, ``key`` = ``from_round|ij``) as a ``(T, 16)`` mask
    over the tables of ``keys``."""
    mask = np.zeros((keys.height, 16), dtype=bool)
    if hidden.is_empty():
        return mask
    parts = hidden.select(
        "unit_id",
        pl.col("key").str.split_exact("|", 1).struct.rename_fields(["from_round", "cell"]),
    ).unnest("key").join(keys.with_row_index("table"), on=["unit_id", "from_round"])
    cell = parts["cell"].str.slice(0, 1).cast(pl.Int64) * 4 + parts["cell"].str.slice(
        1, 1).cast(pl.Int64)
    mask[parts["table"].to_numpy(), cell.to_numpy()] = True
    return mask


def _flow_output(keys: pl.DataFrame, values: np.ndarray, mask: np.ndarray) -> pl.DataFrame:
    """The published tables as :data:`UNIT_FLOW_SCHEMA` rows, 16 per table in cell order."""
    table = np.repeat(np.arange(keys.height), 16)
    cell = np.tile(np.arange(16), keys.height)
    names = pl.Series(NAMES)
    return pl.DataFrame({
        "unit_id": keys["unit_id"].gather(table),
        "from_round": keys["from_round"].gather(table),
        "from_position": names.gather(cell // 4),
        "to_position": names.gather(cell % 4),
        "count": values.reshape(-1),
        "withheld": mask.reshape(-1),
    }).with_columns(
        pl.when(pl.col("withheld")).then(None).otherwise(pl.col("count")).alias("count"),
    ).cast(UNIT_FLOW_SCHEMA)  # type: ignore[arg-type]


# --- Time in yellow ---------------------------------------------------------------------------


def survival_tables(assessments: pl.DataFrame, org_units: pl.DataFrame, *,
                    rounds: Sequence[str], min_n: int = 5, max_rounds: int = 3,
                    assessed_earlier: Iterable[int] | pl.Series = ()
                    ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Time in yellow for the children who entered yellow in each round, per unit.

    A spell counts for the units above the institution where it began. The published counts
    (``at_risk`` per round after entry, ``entered`` and ``ended``) also follow the org-tree
    rule; once a round of a curve is withheld, so are the later ones. The curves and summaries
    are those of :func:`indicators.flows.yellow_survival` and
    :func:`indicators.flows.yellow_summary` for each unit and entry round, computed for all of
    them at once (:func:`_curves`).

    Everything is per entry round: the tables of the entry rounds in ``rounds`` rest on the
    spells entering then only. With ``assessments`` a window of the rows from round *w* on and
    ``assessed_earlier`` the children of the window assessed before *w*
    (:func:`indicators.flows.yellow_episodes`), the tables of entry rounds after *w* are those
    of all rows.

    Returns
    -------
    (survival, summary)
        :data:`UNIT_SURVIVAL_SCHEMA` (``max_rounds + 1`` rows per unit and entry round) and
        :data:`UNIT_SUMMARY_SCHEMA` (one row per unit and entry round).
    """
    episodes = yellow_episodes(assessments, assessed_earlier=assessed_earlier).filter(
        pl.col("entry_round").is_in(list(rounds)))
    by_unit = episodes.join(ancestors(org_units), on="institution_id", how="inner")
    if by_unit.is_empty():
        return (pl.DataFrame(schema=UNIT_SURVIVAL_SCHEMA),
                pl.DataFrame(schema=UNIT_SUMMARY_SCHEMA))
    keys = by_unit.select("unit_id", "entry_round").unique().sort("unit_id", "entry_round")
    spells = by_unit.join(keys.with_row_index("group"), on=["unit_id", "entry_round"])
    curves = _curves(spells["group"].to_numpy().astype(np.int64),
                     spells["duration"].to_numpy(), spells["ended"].to_numpy(),
                     (spells["exit_position"] == "red").fill_null(False).to_numpy(),
                     groups=keys.height, min_n=min_n, max_rounds=max_rounds)
    survival = _survival_frame(keys, curves, max_rounds)
    summary = _summary_frame(keys, curves, min_n)
    hidden = _tree_withheld(_survival_cells(keys, curves, max_rounds, min_n), org_units, min_n)
    # ``entered`` is ``risk0`` under another name (the same counts, withheld alike), and the tree
    # rule works on each key on its own: it withholds the same cells of both.
    hidden = pl.concat([hidden, hidden.filter(pl.col("key").str.ends_with("|risk0")).select(
        "unit_id", pl.col("key").str.replace(r"\|risk0$", "|entered"))]).with_columns(
        pl.col("key").str.split("|").list.get(0).alias("entry_round"),
        pl.col("key").str.split("|").list.get(1).alias("what"))
    risk = hidden.filter(pl.col("what").str.starts_with("risk")).select(
        "unit_id", "entry_round",
        pl.col("what").str.slice(4).cast(pl.Int64).alias("first_hidden"),
    ).group_by("unit_id", "entry_round").agg(pl.col("first_hidden").min())
    survival = survival.join(risk, on=["unit_id", "entry_round"], how="left").with_columns(
        (pl.col("withheld") | (pl.col("rounds") >= pl.col("first_hidden")).fill_null(False))
        .alias("withheld"))
    survival = survival.with_columns(
        *[pl.when(pl.col("withheld")).then(None).otherwise(pl.col(c)).alias(c)
          for c in ("at_risk", "still_yellow")]).drop("first_hidden")
    whole = hidden.filter(pl.col("what") == "entered").select(
        "unit_id", "entry_round", pl.lit(True).alias("_all"))
    ended = hidden.filter(pl.col("what") == "ended").select(
        "unit_id", "entry_round", pl.lit(True).alias("_ended"))
    summary = (
        summary.join(whole, on=["unit_id", "entry_round"], how="left")
        .join(ended, on=["unit_id", "entry_round"], how="left")
        .with_columns(pl.col("_all").fill_null(False), pl.col("_ended").fill_null(False))
        .with_columns(
            (pl.col("withheld") | pl.col("_all")).alias("withheld"),
            pl.when(pl.col("_all")).then(None).otherwise(pl.col("entered")).alias("entered"),
            pl.when(pl.col("_all")).then(None).otherwise(pl.col("median_rounds"))
            .alias("median_rounds"),
            *[pl.when(pl.col("_all") | pl.col("_ended")).then(None).otherwise(pl.col(c)).alias(c)
              for c in ("ended", "to_red_share")],
        ).drop("_all", "_ended")
    )
    return (survival.sort("unit_id", "entry_round", "rounds").select(list(UNIT_SURVIVAL_SCHEMA)),
            summary.sort("unit_id", "entry_round").select(list(UNIT_SUMMARY_SCHEMA)))


@dataclass(frozen=True)
class _Curves:
    """Kaplan-Meier curves of many groups of spells, ``(G, D)`` over rounds t = 0 .. D - 1 (D
    covers the longest spell and ``max_rounds``), unsuppressed, and the groups' counts."""

    at_risk: np.ndarray  # spells with duration >= t
    share: np.ndarray  # S(t), as a fraction; S(0) = 1
    withheld: np.ndarray  # from the first t with fewer than min_n at risk (t = 0: entered)
    longest: np.ndarray  # (G,) the longest duration
    entered: np.ndarray  # (G,)
    ended: np.ndarray  # (G,)
    red: np.ndarray  # (G,) ended in red


def _curves(group: np.ndarray, duration: np.ndarray, ended: np.ndarray, red: np.ndarray, *,
            groups: int, min_n: int, max_rounds: int) -> _Curves:
    """:func:`indicators.flows.yellow_survival` for every group of spells at once, with the same
    floating-point steps: ``S(t) = S(t - 1) × (1 − ended at t / at risk at t)``, left to right
    (``S`` unchanged where nobody is at risk).

    Parameters
    ----------
    group
        Each spell's group, ``0 .. groups - 1``; every group has at least one spell.
    duration, ended, red
        Each spell's ``duration``, ``ended`` and whether it ended in red.
    """
    width = max(int(duration.max(initial=0)), max_rounds, 1) + 1
    flat = group * width + duration
    spells = np.bincount(flat, minlength=groups * width).reshape(groups, width)
    events = np.bincount(flat[ended], minlength=groups * width).reshape(groups, width)
    at_risk = spells[:, ::-1].cumsum(axis=1)[:, ::-1]
    factor = np.ones((groups, width))
    factor[:, 1:] = np.where(at_risk[:, 1:] > 0,
                             1 - events[:, 1:] / np.maximum(at_risk[:, 1:], 1), 1.0)
    return _Curves(
        at_risk=at_risk,
        share=np.multiply.accumulate(factor, axis=1),
        withheld=np.logical_or.accumulate(at_risk < min_n, axis=1),
        longest=width - 1 - np.argmax(spells[:, ::-1] > 0, axis=1),
        entered=at_risk[:, 0],
        ended=np.bincount(group[ended], minlength=groups),
        red=np.bincount(group[ended & red], minlength=groups),
    )


def _median_rounds(curves: _Curves) -> np.ndarray:
    """:func:`indicators.flows._median_rounds` per group: the first t in ``1 .. max(longest,
    1)`` (t = 0 is 100 %) not withheld with S(t) ≤ 50 %; NaN where there is none."""
    t = np.arange(curves.share.shape[1])
    reached = ((t <= np.maximum(curves.longest, 1)[:, None]) & ~curves.withheld
               & (100 * curves.share <= 50.0))
    return np.where(reached.any(axis=1), reached.argmax(axis=1).astype(np.float64), np.nan)


def _repeat_keys(keys: pl.DataFrame, times: int) -> dict[str, pl.Series]:
    group = np.repeat(np.arange(keys.height), times)
    return {"unit_id": keys["unit_id"].gather(group),
            "entry_round": keys["entry_round"].gather(group)}


def _survival_frame(keys: pl.DataFrame, curves: _Curves, max_rounds: int) -> pl.DataFrame:
    """:func:`indicators.flows.yellow_survival` rows for every group, before the tree rule."""
    span = max_rounds + 1
    withheld = curves.withheld[:, :span].reshape(-1)
    return pl.DataFrame({
        **_repeat_keys(keys, span),
        "rounds": np.tile(np.arange(span), keys.height),
        "at_risk": curves.at_risk[:, :span].reshape(-1),
        "still_yellow": 100 * curves.share[:, :span].reshape(-1),
        "withheld": withheld,
    }).with_columns(
        *[pl.when(pl.col("withheld")).then(None).otherwise(pl.col(c)).alias(c)
          for c in ("at_risk", "still_yellow")],
    ).cast(UNIT_SURVIVAL_SCHEMA)  # type: ignore[arg-type]


def _summary_frame(keys: pl.DataFrame, curves: _Curves, min_n: int) -> pl.DataFrame:
    """:func:`indicators.flows.yellow_summary` rows for every group, before the tree rule."""
    withheld = curves.entered < min_n
    few_ended = withheld | (curves.ended < min_n)
    return pl.DataFrame({
        **_repeat_keys(keys, 1),
        "entered": curves.entered,
        "ended": curves.ended,
        "median_rounds": _median_rounds(curves),
        "to_red_share": 100 * curves.red / np.maximum(curves.ended, 1),
        "withheld": withheld,
        "_few_ended": few_ended,
    }, nan_to_null=True).with_columns(
        *[pl.when(pl.col("withheld")).then(None).otherwise(pl.col(c)).alias(c)
          for c in ("entered", "median_rounds")],
        *[pl.when(pl.col("_few_ended")).then(None).otherwise(pl.col(c)).alias(c)
          for c in ("ended", "to_red_share")],
    ).drop("_few_ended").cast(UNIT_SUMMARY_SCHEMA)  # type: ignore[arg-type]


def _survival_cells(keys: pl.DataFrame, curves: _Curves, max_rounds: int,
                    min_n: int) -> pl.DataFrame:
    """The raw counts as tree-rule cells, each withheld as published: ``entry_round|risk{t}``
    (at risk at t; ``risk0`` is also ``entered``) and ``entry_round|ended``."""
    span = max_rounds + 1
    names = pl.Series([f"risk{t}" for t in range(span)] + ["ended"])
    table = np.column_stack([curves.at_risk[:, :span], curves.ended])
    hidden = np.column_stack([curves.withheld[:, :span],
                              (curves.entered < min_n) | (curves.ended < min_n)])
    repeated = _repeat_keys(keys, span + 1)
    return pl.DataFrame({
        "unit_id": repeated["unit_id"],
        "key": repeated["entry_round"] + "|" + names.gather(
            np.tile(np.arange(span + 1), keys.height)),
        "n": table.reshape(-1),
        "withheld": hidden.reshape(-1),
    }, schema={"unit_id": pl.Int64, "key": pl.Utf8, "n": pl.Int64, "withheld": pl.Boolean})


# --- Completeness -----------------------------------------------------------------------------


def completeness_table(children: pl.DataFrame, assessments: pl.DataFrame,
                       org_units: pl.DataFrame, *, periods: pl.DataFrame,
                       min_n: int = 5) -> pl.DataFrame:
    """:func:`indicators.completeness.completeness` from the ``children`` source frame (which
    carries ``enrolled_on`` and ``left_on``); ``uncertain`` is left to the reader, who knows the
    configured threshold (:func:`flag_uncertain`)."""
    enrollment = children.select("child_id", "institution_id", "enrolled_on", "left_on")
    if enrollment.is_empty():
        return pl.DataFrame(schema=COMPLETENESS_SCHEMA).drop("uncertain")
    return completeness(enrollment, assessments, org_units=org_units, periods=periods,
                        min_n=min_n).drop("uncertain")


def flag_uncertain(frame: pl.DataFrame, *, threshold: float) -> pl.DataFrame:
    """Add ``uncertain``: completeness below ``threshold`` (%); null where withheld or missing."""
    return frame.with_columns(
        pl.when(pl.col("completeness").is_null()).then(None)
        .otherwise(pl.col("completeness") < threshold).alias("uncertain"))


def next_rounds(rounds: Sequence[str]) -> list[str]:
    """The from-rounds of ``rounds`` whose next round is also in ``rounds``."""
    have = set(rounds)
    return [r for r in rounds if next_round(r) in have]
