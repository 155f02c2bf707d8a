"""Equity over time (L2): both groups' shares and the gap between them, per period.

A gap indicator (``aggregation = "gap"``, e.g. :func:`indicators.computations.green_gap`) stores
one number per period: share(others) − share(focus), in percentage points. Whether the gap closes
because the vulnerable children do better or because the others do worse is only visible with
both lines drawn; this module builds that frame.

Privacy: a row is withheld whole when either group has fewer than ``min_n`` children. Withholding
only the small group is not enough: the share of all children (published by the ordinary
indicator) together with the other group's share and n gives it back.

Examples
--------
>>> group_shares(green_gap(src), institution_ids=[3, 4])  # doctest: +SKIP
shape: (2, 8)
┌────────┬─────────────┬─────────┬──────────────┬──────────┬──────┬─────┬──────────┐
│ period ┆ share_focus ┆ n_focus ┆ share_others ┆ n_others ┆ gap  ┆ n   ┆ withheld │
╞════════╪═════════════╪═════════╪══════════════╪══════════╪══════╪═════╪══════════╡
│ 2025H1 ┆ 50.0        ┆ 8       ┆ 80.0         ┆ 20       ┆ 30.0 ┆ 8   ┆ false    │
│ 2025H2 ┆ null        ┆ null    ┆ null         ┆ null     ┆ null ┆ null┆ true     │
└────────┴─────────────┴─────────┴──────────────┴──────────┴──────┴─────┴──────────┘
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from polars._typing import PolarsDataType

FOCUS, OTHERS = "focus", "others"
GROUP_LABELS = {FOCUS: "Børn i udsatte positioner", OTHERS: "Øvrige børn"}

EQUITY_SCHEMA: dict[str, PolarsDataType] = {
    "period": pl.Utf8,
    "share_focus": pl.Float64,  # % of the focus group (children in vulnerable positions)
    "n_focus": pl.Int64,  # null when withheld, or unknown (from stored values)
    "share_others": pl.Float64,  # % of the other children
    "n_others": pl.Int64,
    "gap": pl.Float64,  # share_others − share_focus, percentage points
    "n": pl.Int64,  # the smaller group's n, as the engine stores it
    "withheld": pl.Boolean,
}


def group_shares(observations: pl.DataFrame, *, institution_ids: Sequence[int] | None = None,
                 min_n: int = 5) -> pl.DataFrame:
    """Both groups' shares and the gap per period, from a gap computation's observations.

    Parameters
    ----------
    observations
        Observations (``OBSERVATION_SCHEMA``) with ``group`` set to ``"focus"`` / ``"others"``,
        e.g. ``green_gap(src)``, within the viewer's scope.
    institution_ids
        The institutions of the chosen unit; None for all.
    min_n
        A period where either group has fewer children is withheld whole.

    Returns
    -------
    pl.DataFrame
        :data:`EQUITY_SCHEMA`, one row per period with observations, in period order.
    """
    obs = observations.filter(pl.col("group").is_in([FOCUS, OTHERS]))
    if institution_ids is not None:
        obs = obs.filter(pl.col("institution_id").is_in(list(institution_ids)))
    per_group = obs.group_by("period", "group").agg(
        (100 * pl.col("num").sum() / pl.col("den").sum()).alias("share"),
        pl.col("subject").n_unique().alias("n"),
    )
    wide = (
        obs.select("period").unique()
        .join(per_group.filter(pl.col("group") == FOCUS).select(
            "period", pl.col("share").alias("share_focus"), pl.col("n").alias("n_focus")),
            on="period", how="left")
        .join(per_group.filter(pl.col("group") == OTHERS).select(
            "period", pl.col("share").alias("share_others"), pl.col("n").alias("n_others")),
            on="period", how="left")
    )
    withheld = (pl.col("n_focus").fill_null(0) < min_n) | (pl.col("n_others").fill_null(0) < min_n)
    hide = [pl.when(withheld).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("share_focus", "n_focus", "share_others", "n_others")]
    return wide.select(
        "period", *hide,
        pl.when(withheld).then(None).otherwise(pl.col("share_others") - pl.col("share_focus"))
        .alias("gap"),
        pl.when(withheld).then(None).otherwise(pl.min_horizontal("n_focus", "n_others"))
        .alias("n"),
        withheld.alias("withheld"),
    ).cast(EQUITY_SCHEMA).sort("period")  # type: ignore[arg-type]


def equity_from_values(values: pl.DataFrame) -> pl.DataFrame:
    """The same frame from a gap indicator's stored values for one unit (no recomputation).

    The engine stores a gap's ``numerator`` as share(others) and ``denominator`` as
    share(focus), and ``n`` as the smaller group's n; the groups' own n are not stored, so
    ``n_focus`` and ``n_others`` are null.

    Parameters
    ----------
    values
        Rows of ``engine.VALUE_SCHEMA`` for one unit and one subgroup (the caller filters
        ``unit_id`` and ``age_group``), one per period.
    """
    suppressed = pl.col("suppressed")
    return values.select(
        "period",
        pl.col("denominator").alias("share_focus"),
        pl.lit(None, dtype=pl.Int64).alias("n_focus"),
        pl.col("numerator").alias("share_others"),
        pl.lit(None, dtype=pl.Int64).alias("n_others"),
        pl.col("value").alias("gap"),
        pl.when(suppressed).then(None).otherwise(pl.col("n")).alias("n"),
        suppressed.alias("withheld"),
    ).cast(EQUITY_SCHEMA).sort("period")  # type: ignore[arg-type]
