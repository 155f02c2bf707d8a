"""Read-side views over stored indicator values: subgroup choice, status, change, ranking.

All pure polars over the frame of ``data_access.analytics.VALUE_COLUMNS``; the indicator
definitions come in as :class:`IndicatorMeta`, built from a config spec by
:meth:`IndicatorMeta.of`, so this module needs nothing from the config layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from indicators.periods import previous_period
from indicators.registry import COMPUTATIONS
from indicators.status import status_of


class IndicatorSpecLike(Protocol):
    """The fields of ``core.model_config.IndicatorSpec`` that :class:`IndicatorMeta` reads."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def computation(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def baseline(self) -> float | None: ...
    @property
    def target(self) -> float: ...


@dataclass(frozen=True)
class IndicatorMeta:
    """What the read side needs to know of an indicator."""

    id: str
    name: str
    unit: str
    direction: str
    baseline: float | None
    target: float
    subgroups: bool

    @classmethod
    def of(cls, spec: IndicatorSpecLike) -> IndicatorMeta:
        """The read-side view of a configured indicator; ``subgroups`` from its computation."""
        return cls(id=spec.id, name=spec.name, unit=spec.unit, direction=spec.direction,
                   baseline=spec.baseline, target=spec.target,
                   subgroups=COMPUTATIONS[spec.computation].subgroups)


def pick_subgroup(
    values: pl.DataFrame, metas: Mapping[str, IndicatorMeta], *, age_group: str,
    vulnerable_only: bool,
) -> pl.DataFrame:
    """Keep the requested subgroup for child-based indicators and the whole population for the
    rest (they do not vary with the child filters)."""
    child_based = [k for k, m in metas.items() if m.subgroups]
    wanted = (pl.col("age_group") == age_group) & (pl.col("vulnerable_only") == vulnerable_only)
    whole = (pl.col("age_group") == "alle") & ~pl.col("vulnerable_only")
    keep = pl.when(pl.col("indicator_id").is_in(child_based)).then(wanted).otherwise(whole)
    return values.filter(keep).drop("age_group", "vulnerable_only")


def with_status(values: pl.DataFrame, metas: Mapping[str, IndicatorMeta]) -> pl.DataFrame:
    """Add ``target`` and ``status`` (on_track / close / off_track / no_data) per row."""
    statuses = [
        status_of(v, target=metas[i].target, baseline=metas[i].baseline,
                  direction=metas[i].direction)
        for i, v in zip(values["indicator_id"], values["value"], strict=True)
    ]
    targets = [metas[i].target for i in values["indicator_id"]]
    return values.with_columns(
        pl.Series("target", targets, dtype=pl.Float64),
        pl.Series("status", statuses, dtype=pl.Utf8),
    )


def snapshot(values: pl.DataFrame, *, unit_id: int, period: str) -> pl.DataFrame:
    """One row per indicator for a unit and period, with the change since the previous period.

    ``change`` is null when either value is missing or withheld.
    """
    mine = values.filter(pl.col("unit_id") == unit_id)
    now = mine.filter(pl.col("period") == period)
    before = mine.filter(pl.col("period") == previous_period(period)).select(
        "indicator_id", pl.col("value").alias("previous_value")
    )
    return now.join(before, on="indicator_id", how="left").with_columns(
        (pl.col("value") - pl.col("previous_value")).alias("change")
    )


def ranking(values: pl.DataFrame, *, indicator_id: str, period: str, unit_ids: list[int],
            direction: str) -> pl.DataFrame:
    """Units ranked on one indicator in one period, best first; withheld values last, unranked."""
    rows = values.filter(
        (pl.col("indicator_id") == indicator_id) & (pl.col("period") == period)
        & pl.col("unit_id").is_in(unit_ids)
    )
    ranked = rows.filter(pl.col("value").is_not_null()).sort(
        "value", descending=direction == "higher"
    ).with_row_index("rank", offset=1)
    rest = rows.filter(pl.col("value").is_null()).with_columns(
        pl.lit(None, dtype=pl.UInt32).alias("rank")
    ).select(ranked.columns)
    return pl.concat([ranked, rest])
