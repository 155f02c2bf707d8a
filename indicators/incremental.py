"""What an import changes: the programmes and periods to recompute, and the raw rows to read.

An import touches some source frames (``indicators.sources``) in some periods. A programme is
affected when one of its computations reads a touched frame (found by running the computation
on empty recording sources, so the list cannot drift from the code). Its affected periods are
the touched periods widened by each computation's ``window`` (``indicators.contract``): a change
in period *q* moves the values of periods *q* − ahead … *q* + behind. Each affected (programme,
period) partition is recomputed for the whole org tree, because secondary suppression and the
disclosure audit link every unit of a programme × indicator × period.

The rows to read follow from the same windows: for period *p*, *p* − behind … *p* + ahead.

Examples
--------
>>> affected_periods({"2025H1"}, (0, 0), ["2024H2", "2025H1", "2025H2"])
['2025H1']
>>> affected_periods({"2024H2"}, (None, 0), ["2024H1", "2024H2", "2025H1"])
['2024H2', '2025H1']
>>> affected_periods(None, (0, 0), ["2024H2", "2025H1"])
['2024H2', '2025H1']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from indicators.contract import Computation, Reach
from indicators.sources import Sources

# The event date of each dated source frame: a row counts in the period of this date. The other
# frames (org units, children, staff, resource places, placements) hold states over time; a
# change there touches every period.
SOURCE_DATES: dict[str, str] = {
    "assessments": "assessed_on", "relations": "mapped_on", "counselling": "held_on",
    "family_attendance": "held_on", "training": "held_on", "survey": "answered_on",
    "meetings": "held_on", "interviews": "interviewed_on", "practice": "assessed_on",
    "language": "assessed_on",
}
# The analysis tables (flows, time in yellow, completeness) are one table per unit over all
# rounds: recomputed whole when one of these frames is touched.
ANALYSIS_SOURCES = frozenset({"org_units", "children", "assessments"})


@dataclass(frozen=True)
class Touched:
    """What an import wrote: source frames, and the periods of their rows (None = every
    period, for undated frames), and the daycares (for the report only: the whole tree of an
    affected partition is recomputed)."""

    sources: frozenset[str]
    periods: frozenset[str] | None
    institutions: frozenset[int] = field(default_factory=frozenset)

    def merge(self, other: Touched) -> Touched:
        periods = (None if self.periods is None or other.periods is None
                   else self.periods | other.periods)
        return Touched(self.sources | other.sources, periods,
                       self.institutions | other.institutions)


class _Recording(Sources):
    """Empty sources that note which frames a computation reads."""

    def __init__(self) -> None:
        super().__init__()
        object.__setattr__(self, "_read", set())

    def __getattribute__(self, name: str) -> Any:
        if name in _SOURCE_NAMES:
            object.__getattribute__(self, "_read").add(name)
        return object.__getattribute__(self, name)


_SOURCE_NAMES = frozenset(Sources.names()) - {"periods"}


_READS: dict[tuple[str, str], frozenset[str]] = {}


def reads(computation: Computation, params: Mapping[str, Any]) -> frozenset[str]:
    """The source frames ``computation`` reads with ``params`` (besides ``periods``)."""
    key = (computation.name, repr(sorted(params.items())))
    if key not in _READS:
        recording = _Recording()
        computation.observations(recording, dict(params))
        _READS[key] = frozenset(object.__getattribute__(recording, "_read"))
    return _READS[key]


def affected_periods(touched: Iterable[str] | None, reach: Reach,
                     periods: Sequence[str]) -> list[str]:
    """The periods (of ``periods``, in order) whose values a change in ``touched`` moves."""
    if touched is None:
        return list(periods)
    behind, ahead = reach
    index = {p: i for i, p in enumerate(periods)}
    hit: set[int] = set()
    for period in touched:
        if period not in index:
            continue
        i = index[period]
        low = 0 if ahead is None else max(0, i - ahead)
        high = len(periods) - 1 if behind is None else min(len(periods) - 1, i + behind)
        hit.update(range(low, high + 1))
    return [periods[i] for i in sorted(hit)]


def read_window(affected: Iterable[str], reach: Reach,
                periods: Sequence[str]) -> tuple[str | None, str | None]:
    """First and last period of raw rows needed for ``affected`` (None = unbounded)."""
    index = {p: i for i, p in enumerate(periods)}
    spots = [index[p] for p in affected]
    behind, ahead = reach
    first = None if behind is None else periods[max(0, min(spots) - behind)]
    last = None if ahead is None else periods[min(len(periods) - 1, max(spots) + ahead)]
    return first, last


@dataclass
class Plan:
    """The partitions to recompute and the rows to read."""

    partitions: dict[str, list[str]]  # programme id → affected periods
    windows: dict[str, tuple[str | None, str | None]]  # source frame → (first, last) period
    analyses: bool

    @property
    def empty(self) -> bool:
        return not any(self.partitions.values()) and not self.analyses


def plan(programmes: Iterable[Any], computations: Mapping[str, Computation], touched: Touched,
         periods: Sequence[str], *, new_periods: Iterable[str] = ()) -> Plan:
    """What to recompute after ``touched``, over the reporting ``periods``.

    ``new_periods`` (the import widened the reporting span) are recomputed for every programme:
    per-daycare rates and counts give every daycare a value in every period.
    """
    new = set(new_periods)
    partitions: dict[str, list[str]] = {}
    spans: dict[str, list[tuple[str | None, str | None]]] = {}
    for programme in programmes:
        hit: set[str] = set(new)
        needs: list[tuple[set[str] | frozenset[str], Reach]] = []
        for spec in programme.indicators():
            computation = computations[spec.computation]
            reach = computation.reach(spec.params)
            sources = reads(computation, spec.params)
            needs.append((sources, reach))
            if sources & touched.sources:
                hit.update(affected_periods(touched.periods, reach, periods))
        chosen = [p for p in periods if p in hit]
        partitions[programme.id] = chosen
        if not chosen:
            continue
        for needed, reach in needs:
            window = read_window(chosen, reach, periods)
            for source in needed:
                spans.setdefault(source, []).append(window)
    windows = {}
    for source, parts in spans.items():
        firsts, lasts = [f for f, _ in parts], [last for _, last in parts]
        windows[source] = (None if None in firsts else min(firsts),  # type: ignore[type-var]
                           None if None in lasts else max(lasts))  # type: ignore[type-var]
    analyses = bool(touched.sources & ANALYSIS_SOURCES)
    return Plan(partitions=partitions, windows=windows, analyses=analyses)
