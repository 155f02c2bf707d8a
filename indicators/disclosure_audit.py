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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy import linalg, optimize, sparse
from scipy.sparse.csgraph import connected_components
from threadpoolctl import threadpool_limits

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
    num: np.ndarray       # numerator, known cells only
    den: np.ndarray       # denominator, known cells only
    known: np.ndarray
    withheld: np.ndarray
    rel: np.ndarray       # relation entries: relation, slot, coefficient
    slot: np.ndarray
    coef: np.ndarray
    relations: int
    vulnerable: np.ndarray  # relation → all = vulnerable + others (the rest: tree and age)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices ``starts[k] … starts[k] + lengths[k] - 1``, concatenated."""
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Position of each key in ``sorted_keys``, -1 where absent."""
    if sorted_keys.size == 0:
        return np.full(keys.size, -1)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return np.where(sorted_keys[pos] == keys, pos, -1)


def _parent_units(units: np.ndarray, org_units: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's parent id and whether it has one (a unit not in ``org_units`` has none)."""
    ids = org_units["id"].to_numpy()
    parents = org_units["parent_id"]
    has = parents.is_not_null().to_numpy()
    parent = parents.fill_null(0).to_numpy()
    order = np.argsort(ids, kind="stable")
    pos = _lookup(ids[order], units)
    found = pos >= 0
    at = order[np.maximum(pos, 0)]
    return parent[at], found & has[at]


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
    renumber = np.cumsum(active) - 1
    take = active[code]
    period = renumber[code[take]]
    sub = sub[active]
    unit_ids = values["unit_id"].to_numpy()[take]
    units, unit_code = np.unique(unit_ids, return_inverse=True)
    pair_keys, pair = np.unique(period * units.size + unit_code, return_inverse=True)
    pair_p, pair_u = pair_keys // units.size, units[pair_keys % units.size]
    pops = np.where(sub[pair_p], len(POPULATIONS), 1)
    width = np.where(sub[pair_p], len(AGES) * len(POPULATIONS), 1)
    start = np.cumsum(width) - width
    size = int(width.sum())
    owner = np.repeat(np.arange(pair_p.size), width)
    within = np.arange(size) - start[owner]
    age, pop = within // pops[owner], within % pops[owner]

    rows = values.filter(pl.Series(take)).select(
        pl.col("age_group").replace_strict(_AGE_CODE, default=-1, return_dtype=pl.Int64),
        "vulnerable_only", "suppressed", "n", pl.col("numerator", "denominator").fill_null(0.0))
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
    num[at[~hidden]] = rows["numerator"].to_numpy()[valid][~hidden]
    den[at[~hidden]] = rows["denominator"].to_numpy()[valid][~hidden]
    withheld = np.zeros(size, dtype=bool)
    withheld[at[hidden]] = True
    others = np.flatnonzero(pop == _OTHERS)
    known = ~withheld
    known[others] = False
    n[others] = np.maximum(n[others - 2] - n[others - 1], 0.0)

    rel, slot, coef, vulnerable = _relations(pair_p, pair_u, sub, start, org_units)
    unknown_rel = np.zeros(vulnerable.size, dtype=bool)
    unknown_rel[rel[~known[slot]]] = True
    keep = unknown_rel[rel]
    renumber = np.cumsum(unknown_rel) - 1
    return _Table([p for p, a in zip(labels, active, strict=True) if a], pair_p[owner],
                  pair_u[owner], age, pop, n, num, den, known, withheld, renumber[rel[keep]],
                  slot[keep], coef[keep], int(unknown_rel.sum()), vulnerable[unknown_rel])


def _relations(pair_p: np.ndarray, pair_u: np.ndarray, sub: np.ndarray, start: np.ndarray,
               org_units: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                  np.ndarray]:
    """Entries (relation, slot, coefficient) of every relation, relations numbered in the
    reference order, and which relations are vulnerable ones (all = vulnerable + others).

    The reference's order, per period: the tree relations by their parent's first child, age
    and population, then each unit's two age relations and three vulnerable relations.
    """
    # The parent of each (period, unit) pair, where it is a pair too (present that period).
    parent, has_parent = _parent_units(pair_u, org_units)
    units = np.unique(pair_u)
    code = _lookup(units, parent)
    keys = pair_p * units.size + np.searchsorted(units, pair_u)
    parent_pair = np.where(has_parent & (code >= 0),
                           _lookup(keys, pair_p * units.size + np.maximum(code, 0)), -1)
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


@dataclass
class _Peeled:
    determined: np.ndarray  # unknown → fixed by a chain of relations with one unknown left
    value: np.ndarray       # unknown × 3 (n, numerator, denominator), where determined
    left: np.ndarray        # relation → unknowns still free
    residual: np.ndarray    # relation × 3: right-hand side with the determined substituted


def _peel(lin: _Linear) -> _Peeled:
    """Repeatedly solve the relations with exactly one undetermined unknown: that unknown
    follows from the relation; substitute it and go on."""
    csr = lin.matrix
    csc = csr.tocsc()
    csc.sort_indices()
    left = np.diff(csr.indptr).astype(np.int64)
    residual = lin.rhs.copy()
    determined = np.zeros(csr.shape[1], dtype=bool)
    value = np.zeros((csr.shape[1], 3))
    frontier = np.flatnonzero(left == 1)
    while frontier.size:
        rels = frontier[left[frontier] == 1]
        if not rels.size:
            break
        lengths = csr.indptr[rels + 1] - csr.indptr[rels]
        entries = _ranges(csr.indptr[rels], lengths)
        cols = csr.indices[entries]
        free = ~determined[cols]
        solved, first = np.unique(cols[free], return_index=True)
        by = np.repeat(rels, lengths)[free][first]
        value[solved] = residual[by] / csr.data[entries][free][first][:, None]
        determined[solved] = True
        lengths = csc.indptr[solved + 1] - csc.indptr[solved]
        entries = _ranges(csc.indptr[solved], lengths)
        touched = csc.indices[entries]
        np.subtract.at(residual, touched,
                       csc.data[entries][:, None] * value[np.repeat(solved, lengths)])
        left -= np.bincount(touched, minlength=left.size)
        frontier = np.unique(touched)
    return _Peeled(determined, value, left, residual)


def _violated(lin: _Linear, peeled: _Peeled) -> np.ndarray:
    """Relations closed by peeling (no unknown left) that do not hold with the values found:
    the counts are not additive there (the reference's values are then least squares)."""
    scale = np.abs(lin.rhs) + abs(lin.matrix) @ np.abs(peeled.value)
    off = np.abs(peeled.residual) > 1e-9 * np.maximum(scale, 1.0)
    return np.asarray((peeled.left == 0) & off.any(axis=1))


@dataclass
class _Residual:
    determined: np.ndarray    # unknown → fixed by the rank check of what peeling left
    value: np.ndarray         # unknown × 3, where so determined (least squares)
    inconsistent: np.ndarray  # unknown → its block has no exact solution


# Blocks per batched SVD: at most this many matrix entries (of the largest product formed).
_BATCH_ENTRIES = 1 << 22


def _residual(matrix: sparse.csr_matrix, peeled: _Peeled) -> _Residual:
    """The rank check on what peeling left (every unknown in relations with ≥ 2 unknowns):
    per connected block, is an unknown's unit vector in the row space — from one SVD per
    block, batched over blocks of the same shape."""
    size = matrix.shape[1]
    out = _Residual(np.zeros(size, dtype=bool), np.zeros((size, 3)),
                    np.zeros(size, dtype=bool))
    rows = np.flatnonzero(peeled.left >= 2)
    cols = np.flatnonzero(~peeled.determined)
    if not rows.size:
        return out
    block = matrix[rows][:, cols].tocoo()
    col_label, row_label = _components(block.tocsr())
    count = int(max(col_label.max(initial=-1), row_label.max(initial=-1))) + 1
    n_cols = np.bincount(col_label, minlength=count)
    n_rows = np.bincount(row_label, minlength=count)
    # Position of each row and column inside its block (blocks keep the global order).
    col_pos = _position(col_label, count)
    row_pos = _position(row_label, count)
    # Batches: blocks of one shape, at most _BATCH_ENTRIES entries of the largest array.
    shapes, shape_of = np.unique(np.column_stack([n_rows, n_cols]), axis=0,
                                 return_inverse=True)
    shape_of = shape_of.ravel()
    per_batch = np.maximum(1, _BATCH_ENTRIES // np.maximum(shapes.max(axis=1), 1) ** 2)
    rank = _position(shape_of, shapes.shape[0])
    batch_keys, batch_of = np.unique(
        shape_of * (size + 1) + rank // per_batch[shape_of], return_inverse=True)
    batch_of = batch_of.ravel()
    member = rank % per_batch[shape_of]
    batches = batch_keys.size
    e_order, e_start = _groups(batch_of[col_label[block.col]], batches)
    r_order, r_start = _groups(batch_of[row_label], batches)
    c_order, c_start = _groups(batch_of[col_label], batches)
    b_count = np.bincount(batch_of, minlength=batches)
    for k in range(batches):
        shape = shapes[batch_keys[k] // (size + 1)]
        if shape[0] == 0:
            continue  # unknowns in no relation: free
        e = e_order[e_start[k]:e_start[k + 1]]
        stack = np.zeros((b_count[k], *shape))
        stack[member[col_label[block.col[e]]], row_pos[block.row[e]],
              col_pos[block.col[e]]] = block.data[e]
        r = r_order[r_start[k]:r_start[k + 1]]
        b = np.zeros((b_count[k], shape[0], 3))
        b[member[row_label[r]], row_pos[r]] = peeled.residual[rows[r]]
        determined, value, consistent = _batched_solve(stack, b)
        c = c_order[c_start[k]:c_start[k + 1]]
        at, j = member[col_label[c]], col_pos[c]
        out.determined[cols[c]] = determined[at, j]
        out.value[cols[c]] = value[at, j]
        out.inconsistent[cols[c]] = ~consistent[at]
    return out


def _position(label: np.ndarray, count: int) -> np.ndarray:
    """Each element's rank among the elements with the same label (in index order)."""
    order = np.argsort(label, kind="stable")
    sizes = np.bincount(label, minlength=count)
    pos = np.empty(label.size, dtype=np.int64)
    pos[order] = np.arange(label.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return pos



def _batched_solve(stack: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                np.ndarray]:
    """For a stack of equally shaped matrices, as the reference does for one: which columns
    are determined (no null-space component: the null-space basis row norm below 1e-9), the
    least-squares values for the right-hand sides ``b``, and whether ``b`` is in the range
    (an exact solution exists)."""
    u, sing, vt = np.linalg.svd(stack, full_matrices=True)
    tol = 1e-9 * np.maximum(sing.max(axis=1, initial=0.0), 1.0)
    lead = sing > tol[:, None]
    rank = lead.sum(axis=1)
    null = (np.arange(vt.shape[1])[None, :] >= rank[:, None])[:, :, None]
    determined = np.sqrt(np.where(null, vt * vt, 0.0).sum(axis=1)) < 1e-9
    coords = np.swapaxes(u, 1, 2) @ b
    k = sing.shape[1]
    inverse = np.where(lead, 1.0 / np.where(lead, sing, 1.0), 0.0)
    value = np.swapaxes(vt[:, :k], 1, 2) @ (coords[:, :k] * inverse[:, :, None])
    beyond = (np.arange(u.shape[1])[None, :] >= rank[:, None])[:, :, None]
    miss = np.abs(np.where(beyond, coords, 0.0)).max(axis=(1, 2), initial=0.0)
    consistent = miss <= 1e-9 * np.maximum(np.abs(b).max(axis=(1, 2), initial=0.0), 1.0)
    return determined, value, consistent

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


def _core(t: _Table, lin: _Linear) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                              np.ndarray]:
    """Withheld cells' determinedness, values (n, numerator, denominator) and inconsistency
    flags, over all unknowns (complements left False), and the relations checked.

    A complement sits in one relation only (its own all = vulnerable + others): that relation
    can always be met by the complement, so it never fixes a withheld cell. Without these
    relations and the complements, the populations "all" and "vulnerable" are separate
    systems of tree and age relations: peeled first, the rest by the rank check.
    """
    complement = ~t.withheld[lin.unknown]
    rows = np.flatnonzero(~t.vulnerable)
    cols = np.flatnonzero(~complement)
    matrix = lin.matrix[rows][:, cols].tocsr()
    core = _Linear(cols, matrix, lin.rhs[rows], lin.label[cols], lin.rel_label[rows],
                   lin.components)
    peeled = _peel(core)
    residual = _residual(matrix, peeled)
    size = lin.unknown.size
    determined = np.zeros(size, dtype=bool)
    determined[cols] = peeled.determined | residual.determined
    value = np.zeros((size, 3))
    value[cols] = np.where(peeled.determined[:, None], peeled.value, residual.value)
    inconsistent = np.zeros(lin.components, dtype=bool)
    inconsistent[core.rel_label[_violated(core, peeled)]] = True
    inconsistent[core.label[residual.inconsistent]] = True
    return determined, value, inconsistent, complement


def _complements(t: _Table, lin: _Linear, determined: np.ndarray,
                 value: np.ndarray) -> None:
    """A complement (others = all − vulnerable) is fixed exactly when both its all and its
    vulnerable cell are visible or fixed; its value is their difference. In place."""
    index = np.full(t.known.size, -1)
    index[lin.unknown] = np.arange(lin.unknown.size)
    others = np.flatnonzero(~t.withheld[lin.unknown])
    sides = []
    for offset in (2, 1):  # the all and the vulnerable slot of the same unit and age
        slot = lin.unknown[others] - offset
        known = t.known[slot]
        fixed = known | determined[np.maximum(index[slot], 0)]
        side = np.where(known[:, None], np.column_stack([t.n[slot], t.num[slot], t.den[slot]]),
                        value[np.maximum(index[slot], 0)])
        sides.append((fixed, side))
    (fixed_all, all_), (fixed_vul, vul) = sides
    determined[others] = fixed_all & fixed_vul
    value[others] = all_ - vul


def _records(t: _Table, lin: _Linear, *, min_n: int, share: bool,
             intervals: bool) -> list[Record]:
    """The exact findings (and, with ``intervals``, the interval ones) as records on the
    unknowns, in the reference's order: by component (its first unknown), then unknown."""
    determined, value, inconsistent, complement = _core(t, lin)
    _complements(t, lin, determined, value)
    count = lin.components
    # Where the counts are not additive, the reference's values are least squares over the
    # whole component: its complements go the dense way, as there.
    dense = np.zeros(count, dtype=bool)
    dense[lin.label[determined & complement]] = True
    dense &= inconsistent
    if intervals:
        dense[lin.label[~determined]] = True
    small = _small(value[:, 0], min_n)
    if share:
        small |= _small(value[:, 1], min_n) | _small(value[:, 2] - value[:, 1], min_n)
    fast = determined & (~complement | small) & ~dense[lin.label]
    x = t.n[lin.unknown]
    records: list[Record] = [
        (int(i), "small_count" if complement[i] else "determined", float(x[i]), float(x[i]))
        for i in np.flatnonzero(fast)]
    if dense.any():
        u_order, u_start = _groups(lin.label, count)
        r_order, r_start = _groups(lin.rel_label, count)
        lower = t.withheld[lin.unknown].astype(float)
        for comp in np.flatnonzero(dense):
            local = u_order[u_start[comp]:u_start[comp + 1]]
            rel = r_order[r_start[comp]:r_start[comp + 1]]
            m = lin.matrix[rel][:, local].toarray()
            records += [(int(local[i]), kind, lo, hi) for i, kind, lo, hi in _dense(
                m, lin.rhs[rel], x[local], lower[local], ~complement[local], min_n=min_n,
                share=share, intervals=intervals)]
    first = np.full(count, lin.label.size)
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
    if t is not None and not t.known.all():
        lin = _linear(t)
        records = _records(t, lin, min_n=min_n, share=share, intervals=intervals)
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


def audit_indicator(values: pl.DataFrame, *, org_units: pl.DataFrame, min_n: int,
                    aggregation: str, indicator_id: str = "",
                    intervals: bool = False) -> list[Finding]:
    """Findings for one indicator's values over all its periods.

    All periods form one system (each period a set of separate components): the matrix is
    built with array operations, most unknowns are settled by peeling relations with one
    unknown left, and only what is left gets a rank check (batched SVDs).
    """
    if values.is_empty():
        return []
    values = values.with_columns(pl.col("suppressed", "vulnerable_only").cast(pl.Boolean))
    # Many small SVDs: BLAS threads only add overhead (measured 10× slower on the 2-core
    # machine under load).
    with threadpool_limits(limits=1, user_api="blas"):
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
