"""An exact audit of what a determined reader can work out from the published indicator values.

For one indicator and period, the published cells — every org unit × age group (``alle``, ``0-2``,
``3-5``) × population (all children, "vulnerable only", and the never-published complement "the
other children") — are linked by additive relations:

- **tree**: a unit = the sum of its child units (same age group and population);
- **age**: ``alle`` = ``0-2`` + ``3-5`` (same unit and population);
- **vulnerable**: all children = vulnerable + others (same unit and age group).

The reader knows every visible cell's n and value and, from value × n or the export, its
numerator and denominator. A withheld cell and a complement are unknowns of that linear system; a
unit or subgroup with no row is a known zero. The audit reports:

``determined``
    a withheld cell fixed exactly by the visible cells (its unit vector lies in the row space of
    the relations restricted to the unknowns: a rank check, done on each connected component of
    unknowns with a null-space basis). Exactness is structural, so n, numerator and denominator
    are all recovered.
``narrowed`` (only with ``intervals=True``: ``manage.py audit-privacy --intervals``)
    a withheld cell whose n can be bounded (relations, n ≥ 1 for a cell that exists, n ≥ 0 for a
    complement) to an interval narrower than ``min_n``. The bounds are proven wide cheaply by
    walking along null-space directions from the true values; only cells that walk cannot clear
    get the exact LP bounds (scipy's HiGHS).
``small_count``
    an unpublished complement fixed exactly (or, with ``intervals=True``, bounded inside
    1 … ``min_n``-1) that rests on 1 to ``min_n``-1 children, or — for shares — whose numerator
    or non-numerator count does.
``small_numerator``
    a visible share whose numerator or denominator − numerator is 1 to ``min_n``-1 (the
    small-numerator policy, see README "Privacy").

Indicators with ``gap`` aggregation are not additive (a difference of two shares) and are not in
the system; their n is the smaller group and their value is a percentage, never a count.
This module is pure (polars, numpy, scipy): no store, no streamlit.

How (fast enough for every indicator of the national tree, every time values are computed):
all periods of an indicator are built at once with array operations. Each complement sits in
one relation only (its own all = vulnerable + others), which it can always meet, so the
vulnerable relations never fix a withheld cell: the populations "all" and "vulnerable" are
separate trees of units linked by tree and age relations. How a unit's cells can move with every
relation kept is one of five subspaces of the plane alle = 0-2 + 3-5 (none, the line on which
alle, 0-2 or 3-5 stays, the plane), so one pass up and one down each tree find exactly which
withheld cells are fixed (the rank check's answer, without one); a complement is fixed when its
all and vulnerable cells are. A fixed cell's value is its true one wherever its population's
relations hold with the true values, else the least squares the rank check used. Findings keep
the order, bounds and ``neighbours`` of the per-component check (tests/support/
reference_audit.py keeps it as the reference), which still runs for the interval check and for
an org tree with a cycle.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy import linalg, optimize, sparse
from scipy.sparse.csgraph import connected_components
from threadpoolctl import ThreadpoolController

ADDITIVE = frozenset({"share", "rate", "mean", "sum"})
AGES = ("alle", "0-2", "3-5")
POPULATIONS = ("all", "vulnerable", "others")
POPULATION_TEXT = {"all": "alle børn", "vulnerable": "børn i udsatte positioner",
                   "others": "øvrige børn (alle − udsatte)"}
KIND_TEXT = {
    "determined": "kan beregnes præcist",
    "narrowed": "kan indsnævres til et interval smallere end grænsen",
    "small_count": "afslører et antal på 1-4",
    "small_numerator": "viser en andel hvis tæller (eller rest) er 1-4",
}
_EPS = 1e-7

Slot = tuple[int, str, str]  # (unit_id, age_group, population)


@dataclass(frozen=True)
class Finding:
    indicator_id: str
    period: str
    unit_id: int
    age_group: str
    population: str
    kind: str
    lower: float
    upper: float
    # Visible cells in a relation with the finding, smallest first: what suppression may add.
    neighbours: tuple[Slot, ...] = field(default=(), compare=False, repr=False)

    def describe(self) -> str:
        """One line in Danish for the log and the admin page."""
        bounds = (f"{self.lower:g}" if abs(self.upper - self.lower) < _EPS
                  else f"{self.lower:g}-{self.upper:g}")
        return (f"{self.indicator_id} {self.period}, enhed {self.unit_id}, {self.age_group}, "
                f"{POPULATION_TEXT[self.population]}: {KIND_TEXT[self.kind]} (n {bounds})")


@dataclass(frozen=True)
class AuditReport:
    findings: tuple[Finding, ...]
    systems: int
    unknowns: int

    @property
    def clean(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        if self.clean:
            return (f"Ingen skjult værdi kan beregnes: {self.systems} tabelsystemer, "
                    f"{self.unknowns} skjulte celler kontrolleret.")
        return (f"{len(self.findings)} fund i {self.systems} tabelsystemer: "
                + "; ".join(f.describe() for f in self.findings[:5])
                + (" …" if len(self.findings) > 5 else ""))


def _population(vulnerable_only: bool) -> str:
    return "vulnerable" if vulnerable_only else "all"


# Slot codes: index into AGES and POPULATIONS. A unit's slots follow AGES × POPULATIONS order;
# ties between neighbours are broken by the slots' text, ordered by these ranks.
_AGE_CODE = {a: k for k, a in enumerate(AGES)}
_AGE_TEXT_RANK = np.argsort(np.argsort(np.array(AGES)))
_POP_TEXT_RANK = np.argsort(np.argsort(np.array(POPULATIONS)))
_ALL, _VULNERABLE, _OTHERS = range(3)
# A unit's age and vulnerable relations (subgroups): the slots (age × 3 + population) of
# alle = 0-2 + 3-5 for each linked population, then all = vulnerable + others for each age.
_UNIT_RELATIONS = np.array([[0, 3, 6], [1, 4, 7], [0, 1, 2], [3, 4, 5], [6, 7, 8]])
_SIGNS = np.array([1.0, -1.0, -1.0])


@dataclass(frozen=True)
class _Table:
    """Every slot (unit × age group × population) of every audited period of one indicator, in
    the order of the per-period reference: period, unit, age group, population; and the
    relations that hold an unknown, numbered in the reference's order (per period: the tree
    relations by their parent's first child, then each unit's age and vulnerable relations).
    """

    periods: list[str]
    period: np.ndarray    # slot → index into periods
    unit: np.ndarray
    age: np.ndarray       # index into AGES
    pop: np.ndarray       # index into POPULATIONS
    n: np.ndarray         # true n (a complement: all − vulnerable, at least 0)
    num: np.ndarray       # numerator (a withheld cell: its true one, NaN if not in the frame)
    den: np.ndarray       # denominator (likewise)
    known: np.ndarray
    withheld: np.ndarray
    pair_start: np.ndarray   # (period, unit) pair → its first slot
    pair_sub: np.ndarray     # pair → its period has subgroups (9 slots, else 1)
    pair_parent: np.ndarray  # pair → the parent's pair that period, or -1
    rel: np.ndarray       # relation entries: relation, slot, coefficient
    slot: np.ndarray
    coef: np.ndarray
    relations: int
    vulnerable: np.ndarray  # relation → all = vulnerable + others (the rest: tree and age)


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Position of each key in ``sorted_keys``, -1 where absent."""
    if sorted_keys.size == 0:
        return np.full(keys.size, -1)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return np.where(sorted_keys[pos] == keys, pos, -1)


def _parent_units(units: np.ndarray, org_units: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's parent id and whether it has one (a unit not in ``org_units`` has none; an
    id listed twice takes its last row, as a dict built from the rows would)."""
    ids = org_units["id"].to_numpy()
    if not ids.size:
        return np.zeros(units.size, dtype=np.int64), np.zeros(units.size, dtype=bool)
    parents = org_units["parent_id"]
    order = np.argsort(ids, kind="stable")
    pos = np.maximum(np.searchsorted(ids[order], units, side="right") - 1, 0)
    at = order[pos]
    return (parents.fill_null(0).to_numpy()[at],
            (ids[at] == units) & parents.is_not_null().to_numpy()[at])


def _table(values: pl.DataFrame, org_units: pl.DataFrame) -> _Table | None:
    """The slots and relations of every period with something to audit (a withheld cell or a
    complement), or None."""
    values = values.filter(pl.col("period").is_not_null())
    labels = values["period"].cast(pl.Utf8).unique().sort().to_list()
    flags = values.select(
        pl.col("period").cast(pl.Utf8).cast(pl.Enum(labels)).to_physical().cast(pl.Int64)
        .alias("p"),
        ((pl.col("age_group") != "alle") | pl.col("vulnerable_only")).fill_null(False)
        .alias("sub"),
        (pl.col("suppressed") | pl.col("vulnerable_only")).fill_null(False).alias("active"))
    code = flags["p"].to_numpy()
    sub = np.bincount(code, weights=flags["sub"].to_numpy(), minlength=len(labels)) > 0
    active = np.bincount(code, weights=flags["active"].to_numpy(), minlength=len(labels)) > 0
    if not active.any():
        return None
    # Audited periods renumbered 0, 1, … in order; their rows; the (period, unit) pairs.
    take = active[code]
    period = (np.cumsum(active) - 1)[code[take]]
    sub = sub[active]
    units, unit_code = np.unique(values["unit_id"].to_numpy()[take], return_inverse=True)
    pair_keys, pair = np.unique(period * units.size + unit_code, return_inverse=True)
    pair_p, pair_u = pair_keys // units.size, units[pair_keys % units.size]
    pops = np.where(sub[pair_p], len(POPULATIONS), 1)
    width = np.where(sub[pair_p], len(AGES) * len(POPULATIONS), 1)
    start = np.cumsum(width) - width
    owner = np.repeat(np.arange(pair_p.size), width)
    within = np.arange(int(width.sum())) - start[owner]
    age, pop = within // pops[owner], within % pops[owner]
    n, num, den, withheld = _cells(values.filter(pl.Series(take)), pair, start, pops,
                                   owner.size)
    others = np.flatnonzero(pop == _OTHERS)
    known = ~withheld
    known[others] = False
    n[others] = np.maximum(n[others - 2] - n[others - 1], 0.0)
    parent_pair = _parent_pairs(pair_p, pair_u, org_units)
    rel, slot, coef, vulnerable = _relations(pair_p, parent_pair, sub, start)
    if (parent_pair == np.arange(parent_pair.size)).any():
        # A unit its own parent: its +1 and -1 cancel, as in the reference's sparse matrix.
        summed = sparse.coo_matrix((coef, (rel, slot)),
                                   shape=(vulnerable.size, owner.size)).tocsr()
        summed.eliminate_zeros()
        entries = summed.tocoo()
        rel, slot, coef = entries.row.astype(np.int64), entries.col.astype(np.int64), entries.data
    unknown_rel = np.zeros(vulnerable.size, dtype=bool)
    unknown_rel[rel[~known[slot]]] = True
    keep = unknown_rel[rel]
    return _Table([p for p, a in zip(labels, active, strict=True) if a], pair_p[owner],
                  pair_u[owner], age, pop, n, num, den, known, withheld, start, sub[pair_p],
                  parent_pair, (np.cumsum(unknown_rel) - 1)[rel[keep]], slot[keep],
                  coef[keep], int(unknown_rel.sum()), vulnerable[unknown_rel])


def _cells(rows: pl.DataFrame, pair: np.ndarray, start: np.ndarray, pops: np.ndarray,
           size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per slot from the rows (of pair ``pair``): n, numerator, denominator and withheld."""
    rows = rows.select(
        pl.col("age_group").replace_strict(_AGE_CODE, default=-1, return_dtype=pl.Int64),
        "vulnerable_only", "suppressed", "n", pl.col("numerator", "denominator"))
    age_code = rows["age_group"].to_numpy()
    valid = age_code >= 0  # a row of another age group has no slot (as in the reference)
    pair = pair[valid]
    at = (start[pair] + age_code[valid] * pops[pair]
          + rows["vulnerable_only"].to_numpy()[valid].astype(np.int64))
    hidden = rows["suppressed"].to_numpy()[valid].astype(bool)
    n = np.zeros(size)
    n[at] = rows["n"].to_numpy()[valid]
    num = np.zeros(size)
    den = np.zeros(size)
    for x, name in ((num, "numerator"), (den, "denominator")):
        true = rows[name].cast(pl.Float64).to_numpy()[valid]  # null: NaN
        x[at] = np.where(hidden, true, np.nan_to_num(true, nan=0.0))
    withheld = np.zeros(size, dtype=bool)
    withheld[at[hidden]] = True
    return n, num, den, withheld


def _parent_pairs(pair_p: np.ndarray, pair_u: np.ndarray,
                  org_units: pl.DataFrame) -> np.ndarray:
    """The parent of each (period, unit) pair, where it is a pair too (present that period);
    else -1."""
    parent, has_parent = _parent_units(pair_u, org_units)
    units = np.unique(pair_u)
    code = _lookup(units, parent)
    keys = pair_p * units.size + np.searchsorted(units, pair_u)
    return np.where(has_parent & (code >= 0),
                    _lookup(keys, pair_p * units.size + np.maximum(code, 0)), -1)


def _relations(pair_p: np.ndarray, parent_pair: np.ndarray, sub: np.ndarray,
               start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entries (relation, slot, coefficient) of every relation, relations numbered in the
    reference order, and which relations are vulnerable ones (all = vulnerable + others).

    The reference's order, per period: the tree relations by their parent's first child, age
    and population, then each unit's two age relations and three vulnerable relations.
    """
    child = np.flatnonzero(parent_pair >= 0)
    groups, first, group_of = np.unique(parent_pair[child], return_index=True,
                                        return_inverse=True)
    # Parents in the order of their first child (a pair index: period first).
    by_first = np.argsort(child[first], kind="stable")
    renumber = np.empty_like(by_first)
    renumber[by_first] = np.arange(by_first.size)
    groups, group_of = groups[by_first], renumber[group_of.ravel()]
    # Tree: per parent × age × linked population, parent − its children.
    g_sub = sub[pair_p[groups]]
    g_linked = np.where(g_sub, 2, 1)
    g_pops = np.where(g_sub, len(POPULATIONS), 1)
    g_count = np.where(g_sub, len(AGES), 1) * g_linked
    g_offset = np.cumsum(g_count) - g_count
    trees = int(g_count.sum())
    tree_group = np.repeat(np.arange(groups.size), g_count)
    t = np.arange(trees) - g_offset[tree_group]
    t_age, t_pop = t // g_linked[tree_group], t % g_linked[tree_group]
    parent_slot = start[groups[tree_group]] + t_age * g_pops[tree_group] + t_pop
    kid_count = g_count[group_of]
    kid = np.repeat(np.arange(child.size), kid_count)
    k_group = group_of[kid]
    k = np.arange(kid.size) - np.repeat(np.cumsum(kid_count) - kid_count, kid_count)
    kid_rel = g_offset[k_group] + k
    kid_slot = (start[child[kid]] + (k // g_linked[k_group]) * g_pops[k_group]
                + k % g_linked[k_group])
    # Each unit with subgroups: its two age relations and three vulnerable relations.
    sp = np.flatnonzero(sub[pair_p])
    unit_slot = start[sp][:, None, None] + _UNIT_RELATIONS[None]
    # Interleave per period: that period's tree relations, then its unit relations.
    periods = sub.size
    tree_period = pair_p[groups[tree_group]]
    tree_count = np.bincount(tree_period, minlength=periods)
    unit_count = 5 * np.bincount(pair_p[sp], minlength=periods)
    tree_rank = np.arange(trees) + (np.cumsum(unit_count) - unit_count)[tree_period]
    unit_period = np.repeat(pair_p[sp], 5)
    unit_rank = np.arange(5 * sp.size) + np.cumsum(tree_count)[unit_period]
    vulnerable = np.zeros(trees + unit_rank.size, dtype=bool)
    vulnerable[unit_rank.reshape(-1, 5)[:, 2:].ravel()] = True
    rel = np.concatenate([tree_rank, tree_rank[kid_rel], np.repeat(unit_rank, 3)])
    slot = np.concatenate([parent_slot, kid_slot, unit_slot.ravel()])
    coef = np.concatenate([np.ones(trees), -np.ones(kid_rel.size),
                           np.tile(_SIGNS, unit_rank.size)])
    return rel, slot, coef, vulnerable


@dataclass(frozen=True)
class _Linear:
    """The relations restricted to the unknowns (``matrix``: relations × unknowns), their
    right-hand sides from the visible cells (n, numerator, denominator) and the connected
    components of the unknowns (relations get their unknowns' component)."""

    unknown: np.ndarray   # unknown → slot
    matrix: sparse.csr_matrix
    rhs: np.ndarray       # relations × 3
    label: np.ndarray     # unknown → component
    rel_label: np.ndarray  # relation → component
    components: int


def _linear(t: _Table) -> _Linear:
    unknown = np.flatnonzero(~t.known)
    index = np.full(t.known.size, -1)
    index[unknown] = np.arange(unknown.size)
    hidden = ~t.known[t.slot]
    matrix = sparse.csr_matrix((t.coef[hidden], (t.rel[hidden], index[t.slot[hidden]])),
                               shape=(t.relations, unknown.size))
    matrix.sort_indices()
    rel, slot, coef = t.rel[~hidden], t.slot[~hidden], t.coef[~hidden]
    rhs = np.column_stack([-np.bincount(rel, weights=coef * x[slot], minlength=t.relations)
                           for x in (t.n, t.num, t.den)])
    label, rel_label = _components(matrix)
    return _Linear(unknown, matrix, rhs, label, rel_label,
                   int(max(label.max(initial=-1), rel_label.max(initial=-1))) + 1)


def _components(matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Connected components of the unknowns (columns) linked by shared relations (rows): the
    components of the relation–unknown graph."""
    rows, cols = matrix.shape
    coo = matrix.tocoo()
    graph = sparse.coo_matrix((np.ones(coo.nnz), (coo.col, cols + coo.row)),
                              shape=(rows + cols, rows + cols))
    _count, labels = connected_components(graph, directed=False)
    return labels[:cols], labels[cols:]


# How one unit's cells in one population (all or vulnerable) can move while every relation
# holds: a subspace of the plane {(alle, 0-2, 3-5): alle = 0-2 + 3-5}. Each visible cell keeps
# one coordinate, so the subspace is one of: nothing (0), the line where alle stays (1), where
# 0-2 stays (2), where 3-5 stays (4), or the plane (7); sums and intersections of these stay
# among them (bitwise and is the intersection, bitwise or then _join the sum). Without
# subgroups a unit's one cell moves (7) or not (0).
_PLANE = 7
_STAYS = np.array([1, 2, 4])  # the line on which AGES[k] stays
_POPCOUNT = np.array([0, 1, 1, 2, 1, 2, 2, 3])


def _join(codes: np.ndarray) -> np.ndarray:
    """The sum of subspaces, from the bitwise or of their codes."""
    return np.where(_POPCOUNT[codes] >= 2, _PLANE, codes)


def _depths(parent: np.ndarray) -> np.ndarray | None:
    """Each pair's depth in its period's tree (pointer jumping), or None if the parents form a
    cycle."""
    up = parent.copy()
    depth = (parent >= 0).astype(np.int64)
    for _round in range(64):
        live = np.flatnonzero(up >= 0)
        if not live.size:
            return depth
        depth[live] += depth[up[live]]
        up[live] = up[up[live]]
    return None


def _own(t: _Table, population: int) -> np.ndarray:
    """Per pair, how its cells could move by themselves: visible ones stay."""
    own = np.zeros(t.pair_start.size, dtype=np.int64)
    whole = np.flatnonzero(~t.pair_sub)
    if population == _ALL:
        own[whole] = np.where(t.known[t.pair_start[whole]], 0, _PLANE)
    sub = np.flatnonzero(t.pair_sub)
    stays = t.known[t.pair_start[sub, None] + len(POPULATIONS) * np.arange(len(AGES))
                    + population]
    own[sub] = np.where(stays.sum(axis=1) >= 2, 0, np.select(
        [stays[:, 0], stays[:, 1], stays[:, 2]], list(_STAYS), default=_PLANE))
    return own


def _moves(t: _Table) -> np.ndarray | None:
    """Per pair and population (all, vulnerable): how the unit's cells can move with every
    tree and age relation kept (``F`` = what its subtree allows ∩ what the rest allows), or
    None if the org tree has a cycle.

    Exact and structural: the vulnerable relations never restrict these cells (each holds its
    complement alone), so each population is a tree of units; up the tree a parent can do
    what the sum of its children can and its own visible cells allow; down the tree a child
    can do what its parent (as allowed from above and by itself) leaves beside its siblings.
    """
    depth = _depths(t.pair_parent)
    if depth is None:
        return None
    levels = [np.flatnonzero(depth == d) for d in range(1, int(depth.max(initial=0)) + 1)]
    pairs = t.pair_start.size
    out = np.zeros((pairs, 2), dtype=np.int64)
    for population in (_ALL, _VULNERABLE):
        own = _own(t, population)
        up = own.copy()
        for kids in reversed(levels):
            joined = np.zeros(pairs, dtype=np.int64)
            np.bitwise_or.at(joined, t.pair_parent[kids], up[kids])
            parents = np.unique(t.pair_parent[kids])
            up[parents] = own[parents] & _join(joined[parents])
        down = np.full(pairs, _PLANE)
        for kids in levels:
            parent = t.pair_parent[kids]
            bits = (up[kids, None] >> np.arange(3)) & 1
            count = np.zeros((pairs, 3), dtype=np.int64)
            np.add.at(count, parent, bits)
            siblings = ((count[parent] - bits) > 0) @ _STAYS
            down[kids] = _join((down[parent] & own[parent]) | siblings)
        out[:, population] = up & down
    return out


def _fixed(t: _Table, moves: np.ndarray) -> np.ndarray:
    """Per slot: visible, or fixed exactly by the visible cells (a withheld cell whose
    coordinate stays on every way its unit can move; a complement whose all and vulnerable
    cells are both fixed)."""
    fixed = t.known.copy()
    whole = np.flatnonzero(~t.pair_sub)
    fixed[t.pair_start[whole]] |= moves[whole, _ALL] == 0
    sub = np.flatnonzero(t.pair_sub)
    for population in (_ALL, _VULNERABLE):
        for k, stays in enumerate(_STAYS):
            slot = t.pair_start[sub] + len(POPULATIONS) * k + population
            fixed[slot] |= (moves[sub, population] & ~stays) == 0
    for k in range(len(AGES)):
        slot = t.pair_start[sub] + len(POPULATIONS) * k + _OTHERS
        fixed[slot] = fixed[slot - 2] & fixed[slot - 1]
    return fixed


def _hidden_values(t: _Table, lin: _Linear, slots: np.ndarray, *, share: bool) -> np.ndarray:
    """Values (n, numerator, denominator; without ``share`` only n counts) of fixed withheld
    cells ``slots`` as the reference solves them: least squares over their component, of which
    only the cell's own population counts (the vulnerable relations always hold through their
    complements). That is the true value wherever the component's tree and age relations hold
    with the true values; else one dense solve of the population's component."""
    rows = np.flatnonzero(~t.vulnerable)
    cols = np.flatnonzero(t.withheld[lin.unknown])
    matrix = lin.matrix[rows][:, cols].tocsr()
    label, rel_label = _components(matrix)
    count = int(max(label.max(initial=-1), rel_label.max(initial=-1))) + 1
    position = np.full(t.known.size, -1)
    position[lin.unknown[cols]] = np.arange(cols.size)
    wanted = np.zeros(count, dtype=bool)
    wanted[label[position[slots]]] = True
    # The relations of the wanted components, with the true values (NaN: not in the frame).
    entry = ~t.vulnerable[t.rel]
    local = np.full(t.relations, -1)
    local[rows] = np.arange(rows.size)
    entry &= wanted[rel_label[np.maximum(local[t.rel], 0)]]
    rel, slot, coef = t.rel[entry], t.slot[entry], t.coef[entry]
    truth = np.column_stack([t.n, t.num, t.den])
    terms = coef[:, None] * truth[slot]
    total = np.column_stack([np.bincount(rel, weights=terms[:, k], minlength=t.relations)
                             for k in range(3)])
    scale = np.column_stack([np.bincount(rel, weights=np.abs(terms[:, k]),
                                         minlength=t.relations) for k in range(3)])
    off = ~(np.abs(total) <= 1e-9 * np.maximum(scale, 1.0))
    solve = np.zeros((count, 3), dtype=bool)
    for k in range(3 if share else 1):
        solve[rel_label[local[np.flatnonzero(off[:, k])]], k] = True
    out: np.ndarray = truth[slots].copy()
    need = solve[label[position[slots]]]
    if need.any():
        c_order, c_start = _groups(label, count)
        r_order, r_start = _groups(rel_label, count)
        for comp in np.unique(label[position[slots[need.any(axis=1)]]]):
            local_cols = c_order[c_start[comp]:c_start[comp + 1]]
            local_rows = r_order[r_start[comp]:r_start[comp + 1]]
            m = matrix[local_rows][:, local_cols].toarray()
            u, sing, vt = linalg.svd(m, full_matrices=True)
            rank = int((sing > 1e-9 * max(sing.max(initial=0.0), 1.0)).sum())
            solved = vt[:rank].T @ ((u[:, :rank].T @ lin.rhs[rows[local_rows]])
                                    / sing[:rank, None])
            at = np.flatnonzero(label[position[slots]] == comp)
            which = np.searchsorted(local_cols, position[slots[at]])
            out[at] = np.where(solve[comp], solved[which], out[at])
    return out


def _walk_bounds(basis: np.ndarray, x: np.ndarray, lower: np.ndarray) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """Per unknown, the lowest and highest value reached by moving along any one null-space
    direction from the (feasible) true point ``x`` while staying ≥ ``lower``: an inner bound of
    the exact LP interval, enough to prove most cells safe without solving an LP."""
    slack = np.maximum(x - lower, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _walk(basis, x, slack)


def _walk(basis: np.ndarray, x: np.ndarray, slack: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    up = np.where(basis < -_EPS, slack[:, None] / -basis, np.inf).min(axis=0)
    down = np.where(basis > _EPS, slack[:, None] / basis, np.inf).min(axis=0)
    reach_hi = np.where(basis > _EPS, basis * up, np.where(basis < -_EPS, -basis * down, 0.0))
    reach_lo = np.where(basis > _EPS, basis * down, np.where(basis < -_EPS, -basis * up, 0.0))
    reach_hi = np.nan_to_num(reach_hi, nan=0.0, posinf=np.inf)
    reach_lo = np.nan_to_num(reach_lo, nan=0.0, posinf=np.inf)
    return x - reach_lo.max(axis=1, initial=0.0), x + reach_hi.max(axis=1, initial=0.0)


def _lp_bounds(m: np.ndarray, rhs: np.ndarray, lower: np.ndarray, j: int) -> tuple[float, float]:
    bounds = [(lo, None) for lo in lower]
    cost = np.zeros(m.shape[1])
    cost[j] = 1.0
    low = optimize.linprog(cost, A_eq=m, b_eq=rhs, bounds=bounds, method="highs")
    high = optimize.linprog(-cost, A_eq=m, b_eq=rhs, bounds=bounds, method="highs")
    if low.status == 2 or high.status == 2:  # infeasible: the counts are not additive here
        return -np.inf, np.inf
    hi = np.inf if high.status == 3 else -high.fun
    return float(low.fun), float(hi)


def _is_small(value: float, min_n: int) -> bool:
    return 1 - _EPS <= value < min_n - _EPS


def _small(values: np.ndarray, min_n: int) -> np.ndarray:
    """:func:`_is_small`, element-wise."""
    return (values >= 1 - _EPS) & (values < min_n - _EPS)


Record = tuple[int, str, float, float]  # (unknown, kind, lower, upper)


def _dense(m: np.ndarray, b: np.ndarray, x: np.ndarray, lower: np.ndarray,
           withheld: np.ndarray, *, min_n: int, share: bool, intervals: bool) -> list[Record]:
    """Findings of one connected component (``m``: its relations × its unknowns; ``b``: the
    right-hand sides n, numerator, denominator) by one dense SVD: the null space (what stays
    free) and the pseudo-inverse (the value of what is fixed; least squares where the counts
    are not additive). The interval checks walk the null space and solve LPs."""
    u, sing, vt = linalg.svd(m, full_matrices=True)
    rank = int((sing > 1e-9 * max(sing.max(initial=0.0), 1.0)).sum())
    basis = vt[rank:].T
    determined = (np.linalg.norm(basis, axis=1) < 1e-9 if basis.size
                  else np.ones(x.size, dtype=bool))
    lo, hi = _walk_bounds(basis, x, lower) if basis.size and intervals else (x, x)
    solved = np.zeros((x.size, 3))
    if (determined & ~withheld).any():
        solved = vt[:rank].T @ ((u[:, :rank].T @ b) / sing[:rank, None])
    out: list[Record] = []
    for i in range(x.size):
        kind = None
        bounds = (x[i], x[i])
        if determined[i]:
            if withheld[i]:
                kind = "determined"
            else:
                counts = [solved[i, 0]]
                if share:
                    counts += [solved[i, 1], solved[i, 2] - solved[i, 1]]
                if any(_is_small(c, min_n) for c in counts):
                    kind = "small_count"
        elif intervals and withheld[i] and hi[i] - lo[i] < min_n - _EPS:
            bounds = _lp_bounds(m, b[:, 0], lower, i)
            if bounds[1] - bounds[0] < min_n - _EPS:
                kind = "narrowed"
        elif intervals and not withheld[i] and lo[i] >= 1 - _EPS and hi[i] < min_n - _EPS:
            bounds = _lp_bounds(m, b[:, 0], lower, i)
            if bounds[0] >= 1 - _EPS and bounds[1] < min_n - _EPS:
                kind = "small_count"
        if kind is not None:
            out.append((i, kind, float(bounds[0]), float(bounds[1])))
    return out


def _groups(label: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices sorted by label (stable) and each label's start in that order (``count`` + 1)."""
    order = np.argsort(label, kind="stable")
    return order, np.concatenate([[0], np.cumsum(np.bincount(label, minlength=count))])


def _dense_records(t: _Table, lin: _Linear, comps: np.ndarray, *, min_n: int, share: bool,
                   intervals: bool) -> list[Record]:
    """The reference's per-component findings, for ``comps``."""
    u_order, u_start = _groups(lin.label, lin.components)
    r_order, r_start = _groups(lin.rel_label, lin.components)
    x = t.n[lin.unknown]
    withheld = t.withheld[lin.unknown]
    lower = withheld.astype(float)
    records: list[Record] = []
    for comp in comps:
        local = u_order[u_start[comp]:u_start[comp + 1]]
        rel = r_order[r_start[comp]:r_start[comp + 1]]
        m = lin.matrix[rel][:, local].toarray()
        records += [(int(local[i]), kind, lo, hi) for i, kind, lo, hi in _dense(
            m, lin.rhs[rel], x[local], lower[local], withheld[local], min_n=min_n,
            share=share, intervals=intervals)]
    return records


def _records(t: _Table, *, min_n: int, share: bool,
             intervals: bool) -> tuple[list[Record], _Linear | None]:
    """The exact findings (and, with ``intervals``, the interval ones) as records on the
    unknowns of the system (``_Linear``, built only when there is a finding to place), in the
    reference's order."""
    moves = _moves(t)
    if moves is None:  # a cycle in the org tree: the reference's way, component by component
        lin = _linear(t)
        return _in_order(lin, _dense_records(t, lin, np.arange(lin.components), min_n=min_n,
                                             share=share, intervals=intervals)), lin
    fixed = _fixed(t, moves)
    cells = np.flatnonzero(t.withheld & fixed)
    others = np.flatnonzero((t.pop == _OTHERS) & fixed)
    value = [x[others - 2] - x[others - 1] for x in (t.n, t.num, t.den)]
    small = _small(value[0], min_n)
    if share:
        small |= _small(value[1], min_n) | _small(value[2] - value[1], min_n)
    # A fixed complement beside a fixed withheld cell: valued below, as the reference does.
    hidden_side = t.withheld[others - 2] | t.withheld[others - 1]
    free = intervals and bool((~fixed).any())
    if not cells.size and not (small & ~hidden_side).any() and not free:
        return [], None
    lin = _linear(t)
    index = np.full(t.known.size, -1)
    index[lin.unknown] = np.arange(lin.unknown.size)
    if hidden_side.any():
        beside = others[hidden_side]
        sides = []
        for offset in (2, 1):  # the all and the vulnerable cell
            side = np.column_stack([x[beside - offset] for x in (t.n, t.num, t.den)])
            hidden = t.withheld[beside - offset]
            side[hidden] = _hidden_values(t, lin, beside[hidden] - offset, share=share)
            sides.append(side)
        diff = sides[0] - sides[1]
        late = _small(diff[:, 0], min_n)
        if share:
            late |= _small(diff[:, 1], min_n) | _small(diff[:, 2] - diff[:, 1], min_n)
        small[hidden_side] = late
    dense = np.zeros(lin.components, dtype=bool)
    if free:
        dense[lin.label[index[np.flatnonzero(~fixed)]]] = True
    x = t.n
    records: list[Record] = [
        (int(index[s]), kind, float(x[s]), float(x[s]))
        for s, kind in [(s, "determined") for s in cells.tolist()]
        + [(s, "small_count") for s in others[small].tolist()]
        if not dense[lin.label[index[s]]]]
    records += _dense_records(t, lin, np.flatnonzero(dense), min_n=min_n, share=share,
                              intervals=intervals)
    return _in_order(lin, records), lin


def _in_order(lin: _Linear, records: list[Record]) -> list[Record]:
    """The reference's order: by component (its first unknown), then unknown."""
    first = np.full(lin.components, lin.label.size)
    np.minimum.at(first, lin.label, np.arange(lin.label.size))
    return sorted(records, key=lambda r: (first[lin.label[r[0]]], r[0]))


def _neighbours(t: _Table, lin: _Linear, comps: np.ndarray) -> dict[int, tuple[Slot, ...]]:
    """Per component: the visible cells in a relation with any of its unknowns, smallest n
    first, ties by slot."""
    wanted = np.zeros(lin.components, dtype=bool)
    wanted[comps] = True
    comp = lin.rel_label[t.rel]
    pick = wanted[comp] & t.known[t.slot] & (t.n[t.slot] > 0)
    size = t.known.size
    pairs = np.unique(comp[pick].astype(np.int64) * size + t.slot[pick])
    comp, slot = pairs // size, pairs % size
    order = np.lexsort((_POP_TEXT_RANK[t.pop[slot]], _AGE_TEXT_RANK[t.age[slot]], t.unit[slot],
                        t.n[slot], comp))
    comp, slot = comp[order], slot[order]
    cells = list(zip(t.unit[slot].tolist(), [AGES[a] for a in t.age[slot].tolist()],
                     [POPULATIONS[p] for p in t.pop[slot].tolist()], strict=True))
    bounds = np.searchsorted(comp, comps, side="left"), np.searchsorted(comp, comps,
                                                                        side="right")
    return {int(c): tuple(cells[lo:hi]) for c, lo, hi in zip(comps, *bounds, strict=True)}


def _small_numerators(values: pl.DataFrame, *, min_n: int,
                      indicator_id: str) -> dict[str, list[Finding]]:
    """Visible shares whose numerator or rest is 1 … ``min_n``-1, per period, in row order."""
    def small(x: pl.Expr) -> pl.Expr:
        return (x >= 1 - _EPS) & (x < min_n - _EPS)

    hits = values.filter(~pl.col("suppressed") & pl.col("numerator").is_not_null()
                         & pl.col("denominator").is_not_null()
                         & (small(pl.col("numerator"))
                            | small(pl.col("denominator") - pl.col("numerator")))
                         ).sort("period", maintain_order=True)
    out: dict[str, list[Finding]] = defaultdict(list)
    for period, u, a, v, n in hits.select("period", "unit_id", "age_group", "vulnerable_only",
                                          "n").iter_rows():
        out[str(period)].append(Finding(indicator_id, str(period), u, a, _population(v),
                                        "small_numerator", float(n), float(n)))
    return out


def _audit(values: pl.DataFrame, *, org_units: pl.DataFrame, min_n: int, aggregation: str,
           indicator_id: str, intervals: bool) -> list[Finding]:
    """Findings for ``values`` (one indicator, any periods; flags already Boolean): per period
    (in order), the small numerators in row order, then the system's findings."""
    share = aggregation == "share"
    found: dict[str, list[Finding]] = defaultdict(list)
    if share:
        found = _small_numerators(values, min_n=min_n, indicator_id=indicator_id)
    t = _table(values, org_units) if aggregation in ADDITIVE else None
    records, lin = (_records(t, min_n=min_n, share=share, intervals=intervals) if t is not None
                    else ([], None))
    if t is not None and lin is not None and records:
        comps = np.unique(np.array([lin.label[r[0]] for r in records], dtype=np.int64))
        near = _neighbours(t, lin, comps)
        unit, age, pop, period = (a.tolist() for a in (t.unit, t.age, t.pop, t.period))
        for i, kind, lo, hi in records:
            s = int(lin.unknown[i])
            found[t.periods[period[s]]].append(Finding(
                indicator_id, t.periods[period[s]], unit[s], AGES[age[s]], POPULATIONS[pop[s]],
                kind, lo, hi, near[int(lin.label[i])]))
    periods = [str(p) for p in values["period"].unique().sort().to_list()]
    return [f for p in periods for f in found.get(p, [])]


def audit_system(cells: pl.DataFrame, *, parent_of: Mapping[int, int | None], min_n: int,
                 aggregation: str, indicator_id: str = "", period: str = "",
                 intervals: bool = False) -> list[Finding]:
    """Findings for one indicator × period (``cells`` in ``engine.VALUE_SCHEMA``).

    ``intervals`` adds the ``narrowed`` check (LP bounds on n); the exact checks always run.
    """
    org_units = pl.DataFrame({"id": list(parent_of), "parent_id": list(parent_of.values())},
                             schema={"id": pl.Int64, "parent_id": pl.Int64})
    cells = cells.with_columns(pl.lit(period).alias("period"),
                               pl.col("suppressed", "vulnerable_only").cast(pl.Boolean))
    return _audit(cells, org_units=org_units, min_n=min_n, aggregation=aggregation,
                  indicator_id=indicator_id, intervals=intervals)


@functools.cache
def _blas() -> ThreadpoolController:
    """The loaded BLAS libraries, found once (a lookup per call costs about a millisecond)."""
    return ThreadpoolController()


def audit_indicator(values: pl.DataFrame, *, org_units: pl.DataFrame, min_n: int,
                    aggregation: str, indicator_id: str = "",
                    intervals: bool = False) -> list[Finding]:
    """Findings for one indicator's values over all its periods (one system, built with array
    operations; see the module docstring)."""
    if values.is_empty():
        return []
    values = values.with_columns(pl.col("suppressed", "vulnerable_only").cast(pl.Boolean))
    # Small SVDs (the interval check, least squares): BLAS threads only add overhead
    # (measured 10× slower on the 2-core machine under load).
    with _blas().limit(limits=1, user_api="blas"):
        return _audit(values, org_units=org_units, min_n=min_n, aggregation=aggregation,
                      indicator_id=indicator_id, intervals=intervals)


def audit_publication(values: pl.DataFrame, *, org_units: pl.DataFrame,
                      rules: Mapping[str, tuple[str, int]],
                      intervals: bool = False) -> AuditReport:
    """Audit a programme's values (``indicator_id`` + ``engine.VALUE_SCHEMA``).

    ``rules`` maps each indicator id to its (aggregation, min_n).
    """
    findings: list[Finding] = []
    systems = 0
    unknowns = 0
    if values.is_empty():
        return AuditReport((), 0, 0)
    for (indicator_id,), part in values.group_by(["indicator_id"], maintain_order=True):
        aggregation, min_n = rules[str(indicator_id)]
        systems += part["period"].n_unique()
        unknowns += int(part["suppressed"].cast(pl.Int64).sum())
        findings += audit_indicator(part, org_units=org_units, min_n=min_n,
                                    aggregation=aggregation, indicator_id=str(indicator_id),
                                    intervals=intervals)
    return AuditReport(tuple(findings), systems, unknowns)


def merge_reports(reports: Iterable[AuditReport]) -> AuditReport:
    reports = list(reports)
    return AuditReport(tuple(f for r in reports for f in r.findings),
                       sum(r.systems for r in reports), sum(r.unknowns for r in reports))
