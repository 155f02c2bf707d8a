"""Reporting periods. The default period is the half-year, labelled ``2025H1`` in data and
"1. halvår 2025" on screen.

Examples
--------
>>> period_of(dt.date(2025, 8, 1))
'2025H2'
>>> period_label('2025H2')
'2. halvår 2025'
"""

from __future__ import annotations

import datetime as dt

import polars as pl


def period_of(day: dt.date) -> str:
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def period_expr(column: str) -> pl.Expr:
    """The half-year of a date column, as a string expression (``2025H1``)."""
    col = pl.col(column)
    half = pl.when(col.dt.month() <= 6).then(pl.lit("H1")).otherwise(pl.lit("H2"))
    return pl.concat_str([col.dt.year().cast(pl.Utf8), half])


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period."""
    year, half = int(period[:4]), period[5]
    if half == "1":
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def period_label(period: str) -> str:
    return f"{period[5]}. halvår {period[:4]}"


def previous_period(period: str) -> str:
    year, half = int(period[:4]), int(period[5])
    return f"{year - 1}H2" if half == 1 else f"{year}H1"


def periods_between(first: str, last: str) -> list[str]:
    """All periods from ``first`` to ``last`` inclusive, in order."""
    out = []
    current = first
    while current <= last:
        out.append(current)
        year, half = int(current[:4]), int(current[5])
        current = f"{year}H2" if half == 1 else f"{year + 1}H1"
    return out


def periods_frame(first: str, last: str) -> pl.DataFrame:
    """Periods with their bounds: columns ``period``, ``start``, ``end``."""
    rows = [(p, *period_bounds(p)) for p in periods_between(first, last)]
    return pl.DataFrame(
        rows, schema={"period": pl.Utf8, "start": pl.Date, "end": pl.Date}, orient="row"
    )
