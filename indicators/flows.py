"""Position flows and time in yellow (TOPI / Opsporingsmodellen), for the M2 box.

A **round** is an assessment half-year (:mod:`indicators.periods`, ``2025H1``): a child's
position in a round is its last assessment in that half-year. Everything here starts from the
``assessments`` source frame (``child_id``, ``institution_id``, ``assessed_on``, ``position``);
the caller chooses the children of a unit by passing that unit's institution ids.

Two analyses:

- :func:`position_flows`: between two consecutive rounds, how many children went from
  green/yellow/red to green/yellow/red (a 3×3 table with its row and column totals), with counts
  of 1-4 withheld and secondary suppression so that no withheld count can be worked out from the
  published ones (:func:`suppress_flow_table`, audited by :func:`flow_intervals`).
- :func:`yellow_episodes` → :func:`yellow_survival` / :func:`yellow_summary`: among children who
  enter yellow, the share still yellow 1, 2, 3 rounds later (Kaplan-Meier, with children who leave
  or whose data end censored, not counted as resolved), the median time in yellow in rounds, and
  the share of ended yellow spells that ended in red.

Examples
--------
Children in daycare 3 by position in spring and autumn 2025 (rows: spring; columns: autumn):

>>> import datetime as dt
>>> from indicators.sources import frame
>>> table = {("green", "green"): 20, ("green", "yellow"): 6, ("yellow", "green"): 12,
...          ("yellow", "yellow"): 5, ("yellow", "red"): 2, ("red", "yellow"): 3,
...          ("red", "red"): 6}
>>> pairs = [pair for pair, n in table.items() for _ in range(n)]
>>> assessments = frame("assessments", [
...     dict(child_id=child, institution_id=3, assessed_on=day, position=position)
...     for child, pair in enumerate(pairs)
...     for day, position in zip((dt.date(2025, 3, 1), dt.date(2025, 10, 1)), pair)])
>>> flows = position_flows(assessments, from_round="2025H1", institution_ids=[3])
>>> flows.filter(pl.col("withheld")).height  # the 2 and the 3, and a partner of each
4
>>> flows.filter(pl.col("from_position") == "yellow",
...              pl.col("to_position") == "green").row(0, named=True)
{'from_position': 'yellow', 'to_position': 'green', 'count': 12, 'withheld': False}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import permutations, product

import numpy as np
import polars as pl
from polars._typing import PolarsDataType
from scipy.optimize import linprog

from indicators.periods import period_expr

POSITIONS = ("green", "yellow", "red")
TOTAL = "alle"  # the margin of a flow table, as "alle" is the age-group total in the engine
LABELS = {"green": "Grøn", "yellow": "Gul", "red": "Rød", TOTAL: "I alt"}

FLOW_SCHEMA: dict[str, PolarsDataType] = {
    "from_position": pl.Utf8,  # green / yellow / red / alle (the column totals)
    "to_position": pl.Utf8,  # green / yellow / red / alle (the row totals)
    "count": pl.Int64,  # children; null when withheld
    "withheld": pl.Boolean,
}

SURVIVAL_SCHEMA: dict[str, PolarsDataType] = {
    "rounds": pl.Int64,  # rounds (half-years) after entering yellow; 0 = the entry round
    "at_risk": pl.Int64,  # children still followed and still yellow going into this round
    "still_yellow": pl.Float64,  # Kaplan-Meier share still yellow, in %; null when withheld
    "withheld": pl.Boolean,
}

SUMMARY_SCHEMA: dict[str, PolarsDataType] = {
    "entered": pl.Int64,  # children who entered yellow (episodes)
    "ended": pl.Int64,  # episodes whose end was seen (next round green or red)
    "median_rounds": pl.Float64,  # median time in yellow, in rounds; null if not reached/withheld
    "to_red_share": pl.Float64,  # % of ended episodes that ended in red; null when withheld
    "withheld": pl.Boolean,  # the whole summary rests on fewer than min_n children
}


# --- Rounds -----------------------------------------------------------------------------------


def round_index(round_: str) -> int:
    """A round (``2025H1``) as a number, so that consecutive rounds differ by one.

    >>> round_index("2025H2") - round_index("2025H1"), round_index("2026H1") - round_index("2025H2")
    (1, 1)
    """
    return int(round_[:4]) * 2 + int(round_[5]) - 1


def next_round(round_: str) -> str:
    """The round after ``round_``: ``2025H1`` → ``2025H2``, ``2025H2`` → ``2026H1``."""
    year, half = int(round_[:4]), int(round_[5])
    return f"{year}H2" if half == 1 else f"{year + 1}H1"


def _round_index_expr(column: str) -> pl.Expr:
    return pl.col(column).str.slice(0, 4).cast(pl.Int64) * 2 + pl.col(column).str.slice(
        5, 1).cast(pl.Int64) - 1


def position_rounds(assessments: pl.DataFrame) -> pl.DataFrame:
    """Each child's position per round: its last assessment in each half-year.

    Parameters
    ----------
    assessments
        The ``assessments`` source frame; only ``child_id``, ``institution_id``, ``assessed_on``
        and ``position`` are read. Positions other than green/yellow/red are ignored.

    Returns
    -------
    pl.DataFrame
        ``child_id``, ``round`` (``2025H1``), ``round_index`` (consecutive rounds differ by 1),
        ``institution_id`` and ``position`` of that last assessment; sorted by child and round.
    """
    return (
        assessments.filter(pl.col("position").is_in(POSITIONS))
        .with_columns(period_expr("assessed_on").alias("round"))
        .sort("child_id", "assessed_on")
        .group_by("child_id", "round", maintain_order=True)
        .agg(pl.col("institution_id").last(), pl.col("position").last())
        .with_columns(_round_index_expr("round").alias("round_index"))
        .select("child_id", "round", "round_index", "institution_id", "position")
        .sort("child_id", "round_index")
    )


# --- Flows ------------------------------------------------------------------------------------


def flow_counts(assessments: pl.DataFrame, *, from_round: str,
                institution_ids: Sequence[int] | None = None) -> np.ndarray:
    """The raw 3×3 table (rows: position in ``from_round``; columns: in the next round).

    A child counts when it was assessed in both rounds and, in ``from_round``, in one of
    ``institution_ids`` (all institutions when None). A child that moved to another institution
    between the rounds follows its ``from_round`` institution. Rows and columns are in the order
    of :data:`POSITIONS`. Child-level input, unsuppressed output: never show this directly.
    """
    rounds = position_rounds(assessments)
    before = rounds.filter(pl.col("round") == from_round)
    if institution_ids is not None:
        before = before.filter(pl.col("institution_id").is_in(list(institution_ids)))
    after = rounds.filter(pl.col("round") == next_round(from_round)).select(
        "child_id", pl.col("position").alias("to_position"))
    pairs = before.join(after, on="child_id", how="inner").group_by(
        "position", "to_position").len()
    table = np.zeros((3, 3), dtype=np.int64)
    for source, target, count in pairs.iter_rows():
        table[POSITIONS.index(source), POSITIONS.index(target)] = count
    return table


def position_flows(assessments: pl.DataFrame, *, from_round: str,
                   institution_ids: Sequence[int] | None = None, min_n: int = 5) -> pl.DataFrame:
    """Children by position in ``from_round`` and in the next round, safe to publish.

    Parameters
    ----------
    assessments
        The ``assessments`` source frame (see :func:`position_rounds`), within the viewer's scope.
    from_round
        The first round, e.g. ``"2025H1"``; the flow goes to the next half-year.
    institution_ids
        The institutions of the chosen unit (the children counted are those assessed there in
        ``from_round``); None for all institutions in ``assessments``.
    min_n
        Counts from 1 to ``min_n - 1`` are withheld (with secondary suppression).

    Returns
    -------
    pl.DataFrame
        :data:`FLOW_SCHEMA`, 16 rows: the 9 cells, the 3 row totals (``to_position = "alle"``),
        the 3 column totals (``from_position = "alle"``) and the grand total (both ``"alle"``).
        Withheld rows have ``count`` null.
    """
    return flow_frame(suppress_flow_table(
        flow_counts(assessments, from_round=from_round, institution_ids=institution_ids),
        min_n=min_n))


def _lines() -> list[list[tuple[int, int]]]:
    """The additive relations of a bordered 3×3 table: every row and column of the 4×4 grid is
    three parts and their total (the last cell)."""
    rows = [[(i, j) for j in range(4)] for i in range(4)]
    cols = [[(i, j) for i in range(4)] for j in range(4)]
    return rows + cols


def suppress_flow_table(table: np.ndarray, *, min_n: int = 5,
                        withheld: np.ndarray | None = None) -> np.ma.MaskedArray:
    """Withhold small counts in a bordered 3×3 table so none of them can be worked out.

    Rules, applied until nothing changes:

    1. **Primary**: every count from 1 to ``min_n - 1`` (cells and totals) is withheld; if the
       grand total is below ``min_n`` everything is.
    2. **Secondary**: every line (a row or column: three parts and their total) with a withheld
       member has at least two, so no sum or difference of visible numbers gives one back; and
       where the total is visible, the withheld parts rest on at least ``min_n`` children
       together, so the total minus the visible parts is not a small sum. Missing ones are made
       up from the smallest visible non-zero parts (ties: the first in green/yellow/red order,
       so the same table always gives the same cells).
    3. **Audit**: every withheld cell pinned to a single value by the visible numbers
       (:func:`pinned_cells`; :func:`flow_intervals` is the linear-programming reference) makes
       its smallest visible non-zero neighbour withheld too, a total included. Rules 1-2 leave
       such cases, e.g. a row whose only non-zero cell is withheld: its zeros cannot cover it,
       and the row total gives it back.

    Zero cells are never withheld as secondary cells: a withheld zero protects nothing, since a
    withheld count could not be lowered below it.

    Parameters
    ----------
    table
        Raw 3×3 counts from :func:`flow_counts`.
    withheld
        Cells of the bordered 4×4 table already withheld for another reason (the same cell of a
        neighbouring unit's table, see :mod:`indicators.unit_analyses`); rules 2-3 then cover
        them too.

    Returns
    -------
    numpy.ma.MaskedArray
        The 4×4 bordered table (last column: row totals, last row: column totals), with withheld
        counts masked.

    Examples
    --------
    >>> published = suppress_flow_table(np.array([[20, 6, 0], [7, 5, 2], [0, 3, 6]]))
    >>> np.ma.getmaskarray(published).astype(int)
    array([[0, 0, 0, 0],
           [0, 1, 1, 0],
           [0, 1, 1, 0],
           [0, 0, 0, 0]])
    """
    values, mask = suppress_flow_tables(
        np.asarray(table, dtype=np.int64)[None], min_n=min_n,
        withheld=None if withheld is None else np.asarray(withheld, dtype=bool)[None])
    return np.ma.MaskedArray(values[0], mask=mask[0])


def with_margins(tables: np.ndarray) -> np.ndarray:
    """Tables ``(T, 3, 3)`` bordered by their row totals (last column) and column totals (last
    row), as ``(T, 4, 4)``."""
    tables = np.asarray(tables, dtype=np.int64)
    full = np.zeros((tables.shape[0], 4, 4), dtype=np.int64)
    full[:, :3, :3] = tables
    full[:, :3, 3] = tables.sum(axis=2)
    full[:, 3, :3] = tables.sum(axis=1)
    full[:, 3, 3] = tables.sum(axis=(1, 2))
    return full


def suppress_flow_tables(tables: np.ndarray, *, min_n: int = 5,
                         withheld: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`suppress_flow_table` for many tables at once, with the same result for each.

    The rules run in the same order as for one table (lines in :func:`_lines` order, then the
    pinned cells in cell order, at most 32 passes), vectorised over the tables: the Python
    loops are over the 8 lines and 16 cells, never over tables.

    Parameters
    ----------
    tables
        Raw counts, ``(T, 3, 3)``.
    withheld
        ``(T, 4, 4)`` cells already withheld for another reason, or None.

    Returns
    -------
    (values, mask)
        The bordered tables ``(T, 4, 4)`` (int64) and their withheld cells ``(T, 4, 4)``.
    """
    full = with_margins(tables).reshape(-1, 16)
    hidden = (full >= 1) & (full < min_n)
    if withheld is not None:
        hidden |= np.asarray(withheld, dtype=bool).reshape(-1, 16) & (full > 0)
    hidden[(full[:, 15] > 0) & (full[:, 15] < min_n)] = True  # an empty table is shown as zeros
    active = np.flatnonzero(hidden.any(axis=1))  # a table with nothing withheld stays so
    for _ in range(32):  # each pass withholds at least one more cell of 16, or stops
        if not active.size:
            break
        values, state = full[active], hidden[active]
        before = state.sum(axis=1)
        for line in _LINE_INDEX:
            _close_lines(values, state, line, min_n)
        still = state.sum(axis=1) == before
        if still.any():
            _widen_pinned(values, state, still)
        hidden[active] = state
        active = active[state.sum(axis=1) != before]
    return full.reshape(-1, 4, 4), hidden.reshape(-1, 4, 4)


# The 8 lines as flat indices into the bordered table (row-major, 16 cells): parts, then total.
_LINE_INDEX = [np.array([4 * i + j for i, j in line]) for line in _lines()]


def _close_lines(values: np.ndarray, hidden: np.ndarray, line: np.ndarray, min_n: int) -> None:
    """Rule 2 for one line in every table (``values``/``hidden`` are ``(N, 16)``; updated in
    place): while the line is exposed, withhold its smallest visible non-zero part."""
    part_values, state = values[:, line], hidden[:, line]
    live = state.any(axis=1)
    candidate = ~state[:, :3] & (part_values[:, :3] > 0)
    # Parts by (value, position), candidates first: the order in which one table takes them.
    order = np.argsort(np.where(candidate, part_values[:, :3] * 3 + np.arange(3), np.iinfo(
        np.int64).max), axis=1, kind="stable")
    rows = np.arange(len(values))
    for rank in range(3):
        part = order[:, rank]
        count = state.sum(axis=1)
        withheld_sum = (part_values * state).sum(axis=1)
        exposed = (count < 2) | (~state[:, 3] & (withheld_sum < min_n))
        take = live & candidate[rows, part] & exposed
        state[rows[take], part[take]] = True
    hidden[:, line] = state


# Each cell's lines: its row then its column (the cell itself is withheld, so it never counts).
_NEIGHBOURS = np.array([sorted({4 * i + k for k in range(4)} | {4 * k + j for k in range(4)})
                        for i in range(4) for j in range(4)])


def _widen_pinned(values: np.ndarray, hidden: np.ndarray, rows: np.ndarray) -> None:
    """Rule 3 in the tables ``rows`` (a boolean mask): for every pinned withheld cell, in cell
    order, withhold the smallest visible non-zero cell sharing a line with it (ties: the first
    in row-major order), or the whole table when there is none."""
    index = np.flatnonzero(rows)
    pinned = pinned_cells(values[index], hidden[index])
    index, pinned = index[pinned.any(axis=1)], pinned[pinned.any(axis=1)]
    if not index.size:
        return
    table_values, state = values[index], hidden[index]
    big = np.iinfo(np.int64).max
    for cell in range(16):
        hit = np.flatnonzero(pinned[:, cell])
        if not hit.size:
            continue
        near = _NEIGHBOURS[cell]
        near_values, near_hidden = table_values[hit][:, near], state[hit][:, near]
        key = np.where(~near_hidden & (near_values > 0), near_values * 16 + near, big)
        best = key.argmin(axis=1)
        found = key[np.arange(hit.size), best] != big
        state[hit[found], near[best[found]]] = True
        state[hit[~found]] = True  # nothing left to hide behind: withhold the whole table
    hidden[index] = state


def flow_intervals(published: np.ma.MaskedArray) -> dict[tuple[int, int], tuple[float, float]]:
    """What a reader can work out: the smallest and largest value each withheld cell can take.

    The reader knows every visible count, that each row and column adds up to its total, and
    that a withheld count is a whole number of at least 1 (zeros are never withheld, and the
    table is totally unimodular, so the linear programme's bounds are whole numbers). A cell
    with ``low == high`` would be disclosed.

    Returns
    -------
    dict
        ``(row, column)`` of the bordered 4×4 table → ``(low, high)``.
    """
    mask = np.ma.getmaskarray(published)
    if mask.all():  # nothing published: zeros are hidden too
        return {(i, j): (0.0, float("inf")) for i in range(4) for j in range(4)}
    cells = [(i, j) for i in range(4) for j in range(4) if mask[i, j]]
    index = {c: k for k, c in enumerate(cells)}
    a_eq, b_eq = [], []
    for line in _lines():
        *parts, total = line
        coef = np.zeros(len(cells))
        rhs = 0.0
        for cell, sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
            if cell in index:
                coef[index[cell]] += sign
            else:
                rhs -= sign * float(published.data[cell])
        if coef.any():
            a_eq.append(coef)
            b_eq.append(rhs)
    if not a_eq:  # withheld cells in no published relation: nothing to solve
        return {c: (1.0, float("inf")) for c in cells}
    bounds = [(1.0, None)] * len(cells)
    out = {}
    for cell, k in index.items():
        objective = np.zeros(len(cells))
        objective[k] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        top = float("inf") if high.status == 3 else -float(high.fun)
        out[cell] = (float(low.fun), top)
    return out


def _alternating_cycles() -> list[dict[int, int]]:
    """Every simple cycle of the bipartite graph rows {0..3} × columns {0..3} of the bordered
    table (length 4, 6 or 8), in both orientations: ``{flat cell: ±1}``, signs alternating, so
    every row and column of the move sums to 0. 204 cycles, 408 signed moves."""
    moves: set[frozenset[tuple[int, int]]] = set()
    for k in (2, 3, 4):
        for rows in permutations(range(4), k):
            for cols in permutations(range(4), k):
                # r1 c1 r2 c2 … rk ck r1: +1 on (r_m, c_m), −1 on (r_{m+1}, c_m).
                move = {(4 * rows[m] + cols[m], 1) for m in range(k)}
                move |= {(4 * rows[(m + 1) % k] + cols[m], -1) for m in range(k)}
                moves.add(frozenset(move))
    return [dict(m) for m in sorted(moves, key=sorted)]


_MARGINS = np.array([i == 3 or j == 3 for i in range(4) for j in range(4)]) & (
    np.arange(16) != 15)
_CYCLES = _alternating_cycles()
# Bit c: cell c may move +1 in y; bit 16 + c: it may move −1. A move needs all its bits.
_CYCLE_NEEDS = np.array([sum(1 << (cell if sign > 0 else 16 + cell)
                             for cell, sign in move.items()) for move in _CYCLES],
                        dtype=np.uint32)
_CYCLE_CELLS = np.array([sum(1 << cell for cell in move) for move in _CYCLES], dtype=np.uint32)


def pinned_cells(values: np.ndarray, hidden: np.ndarray, *, chunk: int = 8192) -> np.ndarray:
    """The withheld cells a reader can work out exactly, in many bordered tables at once.

    Exact, without linear programming (:func:`flow_intervals` is the reference). Write the
    bordered table as ``y``: the cells and the grand total as they are, the row and column
    totals negated; then every row and column of ``y`` sums to 0. A reader knows the visible
    cells and that a withheld cell, total or grand total is a whole number of at least 1 (``y
    >= 1``; ``y <= -1`` for a margin). The constraint matrix is totally unimodular, so another
    table the reader cannot rule out differs from the true one by an integer circulation,
    which splits into alternating ±1 cycles over withheld cells, each of them possible on its
    own. So a withheld cell is pinned iff no alternating cycle of withheld cells through it can
    move by one: +1 in ``y`` is always possible for a cell or the grand total, for a margin only
    when it is at least 2; −1 the other way round.

    Parameters
    ----------
    values
        Bordered tables, ``(N, 16)`` (row-major 4×4).
    hidden
        Their withheld cells, ``(N, 16)``.

    Returns
    -------
    numpy.ndarray
        ``(N, 16)`` bool: withheld and pinned to its true value. Empty when nothing or
        everything is withheld (then the zeros are hidden too).

    Examples
    --------
    A withheld cell alone in its row is given back by the row total.

    >>> values = with_margins(np.array([[[20, 6, 0], [7, 5, 2], [0, 3, 6]]])).reshape(1, 16)
    >>> hidden = np.zeros((1, 16), dtype=bool)
    >>> hidden[0, [6, 9]] = True  # yellow → red (2), red → yellow (3): each alone in its row
    >>> np.flatnonzero(pinned_cells(values, hidden)[0])
    array([6, 9])
    >>> hidden[0, [5, 10]] = True  # and yellow → yellow, red → red: a cycle, nothing pinned
    >>> np.flatnonzero(pinned_cells(values, hidden)[0])
    array([], dtype=int64)
    """
    out = np.zeros(hidden.shape, dtype=bool)
    bits = 1 << np.arange(16, dtype=np.uint32)
    for start in range(0, len(values), chunk):
        part, state = values[start:start + chunk], hidden[start:start + chunk]
        up = state & (~_MARGINS | (part >= 2))
        down = state & (_MARGINS | (part >= 2))
        flags = (up.astype(np.uint32) @ bits) | ((down.astype(np.uint32) @ bits) << 16)
        possible = (flags[:, None] & _CYCLE_NEEDS) == _CYCLE_NEEDS
        moving = np.bitwise_or.reduce(np.where(possible, _CYCLE_CELLS, 0), axis=1)
        free = (moving[:, None] & bits) != 0
        some = np.logical_and(state.any(axis=1), ~state.all(axis=1))
        out[start:start + chunk] = state & ~free & some[:, None]
    return out


def flow_frame(published: np.ma.MaskedArray) -> pl.DataFrame:
    """The bordered table as a tidy frame (:data:`FLOW_SCHEMA`)."""
    names = [*POSITIONS, TOTAL]
    mask = np.ma.getmaskarray(published)
    rows = [
        {"from_position": names[i], "to_position": names[j],
         "count": None if mask[i, j] else int(published.data[i, j]),
         "withheld": bool(mask[i, j])}
        for i, j in product(range(4), range(4))
    ]
    return pl.DataFrame(rows, schema=FLOW_SCHEMA)


# --- Time in yellow ---------------------------------------------------------------------------


EPISODE_SCHEMA: dict[str, PolarsDataType] = {
    "child_id": pl.Int64,
    "institution_id": pl.Int64,  # where the child was when it entered yellow
    "entry_round": pl.Utf8,
    "duration": pl.Int64,  # rounds until the exit was seen, or until censoring
    "ended": pl.Boolean,  # True: seen green or red in round entry + duration
    "exit_position": pl.Utf8,  # green / red when ended, else null
}


def yellow_episodes(assessments: pl.DataFrame, *, institution_ids: Sequence[int] | None = None,
                    include_first_assessment: bool = True,
                    assessed_earlier: Iterable[int] | pl.Series = ()) -> pl.DataFrame:
    """Spells in yellow: one row per time a child enters yellow (child-level; never display).

    A child **enters** yellow in a round where it is yellow and its previous round was green or
    red; with ``include_first_assessment`` also when it has no earlier assessment at all (a new
    child whose first position is yellow). A yellow round after a gap of one or more unassessed
    rounds is not an entry: we do not know where the child was in between.

    The spell **ends** in the first following round with a green or red position (``duration`` =
    rounds from entry to that round). It is **censored** when the child is not assessed in the
    next round (it left the daycare, missed the assessment, or the data end): ``duration`` is then
    the rounds it was seen in yellow after entry, and ``ended`` is False.

    Parameters
    ----------
    assessments
        The ``assessments`` source frame, within the viewer's scope.
    institution_ids
        Keep spells that started in these institutions (the chosen unit); None for all.
    include_first_assessment
        Count a child's first assessment, when yellow, as an entry.
    assessed_earlier
        Children with a green, yellow or red assessment before the first round of
        ``assessments``: their first round there is not their first assessment (a window of the
        store's rows, see below).

    Returns
    -------
    pl.DataFrame
        :data:`EPISODE_SCHEMA`.

    Notes
    -----
    **A window of rounds.** Let ``assessments`` hold every row of rounds *w*, *w* + 1, … (none
    before *w*) and ``assessed_earlier`` the children of those rows with a row before *w*.
    Then the spells entering in round *e* ≥ *w* + 1 are exactly those of all rows:

    - A child's position in each round ≥ *w* is that of all rows (a round's rows are all in or
      all out of the window).
    - An entry at *e* asks about round *e* − 1 ≥ *w*, inside the window: if the child was
      assessed there, its previous round is *e* − 1 in both, with the same position. If not,
      the entry is a first assessment in both or in neither: with all rows, the child has an
      earlier round iff it has one in *w* … *e* − 1 or it is in ``assessed_earlier``.
    - A spell is followed through later rounds only, all inside the window.

    Entries in round *w* itself need round *w* − 1 and are wrong in general.
    """
    rounds = position_rounds(assessments).with_columns(
        pl.col("position").shift(1).over("child_id").alias("prev_position"),
        pl.col("round_index").shift(1).over("child_id").alias("prev_index"),
    )
    yellow = pl.col("position") == "yellow"
    after_other = (pl.col("prev_index") == pl.col("round_index") - 1) & (
        pl.col("prev_position") != "yellow")
    earlier = (assessed_earlier if isinstance(assessed_earlier, pl.Series)
               else pl.Series(list(assessed_earlier), dtype=pl.Int64)).cast(pl.Int64)
    first = ((pl.col("prev_index").is_null() & ~pl.col("child_id").is_in(earlier.implode()))
             if include_first_assessment else pl.lit(False))
    entries = rounds.filter(yellow & (after_other | first))
    if institution_ids is not None:
        entries = entries.filter(pl.col("institution_id").is_in(list(institution_ids)))
    # Follow every spell forward round by round through the child's consecutive assessments.
    later = rounds.select("child_id", pl.col("round_index").alias("later_index"),
                          pl.col("position").alias("later_position"))
    steps = (
        entries.select("child_id", "institution_id", pl.col("round").alias("entry_round"),
                       pl.col("round_index").alias("entry_index"))
        .join(later, on="child_id", how="inner")
        .filter(pl.col("later_index") > pl.col("entry_index"))
        .with_columns((pl.col("later_index") - pl.col("entry_index")).alias("step"))
        .sort("child_id", "entry_index", "step")
    )
    # A spell is followed while the steps are 1, 2, 3, ... with no gap and the child is yellow;
    # the first non-yellow step ends it.
    seen = steps.with_columns(
        (pl.col("step") == pl.int_range(1, pl.len() + 1).over("child_id", "entry_index"))
        .alias("contiguous"),
    ).filter(pl.col("contiguous"))
    seen = seen.with_columns(
        (pl.col("later_position") != "yellow").cum_sum().over("child_id", "entry_index")
        .alias("exits_so_far")
    ).filter((pl.col("exits_so_far") == 0) | (
        (pl.col("exits_so_far") == 1) & (pl.col("later_position") != "yellow")))
    outcome = seen.group_by("child_id", "entry_index").agg(
        pl.col("step").max().alias("last_step"),
        pl.col("later_position").filter(pl.col("later_position") != "yellow").first()
        .alias("exit_position"),
    )
    episodes = entries.select(
        "child_id", "institution_id", pl.col("round").alias("entry_round"),
        pl.col("round_index").alias("entry_index"),
    ).join(outcome, on=["child_id", "entry_index"], how="left")
    return episodes.select(
        "child_id", "institution_id", "entry_round",
        pl.col("last_step").fill_null(0).alias("duration"),
        pl.col("exit_position").is_not_null().alias("ended"),
        "exit_position",
    ).cast(EPISODE_SCHEMA).sort("entry_round", "child_id")  # type: ignore[arg-type]


def yellow_survival(episodes: pl.DataFrame, *, max_rounds: int = 3,
                    min_n: int = 5) -> pl.DataFrame:
    """Share still yellow ``t`` rounds after entering yellow (Kaplan-Meier), t = 0..max_rounds.

    The spells **at risk** at round ``t`` are those with ``duration >= t``: seen yellow in every
    round before ``t`` and either ending at ``t`` or later, or censored at ``t`` or later. Of
    those, the spells that ended at ``t`` leave yellow, and

        S(t) = S(t - 1) × (1 − ended at t / at risk at t),  S(0) = 100 %.

    A censored child counts as yellow for the rounds it was seen, then drops out of the
    denominator: leaving the daycare is not a resolution.

    Parameters
    ----------
    episodes
        From :func:`yellow_episodes`.
    max_rounds
        Last round after entry to report.
    min_n
        ``S(t)`` is withheld from the first ``t`` where fewer than ``min_n`` children are at
        risk (the step from the previous value would show a count below ``min_n``), and for
        every later ``t``; ``at_risk`` is then null too.

    Returns
    -------
    pl.DataFrame
        :data:`SURVIVAL_SCHEMA`, one row per ``t`` in ``0..max_rounds``.

    Examples
    --------
    Ten spells: three end (green) after 1 round, two are censored after 1 round (seen yellow once
    more, then gone), five end after 2 rounds. S(1) = 1 − 3/10 = 70 %; at risk at 2: 7 − 2 = 5,
    all end: S(2) = 0 %.
    """
    durations = episodes["duration"].to_numpy()
    ended = episodes["ended"].to_numpy()
    rows = []
    share = 1.0
    withheld = len(durations) < min_n
    for t in range(max_rounds + 1):
        at_risk = int((durations >= t).sum())
        if t > 0:
            events = int(((durations == t) & ended).sum())
            if at_risk < min_n:
                withheld = True
            share = share * (1 - events / at_risk) if at_risk else share
        rows.append({
            "rounds": t,
            "at_risk": None if withheld else at_risk,
            "still_yellow": None if withheld else 100 * share,
            "withheld": withheld,
        })
    return pl.DataFrame(rows, schema=SURVIVAL_SCHEMA)


def _median_rounds(episodes: pl.DataFrame, min_n: int) -> float | None:
    """The first t where S(t) ≤ 50 %, read off an unsuppressed curve long enough to reach it."""
    longest = max(episodes["duration"].to_list(), default=0)
    curve = yellow_survival(episodes, max_rounds=max(longest, 1), min_n=min_n)
    reached = curve.filter(~pl.col("withheld") & (pl.col("still_yellow") <= 50.0))
    return float(reached["rounds"][0]) if reached.height else None


def yellow_summary(episodes: pl.DataFrame, *, min_n: int = 5) -> pl.DataFrame:
    """Entries into yellow, the median time in yellow and the yellow → red share, in one row.

    ``median_rounds`` is the first round after entry at which at most half the children are
    still in yellow (Kaplan-Meier); null when fewer than half have left yellow by the last round
    with at least ``min_n`` children at risk. ``to_red_share`` is the share, in %, of the spells
    whose end was seen that ended in red rather than green; withheld when fewer than ``min_n``
    spells ended. Everything is withheld when fewer than ``min_n`` children entered yellow.

    Returns
    -------
    pl.DataFrame
        :data:`SUMMARY_SCHEMA`, one row.
    """
    entered = episodes.height
    ended = episodes.filter(pl.col("ended"))
    withheld = entered < min_n
    red = ended.filter(pl.col("exit_position") == "red").height
    row = {
        "entered": None if withheld else entered,
        "ended": None if withheld or ended.height < min_n else ended.height,
        "median_rounds": None if withheld else _median_rounds(episodes, min_n),
        "to_red_share": None if withheld or ended.height < min_n else 100 * red / ended.height,
        "withheld": withheld,
    }
    return pl.DataFrame([row], schema=SUMMARY_SCHEMA)
