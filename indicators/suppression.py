"""Secondary suppression: a withheld value must not be derivable from a total and its visible parts.

Primary suppression (in :mod:`indicators.engine`) withholds every value resting on fewer than
``min_n`` subjects. That is not enough: an area's numerator minus its visible institutions'
numerators gives the one withheld institution. So, for every group of cells that add up to a
visible total, the withheld cells of the group must together rest on at least ``min_n`` subjects;
if they do not, the next smallest visible cell of the group is withheld too, until they do.

The groups ("a total and its parts"):

- **Org tree**: the institutions of an area add up to the area, the areas to the municipality.
- **Age**: ``0-2`` and ``3-5`` add up to ``alle`` (same unit, period, vulnerable flag).
- **Vulnerable**: ``alle`` minus "vulnerable only" is the other children; if that difference rests
  on fewer than ``min_n`` children, the vulnerable-only cell is withheld.

A withheld cell is also never left alone in its group (the total minus the visible parts would
give it back exactly), even when it rests on enough subjects.

The rule runs at refresh time over the whole tree, so every screen and export — and any
combination of them — shows the same, safe set of cells. Rows withheld here are marked
``suppressed`` like primary ones and lose value, numerator and denominator.
"""

from __future__ import annotations

import polars as pl

MAX_PASSES = 10


def _close_groups(frame: pl.DataFrame, group_keys: list[str], min_n: int) -> list[int]:
    """Rows (``_row``) to withhold so that, in every group of ``frame``, the withheld rows rest on
    at least ``min_n`` subjects together: the smallest visible rows first, as few as needed.
    A group with nothing withheld is left alone."""
    groups = frame.group_by(group_keys).agg(
        pl.col("n").filter(pl.col("suppressed")).sum().alias("hidden_n"),
        pl.col("suppressed").sum().alias("hidden_count"),
    ).filter(pl.col("hidden_count") > 0)
    visible = (
        frame.filter(~pl.col("suppressed"))
        .join(groups, on=group_keys, how="inner")
        # Ties are broken by the cells' own keys, never by row order: the same data must give
        # the same withheld cells in every run and every process.
        .sort([*group_keys, "n", "unit_id", "age_group", "vulnerable_only"])
        .with_columns(
            (pl.col("n").cum_sum().over(group_keys) - pl.col("n")).alias("before"),
            pl.int_range(pl.len()).over(group_keys).alias("rank"),
        )
    )
    # Also never leave one withheld cell alone next to its total: it could be recomputed.
    pick = (pl.col("hidden_n") + pl.col("before") < min_n) | (
        (pl.col("hidden_count") == 1) & (pl.col("rank") == 0))
    return visible.filter(pick)["_row"].to_list()


def _withhold(values: pl.DataFrame, rows: list[int]) -> pl.DataFrame:
    if not rows:
        return values
    hit = pl.int_range(pl.len(), dtype=pl.UInt32).is_in(pl.Series(rows, dtype=pl.UInt32).implode())
    return values.with_columns(
        (pl.col("suppressed") | hit).alias("suppressed"),
        *[pl.when(hit).then(None).otherwise(pl.col(c)).alias(c)
          for c in ("value", "numerator", "denominator")],
    )


def secondary_suppression(values: pl.DataFrame, *, org_units: pl.DataFrame,
                          min_n: int) -> pl.DataFrame:
    """Apply the rules above to one indicator's values (``engine.VALUE_SCHEMA``)."""
    if values.is_empty():
        return values
    parents = org_units.select(pl.col("id").alias("unit_id"), pl.col("parent_id"))
    out = values.join(parents, on="unit_id", how="left")
    for _ in range(MAX_PASSES):
        before = int(out["suppressed"].sum())
        # Org tree: the units under one parent, per period and subgroup.
        indexed = out.with_row_index("_row").filter(pl.col("parent_id").is_not_null())
        out = _withhold(out, _close_groups(
            indexed, ["parent_id", "period", "age_group", "vulnerable_only"], min_n))
        # Age: 0-2 and 3-5 under "alle".
        indexed = out.with_row_index("_row").filter(pl.col("age_group") != "alle")
        out = _withhold(out, _close_groups(indexed, ["unit_id", "period", "vulnerable_only"],
                                           min_n))
        out = _withhold_small_complement(out, min_n)
        if int(out["suppressed"].sum()) == before:
            break
    return out.drop("parent_id")


def _withhold_small_complement(values: pl.DataFrame, min_n: int) -> pl.DataFrame:
    """Withhold "vulnerable only" where the other children (alle − vulnerable) are < min_n."""
    keys = ["unit_id", "period", "age_group"]
    whole = values.filter(~pl.col("vulnerable_only")).select(*keys, pl.col("n").alias("n_all"))
    indexed = values.with_row_index("_row").join(whole, on=keys, how="left")
    others = pl.col("n_all") - pl.col("n")
    risky = indexed.filter(
        pl.col("vulnerable_only") & ~pl.col("suppressed") & (others > 0) & (others < min_n)
    )["_row"]
    return _withhold(values, risky.to_list())
