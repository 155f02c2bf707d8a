"""Where and when a programme runs: its member units and periods (pure polars).

A programme's ``membership`` (config) lists org units, each from a date and optionally to a date;
a member unit brings everything below it. The refresh keeps only observations of member daycares
in member periods, and aggregates them over a programme tree: the member subtrees plus the units
above them up to the programme's ``top_level`` (``municipality`` for a municipality's own
programme, ``national`` for Socialstyrelsen's). Units above ``top_level`` get no values, so a
municipal programme never shows up at the national level, and the national aggregate of a
national programme rests on its members only. Pages need no change: what is not stored is not
shown.

Examples
--------
A national root (1), two municipalities (2, 5), each with one daycare (3, 6); only 2 runs the
programme, from 2025:

>>> import datetime as dt
>>> from indicators.sources import frame
>>> units = frame("org_units", [
...     {"id": 1, "code": "DK", "level": "national", "path": "/1/"},
...     {"id": 2, "code": "851", "level": "municipality", "parent_id": 1, "path": "/1/2/"},
...     {"id": 3, "code": "851-001", "level": "institution", "parent_id": 2, "path": "/1/2/3/"},
...     {"id": 5, "code": "167", "level": "municipality", "parent_id": 1, "path": "/1/5/"},
...     {"id": 6, "code": "167-001", "level": "institution", "parent_id": 5, "path": "/1/5/6/"},
... ])
>>> periods = frame("periods", [
...     {"period": "2024H2", "start": dt.date(2024, 7, 1), "end": dt.date(2024, 12, 31)},
...     {"period": "2025H1", "start": dt.date(2025, 1, 1), "end": dt.date(2025, 6, 30)},
... ])
>>> member_periods(units, periods, [Member("851", dt.date(2025, 1, 1))]).rows()
[(3, '2025H1')]
>>> programme_tree(units, [Member("851", dt.date(2025, 1, 1))], top_level="municipality")[
...     "path"].to_list()
['/2/', '/2/3/']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol, TypeVar

import polars as pl

LEVELS = ("national", "municipality", "area", "institution")


class Member(NamedTuple):
    """One membership line: an org-unit code, from a date, optionally to a date."""

    unit: str
    start: dt.date
    end: dt.date | None = None


def _member_units(org_units: pl.DataFrame, members: Sequence[Member]) -> pl.DataFrame:
    """The member units with their dates: code, path, start, end (unknown codes match nothing)."""
    lines = pl.DataFrame(
        {"code": [m.unit for m in members], "start": [m.start for m in members],
         "end_": [m.end for m in members]},
        schema={"code": pl.Utf8, "start": pl.Date, "end_": pl.Date},
    )
    return lines.join(org_units.select("code", "path"), on="code", how="inner")


def member_periods(org_units: pl.DataFrame, periods: pl.DataFrame,
                   members: Sequence[Member]) -> pl.DataFrame:
    """Pairs (institution_id, period): the daycares where the programme runs, in the periods it
    covers. A period counts when it overlaps a membership (``start`` ≤ period end and, with an
    ``end``, period start ≤ ``end``)."""
    schema = pl.Schema({"institution_id": pl.Int64, "period": pl.Utf8})
    member_units = _member_units(org_units, members)
    if member_units.is_empty():
        return pl.DataFrame(schema=schema)
    institutions = org_units.filter(pl.col("level") == "institution").select(
        pl.col("id").alias("institution_id"), pl.col("path").alias("inst_path"))
    return (
        institutions.join(member_units, how="cross")
        .filter(pl.col("inst_path").str.starts_with(pl.col("path")))
        .join(periods.select("period", "start", "end"), how="cross", suffix="_period")
        .filter((pl.col("start") <= pl.col("end"))
                & (pl.col("end_").is_null() | (pl.col("start_period") <= pl.col("end_"))))
        .select("institution_id", "period").unique().sort("institution_id", "period")
        .cast(schema)
    )


def programme_tree(org_units: pl.DataFrame, members: Sequence[Member], *,
                   top_level: str) -> pl.DataFrame:
    """The org tree a programme's values are aggregated over (``SCHEMAS['org_units']``).

    The member subtrees, plus the units above a member down from ``top_level``. Units above
    ``top_level`` are cut off: paths start at the highest kept unit, which has no parent.
    """
    member_units = _member_units(org_units, members)
    if member_units.is_empty():
        return org_units.clear()
    rank = {level: i for i, level in enumerate(LEVELS)}
    member_paths = member_units["path"].to_list()
    ancestor_ids = {int(x) for p in member_paths for x in p.strip("/").split("/")}
    in_subtree = pl.any_horizontal([pl.col("path").str.starts_with(p) for p in member_paths])
    above = pl.col("id").is_in(list(ancestor_ids)) & (
        pl.col("level").replace_strict(rank, return_dtype=pl.Int64) >= rank[top_level])
    kept = org_units.filter(in_subtree | above)
    kept_ids = set(kept["id"].to_list())

    def cut(path: str) -> str:
        ids = [x for x in path.strip("/").split("/") if int(x) in kept_ids]
        return "/" + "/".join(ids) + "/"

    return kept.with_columns(
        pl.col("path").map_elements(cut, return_dtype=pl.Utf8),
        pl.when(pl.col("parent_id").is_in(list(kept_ids))).then(pl.col("parent_id"))
        .alias("parent_id"),
    ).sort("path")


def restrict_observations(obs: pl.DataFrame, runs: pl.DataFrame) -> pl.DataFrame:
    """Only observations of member daycares in member periods (``runs`` from
    :func:`member_periods`)."""
    return obs.join(runs, on=["institution_id", "period"], how="semi")


class _MemberUnit(Protocol):
    @property
    def unit(self) -> str: ...


class _Programme(Protocol):
    """What :func:`programmes_for_units` reads of a programme (``core.model_config.ProgrammeSpec``
    without importing it: ``indicators`` does not depend on ``core``)."""

    @property
    def top_level(self) -> str: ...
    @property
    def membership(self) -> Sequence[_MemberUnit]: ...


_P = TypeVar("_P", bound=_Programme)


def programmes_for_units(programmes: Iterable[_P], unit_codes: Iterable[str], *,
                         national_only: bool = False) -> list[_P]:
    """The programmes to offer a viewer whose units (in scope, and the units above them) have
    ``unit_codes``: those running in one of them (a programme without membership runs
    everywhere). ``national_only``: only programmes aggregated to the national level (a national
    user compares municipalities on national programmes, not on a municipality's own)."""
    codes = set(unit_codes)
    out: list[_P] = []
    for programme in programmes:
        if national_only and programme.top_level != "national":
            continue
        if not programme.membership or any(m.unit in codes for m in programme.membership):
            out.append(programme)
    return out


def running_unit_ids(org_units: pl.DataFrame, members: Sequence[Member], *, top_level: str,
                     first_day: dt.date, last_day: dt.date) -> set[int] | None:
    """The ids of ``org_units`` where a programme runs at some time from ``first_day`` to
    ``last_day``: the member subtrees of memberships overlapping those days, and the units above
    them down from ``top_level`` (as :func:`programme_tree`). ``None`` when the programme has no
    membership (it runs everywhere).

    ``org_units`` must hold the viewer's units *and the units above them*: a membership may name
    a unit above the viewer's scope (a daycare leader in a member municipality).

    >>> units = pl.DataFrame({"id": [1, 2, 3, 5], "code": ["DK", "901", "901-1", "580"],
    ...     "level": ["national", "municipality", "institution", "municipality"],
    ...     "parent_id": [None, 1, 2, 1], "path": ["/1/", "/1/2/", "/1/2/3/", "/1/5/"]})
    >>> sorted(running_unit_ids(units, [Member("901", dt.date(2016, 1, 1), dt.date(2019, 12, 31))],
    ...     top_level="national", first_day=dt.date(2019, 1, 1), last_day=dt.date(2020, 6, 30)))
    [1, 2, 3]
    >>> running_unit_ids(units, [Member("901", dt.date(2016, 1, 1), dt.date(2019, 12, 31))],
    ...     top_level="national", first_day=dt.date(2020, 1, 1), last_day=dt.date(2020, 6, 30))
    set()
    """
    if not members:
        return None
    active = active_members(members, first_day=first_day, last_day=last_day)
    if not active:
        return set()
    return set(programme_tree(org_units, active, top_level=top_level)["id"].to_list())


def active_members(members: Sequence[Member], *, first_day: dt.date,
                   last_day: dt.date) -> tuple[Member, ...]:
    """The membership lines overlapping the days from ``first_day`` to ``last_day``."""
    return tuple(m for m in members
                 if m.start <= last_day and (m.end is None or first_day <= m.end))
