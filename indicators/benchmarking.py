"""Units side by side on one indicator, against a reference unit (pure polars).

The *Kommuner* page compares the municipalities running a national programme with the
programme's national aggregate: one row per municipality with its value, n and status in one
period. A withheld value keeps neither value nor n (the store keeps n for a withheld row; it
is never shown), exactly as every other screen.

Examples
--------
>>> meta = IndicatorMeta("x", "Andel", "%", "higher", None, 50.0, False)
>>> values = pl.DataFrame({"indicator_id": ["x"] * 3, "unit_id": [1, 2, 3],
...     "period": ["2019H2"] * 3, "value": [55.0, 60.0, None], "n": [40, 30, 3],
...     "suppressed": [False, False, True], "status": ["on_track", "on_track", "no_data"]})
>>> units_compared(values, meta, units={2: "Fjordby", 3: "Havnsø"}, period="2019H2").rows()
[(2, 'Fjordby', 60.0, 30, False, 'on_track'), (3, 'Havnsø', None, None, True, 'no_data')]
>>> reference_value(values, meta, unit_id=1, period="2019H2")
55.0
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from indicators.format import format_value
from indicators.status import STATUS_LABELS
from indicators.summary import IndicatorMeta

COMPARED_SCHEMA = {"unit_id": pl.Int64, "name": pl.Utf8, "value": pl.Float64, "n": pl.Int64,
                   "suppressed": pl.Boolean, "status": pl.Utf8}


def units_compared(values: pl.DataFrame, meta: IndicatorMeta, *, units: Mapping[int, str],
                   period: str) -> pl.DataFrame:
    """One row per unit of ``units`` (in its order) on indicator ``meta`` in ``period``
    (``COMPARED_SCHEMA``). ``values`` has had ``with_status`` applied. A unit without a stored
    value has status ``no_data``; a withheld one has no value and no n."""
    now = values.filter((pl.col("indicator_id") == meta.id) & (pl.col("period") == period))
    found = {r["unit_id"]: r for r in now.iter_rows(named=True)}
    rows = []
    for unit_id, name in units.items():
        hit = found.get(unit_id)
        withheld = bool(hit and hit["suppressed"])
        rows.append({
            "unit_id": unit_id, "name": name,
            "value": None if hit is None or withheld else hit["value"],
            "n": None if hit is None or withheld else hit["n"],
            "suppressed": withheld,
            "status": hit["status"] if hit else "no_data",
        })
    return pl.DataFrame(rows, schema=COMPARED_SCHEMA)


def reference_value(values: pl.DataFrame, meta: IndicatorMeta, *, unit_id: int | None,
                    period: str) -> float | None:
    """The reference unit's value (``None`` when missing or withheld, or no reference)."""
    if unit_id is None:
        return None
    hit = values.filter((pl.col("indicator_id") == meta.id) & (pl.col("period") == period)
                        & (pl.col("unit_id") == unit_id) & ~pl.col("suppressed"))
    return None if hit.is_empty() else hit["value"][0]


def compared_table(compared: pl.DataFrame, meta: IndicatorMeta, *,
                   withheld_text: str) -> pl.DataFrame:
    """:func:`units_compared` as text for the screen: Kommune, Værdi, n, Status.

    >>> meta = IndicatorMeta("x", "Andel", "%", "higher", None, 50.0, False)
    >>> c = pl.DataFrame({"unit_id": [2, 3], "name": ["Fjordby", "Havnsø"], "value": [60.0, None],
    ...     "n": [30, None], "suppressed": [False, True], "status": ["on_track", "no_data"]},
    ...     schema=COMPARED_SCHEMA)
    >>> compared_table(c, meta, withheld_text="< 5").rows()
    [('Fjordby', '60,0 %', '30', 'På sporet'), ('Havnsø', '< 5', '< 5', 'Ingen data')]
    """
    rows = []
    for r in compared.iter_rows(named=True):
        value = format_value(r["value"], meta.unit, suppressed=r["suppressed"],
                             withheld_text=withheld_text)
        n = withheld_text if r["suppressed"] else ("–" if r["n"] is None else str(r["n"]))
        rows.append((r["name"], value, n, STATUS_LABELS[r["status"]]))
    return pl.DataFrame(rows, schema=["Kommune", "Værdi", "n", "Status"], orient="row")
