"""Completeness (DHIS2's "reporting rate"): how many of the children who should have been
assessed in a period were.

A share computed from 30 % of the children looks as solid as one from 100 %; completeness next to
the value tells them apart. For a unit and period:

    completeness = children enrolled in the period who were assessed / children enrolled,

summed up the org tree (Σ assessed / Σ enrolled, never a mean of percentages). Below a threshold
(default 80 %) the value is flagged "usikkert datagrundlag": shown, but marked.

**Enrolled in the period** means enrolled for at least ``min_days`` days of it (default 90): a
child who started in the last weeks of a half-year is not yet expected to be assessed. A child
counts for the institution of its enrollment row. **Assessed** means at least one observation
(by default an assessment; any child-level source with a date works) in the period, at any
institution in the frame; children observed but not counted as enrolled do not count, so the
share never exceeds 100 %.

Small numbers follow the engine: a unit with fewer than ``min_n`` enrolled children is withheld,
with the same secondary suppression across the org tree (:mod:`indicators.suppression`).

Examples
--------
>>> completeness(enrollment, assessments, org_units=units, periods=periods)  # doctest: +SKIP
shape: (1, 7)
┌─────────┬────────┬──────────┬──────────┬──────────────┬───────────┬──────────┐
│ unit_id ┆ period ┆ enrolled ┆ assessed ┆ completeness ┆ uncertain ┆ withheld │
╞═════════╪════════╪══════════╪══════════╪══════════════╪═══════════╪══════════╡
│ 3       ┆ 2025H1 ┆ 10       ┆ 7        ┆ 70.0         ┆ true      ┆ false    │
└─────────┴────────┴──────────┴──────────┴──────────────┴───────────┴──────────┘
"""

from __future__ import annotations

from typing import Any

import polars as pl
from polars._typing import PolarsDataType

from indicators.engine import ancestors
from indicators.suppression import secondary_suppression

UNCERTAIN_TEXT = "usikkert datagrundlag"
DEFAULT_THRESHOLD = 80.0
DEFAULT_MIN_DAYS = 90

# The enrollment frame (the store's ``child`` table): one row per child.
ENROLLMENT_SCHEMA: dict[str, PolarsDataType] = {
    "child_id": pl.Int64,
    "institution_id": pl.Int64,
    "enrolled_on": pl.Date,
    "left_on": pl.Date,  # null while still enrolled
}

COUNT_SCHEMA: dict[str, PolarsDataType] = {
    "institution_id": pl.Int64,
    "period": pl.Utf8,
    "enrolled": pl.Int64,
    "assessed": pl.Int64,
}

COMPLETENESS_SCHEMA: dict[str, PolarsDataType] = {
    "unit_id": pl.Int64,
    "period": pl.Utf8,
    "enrolled": pl.Int64,  # null when withheld
    "assessed": pl.Int64,  # null when withheld
    "completeness": pl.Float64,  # %, null when withheld
    "uncertain": pl.Boolean,  # completeness below the threshold; null when withheld
    "withheld": pl.Boolean,
}


def enrollment_frame(rows: list[dict[str, Any]] | None = None) -> pl.DataFrame:
    """An enrollment frame with its schema (for tests and loaders); missing columns are null."""
    return pl.DataFrame([{k: r.get(k) for k in ENROLLMENT_SCHEMA} for r in rows or []],
                        schema=ENROLLMENT_SCHEMA)


def expected_children(enrollment: pl.DataFrame, *, periods: pl.DataFrame,
                      min_days: int = DEFAULT_MIN_DAYS) -> pl.DataFrame:
    """Children enrolled for at least ``min_days`` days of each period.

    Parameters
    ----------
    enrollment
        :data:`ENROLLMENT_SCHEMA`.
    periods
        The ``periods`` source frame: ``period``, ``start``, ``end``.

    Returns
    -------
    pl.DataFrame
        ``child_id``, ``institution_id``, ``period``, ``start``, ``end``; child-level, never shown.
    """
    first = pl.max_horizontal("enrolled_on", "start")
    last = pl.min_horizontal(pl.col("left_on").fill_null(pl.col("end")), "end")
    days = (last - first).dt.total_days() + 1
    return (
        enrollment.join(periods.select("period", "start", "end"), how="cross")
        .filter(days >= min_days)
        .select("child_id", "institution_id", "period", "start", "end")
    )


def completeness_counts(enrollment: pl.DataFrame, observed: pl.DataFrame, *,
                        periods: pl.DataFrame, date_column: str = "assessed_on",
                        min_days: int = DEFAULT_MIN_DAYS) -> pl.DataFrame:
    """Enrolled and assessed children per institution and period (unsuppressed).

    Parameters
    ----------
    enrollment
        :data:`ENROLLMENT_SCHEMA`.
    observed
        A child-level source with ``child_id`` and ``date_column`` (e.g. ``assessments`` with
        ``assessed_on``, ``relations`` with ``mapped_on``).
    periods
        ``period``, ``start``, ``end``.

    Returns
    -------
    pl.DataFrame
        :data:`COUNT_SCHEMA`: one row per institution and period with at least one enrolled child.
    """
    expected = expected_children(enrollment, periods=periods, min_days=min_days)
    seen = (
        expected.select("child_id", "period", "start", "end")
        .join(observed.select("child_id", pl.col(date_column).alias("_on")), on="child_id")
        .filter(pl.col("_on").is_between(pl.col("start"), pl.col("end")))
        .select("child_id", "period").unique()
        .with_columns(pl.lit(True).alias("_seen"))
    )
    return (
        expected.join(seen, on=["child_id", "period"], how="left")
        .group_by("institution_id", "period")
        .agg(pl.len().alias("enrolled"), pl.col("_seen").fill_null(False).sum().alias("assessed"))
        .cast(COUNT_SCHEMA)  # type: ignore[arg-type]
        .select(list(COUNT_SCHEMA))
        .sort("institution_id", "period")
    )


def completeness(enrollment: pl.DataFrame, observed: pl.DataFrame, *, org_units: pl.DataFrame,
                 periods: pl.DataFrame, threshold: float = DEFAULT_THRESHOLD, min_n: int = 5,
                 min_days: int = DEFAULT_MIN_DAYS,
                 date_column: str = "assessed_on") -> pl.DataFrame:
    """Completeness for every org unit (institution, area, municipality, ...) and period.

    Parameters
    ----------
    enrollment, observed, periods, date_column, min_days
        As in :func:`completeness_counts`.
    org_units
        The ``org_units`` source frame (``id``, ``level``, ``parent_id``, ``path``).
    threshold
        Completeness in % below which a value is flagged ``uncertain`` (``usikkert
        datagrundlag``).
    min_n
        Units with fewer enrolled children are withheld (with secondary suppression).

    Returns
    -------
    pl.DataFrame
        :data:`COMPLETENESS_SCHEMA`, sorted by unit and period.
    """
    counts = completeness_counts(enrollment, observed, periods=periods, date_column=date_column,
                                 min_days=min_days)
    summed = (
        counts.join(ancestors(org_units), on="institution_id", how="inner")
        .group_by("unit_id", "period")
        .agg(pl.col("enrolled").sum(), pl.col("assessed").sum())
    )
    # In the engine's value shape, so the org tree's secondary suppression applies unchanged.
    small = pl.col("enrolled") < min_n
    values = summed.select(
        "unit_id", "period", pl.lit("alle").alias("age_group"),
        pl.lit(False).alias("vulnerable_only"),
        pl.when(small).then(None).otherwise(100.0 * pl.col("assessed") / pl.col("enrolled"))
        .alias("value"),
        pl.when(small).then(None).otherwise(pl.col("assessed").cast(pl.Float64))
        .alias("numerator"),
        pl.when(small).then(None).otherwise(pl.col("enrolled").cast(pl.Float64))
        .alias("denominator"),
        pl.col("enrolled").cast(pl.Int64).alias("n"),
        small.alias("suppressed"),
    )
    safe = secondary_suppression(values, org_units=org_units, min_n=min_n)
    return safe.select(
        "unit_id", "period",
        pl.col("denominator").cast(pl.Int64).alias("enrolled"),
        pl.col("numerator").cast(pl.Int64).alias("assessed"),
        pl.col("value").alias("completeness"),
        pl.when(pl.col("suppressed")).then(None)
        .otherwise(pl.col("value") < threshold).alias("uncertain"),
        pl.col("suppressed").alias("withheld"),
    ).cast(COMPLETENESS_SCHEMA).sort("unit_id", "period")  # type: ignore[arg-type]


def with_completeness(values: pl.DataFrame, completeness_frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``completeness`` and ``uncertain`` to indicator values (joined on unit and period).

    Completeness is about all enrolled children of the unit, so every subgroup row of a unit and
    period gets the same figures. Units without enrolled children get nulls.
    """
    extra = completeness_frame.select("unit_id", "period", "completeness", "uncertain")
    return values.join(extra, on=["unit_id", "period"], how="left")
