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

from indicators.format import NO_DATA_TEXT, format_value
from indicators.periods import previous_period
from indicators.registry import COMPUTATIONS
from indicators.status import STATUS_LABELS, status_of


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


def comparison(values: pl.DataFrame, metas: Mapping[str, IndicatorMeta], *,
               units: Mapping[int, str], unit_id: int, period: str,
               withheld_text: str) -> pl.DataFrame:
    """Every indicator (in the order of ``metas``) for several units side by side, as text.

    Columns: ``indicator_id``, ``name``, one column per unit of ``units`` (named by the unit, in
    its order) with the value in ``period``, then ``target`` and the ``status`` label of
    ``unit_id``. ``values`` has had ``with_status`` applied.

    Examples
    --------
    >>> metas = {"x": IndicatorMeta("x", "Andel", "%", "higher", None, 50.0, False)}
    >>> values = pl.DataFrame({"indicator_id": ["x", "x"], "unit_id": [2, 1],
    ...     "period": ["2026H1"] * 2, "value": [60.0, None], "suppressed": [False, True],
    ...     "status": ["on_track", "no_data"]})
    >>> comparison(values, metas, units={2: "Nord", 1: "Kommune"}, unit_id=2, period="2026H1",
    ...            withheld_text="< 5").row(0)
    ('x', 'Andel', '60,0 %', '< 5', '50,0 %', 'På sporet')
    """
    now = values.filter(pl.col("period") == period)
    found = {(r["indicator_id"], r["unit_id"]): r for r in now.iter_rows(named=True)}
    rows = []
    for meta in metas.values():
        row = {"indicator_id": meta.id, "name": meta.name}
        for unit, name in units.items():
            hit = found.get((meta.id, unit))
            row[name] = (format_value(hit["value"], meta.unit, suppressed=hit["suppressed"],
                                      withheld_text=withheld_text) if hit else NO_DATA_TEXT)
        mine = found.get((meta.id, unit_id))
        row["target"] = format_value(meta.target, meta.unit)
        row["status"] = STATUS_LABELS[mine["status"] if mine else "no_data"]
        rows.append(row)
    columns = ["indicator_id", "name", *units.values(), "target", "status"]
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.Utf8))
