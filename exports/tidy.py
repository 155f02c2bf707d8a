"""Tidy ("long") export of indicator values: one row per indicator × org unit × period.

Pure functions over polars frames; suppressed values never leave with their n, value,
numerator or denominator. Strings that a spreadsheet would run as a formula are neutralised.

This is the raw, code-named file of the command line (``manage.py export``); the pages export
what they show through :mod:`exports.tables`. The writers live in :mod:`exports.files` and are
re-exported here for the callers of this module.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from polars._typing import PolarsDataType

from exports.files import neutralise, neutralise_frame, to_csv_bytes, to_xlsx_bytes
from indicators.status import STATUS_LABELS
from indicators.summary import IndicatorMeta, pick_subgroup, with_status

TIDY_COLUMNS: dict[str, PolarsDataType] = {
    "programme": pl.Utf8,
    "layer": pl.Utf8,
    "box": pl.Utf8,
    "indicator_id": pl.Utf8,
    "indicator": pl.Utf8,
    "org_unit_code": pl.Utf8,
    "org_unit": pl.Utf8,
    "org_level": pl.Utf8,
    "period": pl.Utf8,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "n": pl.Int64,
    "target": pl.Float64,
    "status": pl.Utf8,
    "suppressed": pl.Boolean,
}


def _metas(programme) -> dict[str, IndicatorMeta]:  # type: ignore[no-untyped-def]
    return {i.id: IndicatorMeta.of(i) for i in programme.indicators()}


def tidy_frame(values: pl.DataFrame, programme, org_units: pl.DataFrame, *,  # type: ignore[no-untyped-def]
               age_group: str = "alle", vulnerable_only: bool = False) -> pl.DataFrame:
    """Stored values (``VALUE_COLUMNS``) → the tidy export frame (``TIDY_COLUMNS``)."""
    metas = _metas(programme)
    if values.is_empty():
        return pl.DataFrame(schema=TIDY_COLUMNS)
    values = values.filter(pl.col("indicator_id").is_in(list(metas)))
    picked = pick_subgroup(values, metas, age_group=age_group, vulnerable_only=vulnerable_only)
    hidden = pl.col("suppressed")
    picked = picked.with_columns(
        [pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c)
         for c in ("value", "numerator", "denominator", "n")]
    )
    picked = with_status(picked, metas)
    order = {ind.id: k for k, ind in enumerate(programme.indicators())}
    boxes = pl.DataFrame(
        [
            {"indicator_id": ind.id, "layer": layer.title, "box": box.title,
             "indicator": ind.name, "_order": order[ind.id]}
            for layer, box in programme.boxes() for ind in box.indicators
        ],
        schema={"indicator_id": pl.Utf8, "layer": pl.Utf8, "box": pl.Utf8,
                "indicator": pl.Utf8, "_order": pl.Int64},
    )
    units = org_units.select(pl.col("id").alias("unit_id"), pl.col("code").alias("org_unit_code"),
                             pl.col("name").alias("org_unit"), pl.col("level").alias("org_level"),
                             pl.col("path").alias("_path") if "path" in org_units.columns
                             else pl.lit("").alias("_path"))
    out = (
        picked.join(boxes, on="indicator_id", how="inner")
        .join(units, on="unit_id", how="inner")
        .with_columns(pl.lit(programme.id).alias("programme"),
                      pl.col("status").replace_strict(STATUS_LABELS, default=pl.col("status")))
        .sort("_order", "_path", "period")
    )
    return out.select([pl.col(c).cast(t) for c, t in TIDY_COLUMNS.items()])


__all__ = ["TIDY_COLUMNS", "export_filename", "neutralise", "neutralise_frame",
           "tidy_frame", "to_csv_bytes", "to_xlsx_bytes"]


def export_filename(programme_id: str, org_unit_code: str, period_from: str, period_to: str,
                    today: dt.date, ext: str) -> str:
    def clean(part: str) -> str:
        return re.sub(r"[^A-Za-z0-9_-]+", "-", part).strip("-") or "x"

    return (f"{clean(programme_id)}_{clean(org_unit_code)}_{clean(period_from)}-"
            f"{clean(period_to)}_{today:%Y-%m-%d}.{clean(ext.lstrip('.'))}")
