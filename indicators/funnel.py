"""Funnel plots: compare units fairly, taking their size (n) into account.

A unit's share is compared with the reference value ``p0`` (the municipality's share) through
control limits that narrow as n grows; a unit is "different" only outside them, so a daycare with
6 children is not punished for noise (Spiegelhalter 2005, "Funnel plots for comparing
institutional performance", Stat Med 24:1185-1202; the method used by NHS/PHE/OHID fingertips).

For shares the limits are **exact binomial** with Spiegelhalter's interpolation between the
whole-number quantiles (Appendix A.1.1): for a probability level ``q`` (0.975 / 0.025 for 95 %,
0.999 / 0.001 for 99.8 %), let ``r`` be the smallest whole number with ``F(r) >= q``, where ``F``
is the Binomial(n, p0) distribution function, and

    α = (F(r) − q) / (F(r) − F(r − 1)),   limit = (r − α) / n.

For means the limits are the normal approximation ``mean0 ± z·sd/√n``.

Values here are on the engine's scale: shares in % (0-100), so the limits are too
(``scale=100``).

Examples
--------
>>> lower, upper = binomial_limits(0.5, [100], level=0.95)
>>> round(float(lower[0]), 3), round(float(upper[0]), 3)
(0.397, 0.593)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from numpy.typing import ArrayLike
from polars._typing import PolarsDataType
from scipy.stats import binom, norm

LEVELS = (0.95, 0.998)

# Classification codes, ordered from the top of the plot down, with their Danish labels.
CLASSES = ("above_998", "above_95", "inside", "below_95", "below_998")
CLASS_LABELS = {
    "above_998": "Over 99,8 %-grænsen",
    "above_95": "Over 95 %-grænsen",
    "inside": "Inden for grænserne",
    "below_95": "Under 95 %-grænsen",
    "below_998": "Under 99,8 %-grænsen",
}

LIMIT_SCHEMA: dict[str, PolarsDataType] = {
    "n": pl.Int64,
    "lower_95": pl.Float64,
    "upper_95": pl.Float64,
    "lower_998": pl.Float64,
    "upper_998": pl.Float64,
}


def _level_name(level: float) -> str:
    """``0.95`` → ``"95"``, ``0.998`` → ``"998"`` (column suffixes)."""
    return f"{level * 100:g}".replace(".", "")


def binomial_limits(p0: float, n: ArrayLike, *, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial control limits for a proportion, interpolated (Spiegelhalter 2005).

    Parameters
    ----------
    p0
        The reference proportion, 0-1.
    n
        Denominators (whole numbers ≥ 1).
    level
        Two-sided coverage: 0.95 or 0.998.

    Returns
    -------
    (lower, upper)
        Proportions (0-1), one per ``n``, clipped to [0, 1].

    Examples
    --------
    p0 = 0.5, n = 100, upper 95 %: r = 60 (F(59) = 0.9716 < 0.975 ≤ F(60) = 0.9824),
    α = (0.9824 − 0.975) / 0.0108 = 0.685, limit = (60 − 0.685) / 100 = 0.593.
    """
    if not 0.0 <= p0 <= 1.0:
        raise ValueError(f"p0 must be a proportion between 0 and 1, not {p0}")
    ns = np.asarray(n, dtype=np.float64)
    tail = (1.0 - level) / 2.0
    return (_limit(p0, ns, tail), _limit(p0, ns, 1.0 - tail))


def _limit(p0: float, ns: np.ndarray, q: float) -> np.ndarray:
    r = binom.ppf(q, ns, p0)
    f_r = binom.cdf(r, ns, p0)
    f_below = binom.cdf(r - 1, ns, p0)
    step = f_r - f_below
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(step > 0, (f_r - q) / step, 0.0)
    return np.asarray(np.clip((r - alpha) / ns, 0.0, 1.0), dtype=np.float64)


def normal_limits(mean0: float, sd: float, n: ArrayLike, *,
                  level: float) -> tuple[np.ndarray, np.ndarray]:
    """Control limits for a mean: ``mean0 ± z·sd/√n`` with z = 1.96 (95 %) or 3.09 (99.8 %).

    ``sd`` is the standard deviation of single observations around the reference (e.g. of all
    the municipality's children's scores).
    """
    ns = np.asarray(n, dtype=np.float64)
    z = float(norm.ppf(1.0 - (1.0 - level) / 2.0))
    half = z * sd / np.sqrt(ns)
    return mean0 - half, mean0 + half


def funnel_limits(p0: float, *, n_max: int, n_min: int = 1, kind: str = "share",
                  sd: float | None = None, scale: float = 100.0) -> pl.DataFrame:
    """The funnel's limit curves for every whole n from ``n_min`` to ``n_max``, ready to draw.

    Parameters
    ----------
    p0
        The reference value on the value scale: for shares a % (``scale=100``) such as the
        municipality's 62.5; for means the reference mean.
    n_max, n_min
        The range of n to draw (usually 1 to the largest unit's n, with some room).
    kind
        ``"share"`` (exact binomial) or ``"mean"`` (normal; needs ``sd``).
    sd
        For means: the standard deviation of single observations.
    scale
        For shares, the value scale of ``p0`` and the returned limits (100 for %).

    Returns
    -------
    pl.DataFrame
        :data:`LIMIT_SCHEMA`, one row per n.
    """
    ns = np.arange(max(n_min, 1), max(n_max, n_min, 1) + 1)
    columns: dict[str, object] = {"n": ns}
    for level in LEVELS:
        if kind == "share":
            lower, upper = binomial_limits(p0 / scale, ns, level=level)
            lower, upper = lower * scale, upper * scale
        elif kind == "mean":
            if sd is None:
                raise ValueError("normal limits for a mean need sd")
            lower, upper = normal_limits(p0, sd, ns, level=level)
        else:
            raise ValueError(f"unknown kind {kind!r}: use 'share' or 'mean'")
        columns[f"lower_{_level_name(level)}"] = lower
        columns[f"upper_{_level_name(level)}"] = upper
    return pl.DataFrame(columns).cast(LIMIT_SCHEMA)  # type: ignore[arg-type]


def classify(units: pl.DataFrame, p0: float, *, kind: str = "share", sd: float | None = None,
             scale: float = 100.0) -> pl.DataFrame:
    """Place every unit inside or outside the funnel's limits at its own n.

    Parameters
    ----------
    units
        One row per unit with at least ``value`` (Float64, on the scale of ``p0``), ``n``
        (Int64) and ``suppressed`` (Boolean); other columns (``unit_id``, ``label``) are kept.
        Typically the stored values of one indicator and period for the institutions in scope.
    p0, kind, sd, scale
        As in :func:`funnel_limits`.

    Returns
    -------
    pl.DataFrame
        ``units`` without withheld rows (a withheld value, or its n, must not appear on a plot),
        with the four limits at each unit's n and ``classification`` (one of :data:`CLASSES`).
        A value exactly on a limit is inside it.
    """
    shown = units.filter(~pl.col("suppressed") & pl.col("value").is_not_null()
                         & (pl.col("n") > 0))
    if shown.is_empty():
        return shown.with_columns(
            *[pl.lit(None, dtype=pl.Float64).alias(c) for c in LIMIT_SCHEMA if c != "n"],
            pl.lit(None, dtype=pl.Utf8).alias("classification"),
        )
    ns = shown["n"].to_list()
    limits = funnel_limits(p0, n_min=min(ns), n_max=max(ns), kind=kind, sd=sd, scale=scale)
    out = shown.join(limits, on="n", how="left")
    value = pl.col("value")
    return out.with_columns(
        pl.when(value > pl.col("upper_998")).then(pl.lit("above_998"))
        .when(value > pl.col("upper_95")).then(pl.lit("above_95"))
        .when(value < pl.col("lower_998")).then(pl.lit("below_998"))
        .when(value < pl.col("lower_95")).then(pl.lit("below_95"))
        .otherwise(pl.lit("inside")).alias("classification")
    )


def different_units(classified: pl.DataFrame, *, level: float = 0.95) -> pl.DataFrame:
    """The units outside the limits at ``level`` (the ones a table may mark as different)."""
    outside: Sequence[str] = (("above_998", "below_998") if level == 0.998
                              else ("above_998", "above_95", "below_95", "below_998"))
    return classified.filter(pl.col("classification").is_in(list(outside)))
