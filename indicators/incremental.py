"""What an import changes: the programmes and periods to recompute, and the raw rows to read.

An import touches some source frames (``indicators.sources``) in some periods. A programme is
affected when one of its computations reads a touched frame (found by running the computation
on empty recording sources, so the list cannot drift from the code). Its affected periods are
the touched periods widened by each computation's ``window`` (``indicators.contract``): a change
in period *q* moves the values of periods *q* − ahead … *q* + behind. Each affected (programme,
period) partition is recomputed for the whole org tree, because secondary suppression and the
disclosure audit link every unit of a programme × indicator × period.

The rows to read follow from the same windows: for period *p*, *p* − behind … *p* + ahead.

The analysis tables (:mod:`indicators.unit_analyses`) are replaced in parts too
(:class:`AnalysisParts`, :func:`analysis_parts`): flows by from-round, time in yellow by entry
round, completeness by period; :func:`analysis_windows` names the assessment rounds each part
reads.

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

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

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
# The frames the analysis tables (flows, time in yellow, completeness) read.
ANALYSIS_SOURCES = frozenset({"org_units", "children", "assessments"})


@dataclass(frozen=True)
class Touched:
    """What an import wrote: source frames, and the periods of their rows (None = every
    period, for undated frames), the daycares (for the report only: the whole tree of an
    affected partition is recomputed), and the children whose child-level rows it wrote (None
    = not known: then time in yellow is recomputed whole when assessments are touched)."""

    sources: frozenset[str]
    periods: frozenset[str] | None
    institutions: frozenset[int] = field(default_factory=frozenset)
    children: frozenset[int] | None = None

    def merge(self, other: Touched) -> Touched:
        periods = (None if self.periods is None or other.periods is None
                   else self.periods | other.periods)
        children = (None if self.children is None or other.children is None
                    else self.children | other.children)
        return Touched(self.sources | other.sources, periods,
                       self.institutions | other.institutions, children)


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


# --- The analysis tables ----------------------------------------------------------------------


@dataclass(frozen=True)
class AnalysisParts:
    """The parts of the analysis tables to recompute and replace, each as the rounds (periods)
    whose rows go: None = the whole table, empty = nothing.

    Each part depends on its rounds only: a flow from round *r* on the positions in *r* and
    *r* + 1; time in yellow for entry round *r* on the yellow spells that entered in *r*;
    completeness in period *p* on the enrollments and the assessments in *p*. The org-tree rule
    (secondary suppression) works per round too.
    """

    flow_rounds: tuple[str, ...] | None = None  # from-rounds of position_flow
    entry_rounds: tuple[str, ...] | None = None  # yellow_survival / yellow_summary
    periods: tuple[str, ...] | None = None  # assessment_completeness

    @property
    def empty(self) -> bool:
        return all(part is not None and not part
                   for part in (self.flow_rounds, self.entry_rounds, self.periods))


WHOLE = AnalysisParts()


def flow_rounds(touched: Touched, labels: Sequence[str]) -> tuple[str, ...] | None:
    """The flows' from-rounds an import moves: a flow from *r* rests on rounds *r* and *r* + 1,
    so a change in *q* moves the flows from *q* − 1 and *q*. None = all.

    >>> flow_rounds(Touched(frozenset({"assessments"}), frozenset({"2025H1"})),
    ...             ["2024H2", "2025H1", "2025H2"])
    ('2024H2', '2025H1')
    """
    if "assessments" not in touched.sources:
        return ()
    if touched.periods is None:
        return None
    index = {p: i for i, p in enumerate(labels)}
    hit = {j for q in touched.periods if q in index for j in (index[q] - 1, index[q]) if j >= 0}
    return tuple(labels[j] for j in sorted(hit))


def analysis_parts(touched: Touched, labels: Sequence[str], *, new_periods: Iterable[str] = (),
                   entry_rounds: Iterable[str] | None = None) -> AnalysisParts:
    """The parts of the analysis tables that ``touched`` moves, over the reporting ``labels``.

    ``new_periods`` (the span grew) get their completeness computed whatever was touched (a
    period's enrolled children count without any assessment). ``entry_rounds``: the entry
    rounds whose yellow spells the import changed (:func:`changed_entry_rounds`), None when not
    known. Touched org units move everything; touched children move completeness (enrollment)
    everywhere, not flows or time in yellow (they read assessments and org units only).

    >>> touched = Touched(frozenset({"assessments"}), frozenset({"2025H1"}))
    >>> analysis_parts(touched, ["2024H2", "2025H1", "2025H2"], entry_rounds=["2024H2"])
    AnalysisParts(flow_rounds=('2024H2', '2025H1'), entry_rounds=('2024H2',), periods=('2025H1',))
    >>> analysis_parts(Touched(frozenset({"children"}), None), ["2025H1"])
    AnalysisParts(flow_rounds=(), entry_rounds=(), periods=None)
    """
    if "org_units" in touched.sources:
        return WHOLE
    assessed = "assessments" in touched.sources
    if assessed and touched.periods is None:
        return WHOLE
    order = {p: i for i, p in enumerate(labels)}
    periods: tuple[str, ...] | None = None
    if "children" not in touched.sources:
        hit = set(new_periods) | (set(touched.periods or ()) if assessed else set())
        periods = tuple(sorted((p for p in hit if p in order), key=order.__getitem__))
    entries: tuple[str, ...] | None = ()
    if assessed:
        entries = None if entry_rounds is None else tuple(sorted(set(entry_rounds)))
    return AnalysisParts(flow_rounds=flow_rounds(touched, labels), entry_rounds=entries,
                         periods=periods)


Rounds = tuple[str | None, str | None]  # first and last round; None = unbounded


def analysis_windows(parts: AnalysisParts, labels: Sequence[str]) -> dict[str, list[Rounds]]:
    """The rounds of assessments each part reads, as runs of consecutive rounds of ``labels``.

    ``flows``: each from-round and the next; ``survival``: from the round before the first
    entry round on (a spell is followed to its end; the round before tells an entry);
    ``completeness``: its periods. A whole part reads everything: ``[(None, None)]``.

    >>> labels = ["2024H1", "2024H2", "2025H1", "2025H2", "2026H1"]
    >>> analysis_windows(AnalysisParts(("2024H1",), ("2025H2",), ("2024H1", "2026H1")), labels)
    ... # doctest: +NORMALIZE_WHITESPACE
    {'flows': [('2024H1', '2024H2')], 'survival': [('2025H1', None)],
     'completeness': [('2024H1', '2024H1'), ('2026H1', '2026H1')]}
    """
    index = {p: i for i, p in enumerate(labels)}

    def runs(spots: set[int]) -> list[Rounds]:
        out: list[Rounds] = []
        for i in sorted(spots):
            if out and index[out[-1][1]] == i - 1:  # type: ignore[index]
                out[-1] = (out[-1][0], labels[i])
            else:
                out.append((labels[i], labels[i]))
        return out

    whole: list[Rounds] = [(None, None)]
    windows: dict[str, list[Rounds]] = {}
    if parts.flow_rounds is None:
        windows["flows"] = whole
    else:
        windows["flows"] = runs({j for r in parts.flow_rounds for j in (index[r], index[r] + 1)
                                 if j < len(labels)})
    if parts.entry_rounds is None:
        windows["survival"] = whole
    elif parts.entry_rounds:
        first = min(index[r] for r in parts.entry_rounds)
        windows["survival"] = [(labels[first - 1] if first > 0 else None, None)]
    else:
        windows["survival"] = []
    windows["completeness"] = (whole if parts.periods is None
                               else runs({index[p] for p in parts.periods}))
    return windows


def changed_entry_rounds(before: pl.DataFrame, after: pl.DataFrame) -> list[str]:
    """The entry rounds whose yellow spells differ between ``before`` and ``after`` (both
    :data:`indicators.flows.EPISODE_SCHEMA`, e.g. the touched children's spells before and
    after an import), as multisets of rows; sorted.

    >>> from indicators.flows import EPISODE_SCHEMA
    >>> old = pl.DataFrame([(1, 3, "2024H1", 1, False, None)], schema=EPISODE_SCHEMA,
    ...                    orient="row")
    >>> new = pl.DataFrame([(1, 3, "2024H1", 2, True, "green")], schema=EPISODE_SCHEMA,
    ...                    orient="row")
    >>> changed_entry_rounds(old, new), changed_entry_rounds(old, old)
    (['2024H1'], [])
    """
    columns = list(before.columns)

    def rows(frame: pl.DataFrame) -> Counter[tuple[Any, ...]]:
        return Counter(frame.select(columns).iter_rows())

    entry = columns.index("entry_round")
    old, new = rows(before), rows(after)
    return sorted({row[entry] for row in set(old - new) | set(new - old)})
