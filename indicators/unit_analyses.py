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
>>> rounds = ["2025H1", "2025H2"]
>>> flows = flow_tables(assessments, org_units, rounds=rounds, min_n=5)  # doctest: +SKIP
>>> flows.columns  # doctest: +SKIP
['unit_id', 'from_round', 'from_position', 'to_position', 'count', 'withheld']
"""

from __future__ import annotations

from collections.abc import Sequence

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
    yellow_summary,
    yellow_survival,
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
                    rounds: Sequence[str], min_n: int = 5,
                    max_rounds: int = 3) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Time in yellow for the children who entered yellow in each round, per unit.

    A spell counts for the units above the institution where it began. The published counts
    (``at_risk`` per round after entry, ``entered`` and ``ended``) also follow the org-tree
    rule; once a round of a curve is withheld, so are the later ones.

    Returns
    -------
    (survival, summary)
        :data:`UNIT_SURVIVAL_SCHEMA` (``max_rounds + 1`` rows per unit and entry round) and
        :data:`UNIT_SUMMARY_SCHEMA` (one row per unit and entry round).
    """
    episodes = yellow_episodes(assessments).filter(pl.col("entry_round").is_in(list(rounds)))
    by_unit = episodes.join(ancestors(org_units), on="institution_id", how="inner")
    curves, summaries = [], []
    for (unit_id, entry_round), part in by_unit.group_by("unit_id", "entry_round"):
        keys = [pl.lit(unit_id, pl.Int64).alias("unit_id"),
                pl.lit(entry_round, pl.Utf8).alias("entry_round")]
        curves.append(yellow_survival(part, max_rounds=max_rounds, min_n=min_n).select(
            *keys, pl.all()))
        summaries.append(yellow_summary(part, min_n=min_n).select(*keys, pl.all()))
    if not curves:
        return (pl.DataFrame(schema=UNIT_SURVIVAL_SCHEMA),
                pl.DataFrame(schema=UNIT_SUMMARY_SCHEMA))
    survival = pl.concat(curves).cast(UNIT_SURVIVAL_SCHEMA)  # type: ignore[arg-type]
    summary = pl.concat(summaries).cast(UNIT_SUMMARY_SCHEMA)  # type: ignore[arg-type]
    # The raw counts, for the tree rule (the frames above hold only published ones).
    raw_risk = {(int(u), str(r), t): int(((g["duration"] >= t)).sum())
                for (u, r), g in by_unit.group_by("unit_id", "entry_round")
                for t in range(max_rounds + 1)}
    raw_entered = {(int(u), str(r)): g.height
                   for (u, r), g in by_unit.group_by("unit_id", "entry_round")}
    raw_ended = {(int(u), str(r)): int(g["ended"].sum())
                 for (u, r), g in by_unit.group_by("unit_id", "entry_round")}
    cells = pl.DataFrame(
        [{"unit_id": u, "key": f"{r}|risk{t}", "n": n,
          "withheld": bool(w)}
         for (u, r, t, w) in survival.select("unit_id", "entry_round", "rounds",
                                             "withheld").iter_rows()
         for n in [raw_risk[u, r, t]]]
        + [{"unit_id": u, "key": f"{r}|entered", "n": raw_entered[u, r], "withheld": bool(w)}
           for (u, r, w) in summary.select("unit_id", "entry_round", "withheld").iter_rows()]
        + [{"unit_id": u, "key": f"{r}|ended", "n": raw_ended[u, r], "withheld": e is None}
           for (u, r, e) in summary.select("unit_id", "entry_round", "ended").iter_rows()],
        schema={"unit_id": pl.Int64, "key": pl.Utf8, "n": pl.Int64, "withheld": pl.Boolean})
    hidden = _tree_withheld(cells, org_units, min_n).with_columns(
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
