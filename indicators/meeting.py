"""Pure computations for the steering group's meeting: status counts per layer, the biggest
moves since the previous period, and the order of follow-ups.

Input frames are those of :mod:`indicators.summary` (``with_status`` applied); the model comes in
as plain mappings so nothing here depends on the config layer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import polars as pl

from indicators.periods import previous_period
from indicators.status import STATUS_LABELS
from indicators.summary import IndicatorMeta

STATUSES = tuple(STATUS_LABELS)  # on_track, close, off_track, no_data


def status_counts(values: pl.DataFrame, layers: Mapping[str, Sequence[str]], *, unit_id: int,
                  period: str) -> pl.DataFrame:
    """Per layer, how many of the given indicators are in each status for a unit and period.

    ``layers`` maps a layer id to its indicator ids (typically each box's headline). An
    indicator without a row, or with a withheld value, counts as ``no_data``. Columns:
    ``layer_id``, ``on_track``, ``close``, ``off_track``, ``no_data``, ``total``.
    """
    now = values.filter((pl.col("unit_id") == unit_id) & (pl.col("period") == period))
    status_by_id = dict(zip(now["indicator_id"].to_list(), now["status"].to_list(), strict=True))
    rows = []
    for layer_id, indicator_ids in layers.items():
        counts = dict.fromkeys(STATUSES, 0)
        for indicator_id in indicator_ids:
            counts[status_by_id.get(indicator_id) or "no_data"] += 1
        rows.append({"layer_id": layer_id, **counts, "total": len(indicator_ids)})
    schema = {"layer_id": pl.Utf8, **dict.fromkeys(STATUSES, pl.Int64), "total": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _scale(meta: IndicatorMeta) -> float:
    """What one "whole step" is for an indicator: the distance from baseline to target, else the
    target, else 1 (so changes in different units can be compared)."""
    if meta.baseline is not None and meta.target != meta.baseline:
        return abs(meta.target - meta.baseline)
    return abs(meta.target) or 1.0


def biggest_moves(values: pl.DataFrame, metas: Mapping[str, IndicatorMeta], *, unit_id: int,
                  period: str, limit: int = 5) -> pl.DataFrame:
    """The indicators that moved most since the previous period, largest first.

    Movement is compared across units as the change divided by the baseline-to-target distance
    (``relative``, signed so that positive = better). Withheld or missing values on either side
    are left out. Columns: ``indicator_id``, ``value``, ``previous_value``, ``change``,
    ``relative``, ``improved``, ``status``, ``previous_status``.
    """
    mine = values.filter(pl.col("unit_id") == unit_id)
    now = mine.filter(pl.col("period") == period).select(
        "indicator_id", "value", "status", "suppressed")
    before = mine.filter(pl.col("period") == previous_period(period)).select(
        "indicator_id", pl.col("value").alias("previous_value"),
        pl.col("status").alias("previous_status"), pl.col("suppressed").alias("prev_suppressed"))
    both = now.join(before, on="indicator_id", how="inner").filter(
        pl.col("value").is_not_null() & pl.col("previous_value").is_not_null()
        & ~pl.col("suppressed") & ~pl.col("prev_suppressed")
        & pl.col("indicator_id").is_in(list(metas))
    )
    sign = {k: (1.0 if m.direction == "higher" else -1.0) / _scale(m) for k, m in metas.items()}
    out = both.with_columns(
        (pl.col("value") - pl.col("previous_value")).alias("change"),
    ).with_columns(
        (pl.col("change") * pl.col("indicator_id").replace_strict(sign, return_dtype=pl.Float64))
        .alias("relative"),
    ).with_columns(
        (pl.col("relative") > 0).alias("improved"),
    ).filter(pl.col("change") != 0)
    return (
        out.sort(pl.col("relative").abs(), "indicator_id", descending=[True, False])
        .head(limit)
        .select("indicator_id", "value", "previous_value", "change", "relative", "improved",
                "status", "previous_status")
    )


def order_followups(followups: pl.DataFrame, *, meeting_date: dt.date) -> pl.DataFrame:
    """Follow-ups due on or before the meeting date first (earliest first), then the rest by due
    date (those without one last). Adds ``due_before_meeting``."""
    return followups.with_columns(
        (pl.col("due_on").is_not_null() & (pl.col("due_on") <= meeting_date))
        .alias("due_before_meeting")
    ).sort(["due_before_meeting", "due_on", "id"], descending=[True, False, False],
           nulls_last=True)


def clamp_step(index: int, step: int, count: int) -> int:
    """The next position in a walk-through of ``count`` sections (stays within 0..count-1)."""
    if count <= 0:
        return 0
    return max(0, min(count - 1, index + step))


KIND_LABELS = {"kommentar": "Kommentar", "beslutning": "Beslutning", "opfoelgning": "Opfølgning"}
FOLLOWUP_LABELS = {"aaben": "Åben", "i_gang": "I gang", "afsluttet": "Afsluttet"}
