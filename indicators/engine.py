"""Aggregate observations to every org unit and subgroup: the analytics step.

An observation belongs to an institution; it counts for that institution and every unit above it
(area, municipality, national), found from the units' materialised ``path``.

Examples
--------
A municipality (1) with one area (2) and one institution (3); two children observed, one hit:

>>> from indicators.sources import frame
>>> units = frame("org_units", [
...     {"id": 1, "level": "municipality", "path": "/1/"},
...     {"id": 2, "level": "area", "parent_id": 1, "path": "/1/2/"},
...     {"id": 3, "level": "institution", "parent_id": 2, "path": "/1/2/3/"},
... ])
>>> obs = pl.DataFrame({"institution_id": [3, 3], "period": ["2025H1", "2025H1"],
...                     "subject": ["a", "b"], "num": [1.0, 0.0], "den": [1.0, 1.0]})
>>> values = aggregate(obs, org_units=units, aggregation="share", min_n=1, subgroups=False)
>>> values.select("unit_id", "value", "n").rows()
[(1, 50.0, 2), (2, 50.0, 2), (3, 50.0, 2)]
"""

from __future__ import annotations

import polars as pl
from polars._typing import PolarsDataType

from indicators.suppression import secondary_suppression

GROUP_COMBOS = [
    ("alle", False), ("0-2", False), ("3-5", False), ("alle", True), ("0-2", True), ("3-5", True),
]

VALUE_SCHEMA: dict[str, PolarsDataType] = {
    "unit_id": pl.Int64,
    "period": pl.Utf8,
    "age_group": pl.Utf8,
    "vulnerable_only": pl.Boolean,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "n": pl.Int64,
    "suppressed": pl.Boolean,
}


def primary_suppression(aggregation: str, min_n: int) -> pl.Expr:
    """Cells withheld at source: fewer than ``min_n`` subjects, or — for a share — a numerator
    or rest (denominator − numerator) of 1 … ``min_n``-1: value × n would give that count back
    (the small-numerator policy, README "Privacy")."""
    small = pl.col("n") < min_n
    if aggregation != "share":
        return small
    rest = pl.col("denominator") - pl.col("numerator")
    return (small | pl.col("numerator").is_between(1, min_n, closed="left")
            | rest.is_between(1, min_n, closed="left"))


def ancestors(org_units: pl.DataFrame) -> pl.DataFrame:
    """Pairs (institution_id, unit_id) for each institution and every unit above it, itself
    included."""
    inst = org_units.filter(pl.col("level") == "institution").select(
        pl.col("id").alias("institution_id"), pl.col("path")
    )
    return (
        inst.with_columns(pl.col("path").str.strip_chars("/").str.split("/").alias("unit_id"))
        .explode("unit_id")
        .select("institution_id", pl.col("unit_id").cast(pl.Int64))
    )


def _aggregate_one(obs: pl.DataFrame, aggregation: str) -> pl.DataFrame:
    keys = ["unit_id", "period"]
    if aggregation == "gap":
        per_group = obs.group_by(*keys, "group").agg(
            (100 * pl.col("num").sum() / pl.col("den").sum()).alias("share"),
            pl.col("subject").n_unique().alias("n"),
        )
        focus = per_group.filter(pl.col("group") == "focus").drop("group")
        others = per_group.filter(pl.col("group") == "others").drop("group")
        both = focus.join(others, on=keys, how="full", coalesce=True, suffix="_others")
        return both.select(
            *keys,
            (pl.col("share_others") - pl.col("share")).alias("value"),
            pl.col("share_others").alias("numerator"),
            pl.col("share").alias("denominator"),
            pl.min_horizontal(pl.col("n").fill_null(0), pl.col("n_others").fill_null(0))
            .alias("n"),
        )
    grouped = obs.group_by(keys).agg(
        pl.col("num").sum().alias("numerator"),
        pl.col("den").sum().alias("denominator"),
        pl.col("subject").n_unique().alias("n"),
    )
    ratio = pl.when(pl.col("denominator") > 0).then(pl.col("numerator") / pl.col("denominator"))
    value = {
        "share": 100 * ratio,
        "rate": ratio,
        "mean": ratio,
        "sum": pl.col("numerator"),
    }[aggregation]
    return grouped.with_columns(value.alias("value"))


def aggregate(
    obs: pl.DataFrame,
    *,
    org_units: pl.DataFrame,
    aggregation: str,
    min_n: int,
    subgroups: bool,
) -> pl.DataFrame:
    """Values per unit × period × subgroup (``VALUE_SCHEMA``), withheld by
    :func:`primary_suppression` and :func:`indicators.suppression.secondary_suppression`.

    A suppressed row keeps ``n`` (never shown) but has no value, numerator or denominator.
    """
    exploded = obs.join(ancestors(org_units), on="institution_id", how="inner")
    combos = GROUP_COMBOS if subgroups else GROUP_COMBOS[:1]
    parts = []
    for age_group, vulnerable_only in combos:
        if aggregation == "gap" and vulnerable_only:
            continue  # a gap between groups has no meaning inside one of them
        part = exploded
        if age_group != "alle":
            part = part.filter(pl.col("age_group") == age_group)
        if vulnerable_only:
            part = part.filter(pl.col("vulnerable"))
        if part.is_empty():
            continue
        values = _aggregate_one(part, aggregation).with_columns(
            pl.lit(age_group).alias("age_group"), pl.lit(vulnerable_only).alias("vulnerable_only")
        )
        parts.append(values)
    if not parts:
        return pl.DataFrame(schema=VALUE_SCHEMA)
    columns = [c for c in VALUE_SCHEMA if c != "suppressed"]
    out = pl.concat([p.select(columns).cast({c: VALUE_SCHEMA[c] for c in columns})
                     for p in parts])
    primary = out.with_columns(primary_suppression(aggregation, min_n).alias("suppressed"))
    secondary = secondary_suppression(primary, org_units=org_units, min_n=min_n,
                                      aggregation=aggregation)
    return secondary.sort("unit_id", "period", "age_group", "vulnerable_only")
