"""The reference: ``indicators.disclosure_audit`` as it was before it was vectorised (one
``_System`` and one dense SVD per connected component, per indicator × period), kept verbatim
for the randomized equivalence test (tests/unit/test_disclosure_audit_equivalence.py).

The original module docstring follows.

An exact audit of what a determined reader can work out from the published indicator values.

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


class _System:
    """The additive system of one indicator × period."""

    def __init__(self, cells: pl.DataFrame, parent_of: Mapping[int, int | None]) -> None:
        subgroups = bool(((cells["age_group"] != "alle") | cells["vulnerable_only"]).any())
        ages = AGES if subgroups else ("alle",)
        pops = POPULATIONS if subgroups else ("all",)
        rows = {(int(u), a, _population(bool(v))): (int(n), bool(s), num, den)
                for u, a, v, n, s, num, den in cells.select(
                    "unit_id", "age_group", "vulnerable_only", "n", "suppressed", "numerator",
                    "denominator").iter_rows()}
        units = sorted({slot[0] for slot in rows})
        present = set(units)
        self.slots: list[Slot] = [(u, a, p) for u in units for a in ages for p in pops]
        self.index = {slot: i for i, slot in enumerate(self.slots)}
        size = len(self.slots)
        self.known = np.ones(size, dtype=bool)
        self.lower = np.zeros(size)
        self.n = np.zeros(size)        # true n (the publisher knows it; used to walk directions)
        self.num = np.zeros(size)      # numerator, known cells only
        self.den = np.zeros(size)      # denominator, known cells only
        self.withheld = np.zeros(size, dtype=bool)
        for slot, i in self.index.items():
            if slot in rows:
                n, hidden, num, den = rows[slot]
                self.n[i] = n
                if hidden:
                    self.known[i] = False
                    self.withheld[i] = True
                    self.lower[i] = 1.0
                else:
                    self.num[i] = num or 0.0
                    self.den[i] = den or 0.0
            elif slot[2] == "others":
                self.known[i] = False
        # The complement's true n is the difference of its two neighbours.
        for u in units if subgroups else ():
            for a in ages:
                i_all, i_v, i_o = (self.index[(u, a, p)] for p in POPULATIONS)
                self.n[i_o] = max(self.n[i_all] - self.n[i_v], 0.0)
        relations: list[list[tuple[int, float]]] = []
        children: dict[int, list[int]] = defaultdict(list)
        for u in units:
            parent = parent_of.get(u)
            if parent is not None and parent in present:
                children[parent].append(u)
        # The complement's own tree and age relations follow from the others (all − vulnerable
        # on both sides): leaving them out keeps the row space and splits the system into small
        # connected components.
        linked = [p for p in pops if p != "others"]
        for parent, kids in children.items():
            for a in ages:
                for p in linked:
                    relations.append([(self.index[(parent, a, p)], 1.0)]
                                     + [(self.index[(k, a, p)], -1.0) for k in kids])
        if subgroups:
            for u in units:
                for p in linked:
                    relations.append([(self.index[(u, "alle", p)], 1.0),
                                      (self.index[(u, "0-2", p)], -1.0),
                                      (self.index[(u, "3-5", p)], -1.0)])
                for a in ages:
                    relations.append([(self.index[(u, a, "all")], 1.0),
                                      (self.index[(u, a, "vulnerable")], -1.0),
                                      (self.index[(u, a, "others")], -1.0)])
        r, c, v = [], [], []
        for k, terms in enumerate(relations):
            for i, coef in terms:
                r.append(k)
                c.append(i)
                v.append(coef)
        self.matrix = sparse.csr_matrix((v, (r, c)), shape=(len(relations), size))


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


def audit_system(cells: pl.DataFrame, *, parent_of: Mapping[int, int | None], min_n: int,
                 aggregation: str, indicator_id: str = "", period: str = "",
                 intervals: bool = False) -> list[Finding]:
    """Findings for one indicator × period (``cells`` in ``engine.VALUE_SCHEMA``).

    ``intervals`` adds the ``narrowed`` check (LP bounds on n); the exact checks always run.
    """
    findings: list[Finding] = []
    share = aggregation == "share"
    if share:
        visible = cells.filter(~pl.col("suppressed"))
        for u, a, v, n, num, den in visible.select(
                "unit_id", "age_group", "vulnerable_only", "n", "numerator",
                "denominator").iter_rows():
            if num is not None and den is not None and (
                    _is_small(num, min_n) or _is_small(den - num, min_n)):
                findings.append(Finding(indicator_id, period, u, a, _population(v),
                                        "small_numerator", float(n), float(n)))
    if aggregation not in ADDITIVE or not (cells["suppressed"].any()
                                           or cells["vulnerable_only"].any()):
        return findings
    system = _System(cells, parent_of)
    unknown = np.flatnonzero(~system.known)
    if unknown.size == 0:
        return findings
    a_u = system.matrix[:, unknown].tocsc()
    a_k = system.matrix[:, np.flatnonzero(system.known)]
    rhs = {name: -(a_k @ getattr(system, name)[system.known])
           for name in ("n", "num", "den")}
    pattern = (abs(a_u).T @ abs(a_u)).tocsr()
    count, labels = connected_components(pattern, directed=False)
    for comp in range(count):
        local = np.flatnonzero(labels == comp)
        rel = np.unique(a_u[:, local].nonzero()[0])
        m = a_u[rel][:, local].toarray()
        # One SVD gives both the null space (what stays free) and the pseudo-inverse (the value
        # of what is fixed).
        u, sing, vt = linalg.svd(m, full_matrices=True)
        rank = int((sing > 1e-9 * max(sing.max(initial=0.0), 1.0)).sum())
        basis = vt[rank:].T
        determined = (np.linalg.norm(basis, axis=1) < 1e-9 if basis.size
                      else np.ones(local.size, dtype=bool))
        slots = [system.slots[unknown[i]] for i in local]
        x = system.n[unknown[local]]
        lower = system.lower[unknown[local]]
        lo, hi = _walk_bounds(basis, x, lower) if basis.size else (x, x)
        solved: dict[str, np.ndarray] = {}
        if (determined & ~system.withheld[unknown[local]]).any():
            b = np.column_stack([rhs[name][rel] for name in ("n", "num", "den")])
            x_all = vt[:rank].T @ ((u[:, :rank].T @ b) / sing[:rank, None])
            solved = {name: x_all[:, k] for k, name in enumerate(("n", "num", "den"))}
        for i, slot in enumerate(slots):
            is_cell = bool(system.withheld[unknown[local[i]]])
            kind = None
            bounds = (x[i], x[i])
            if determined[i]:
                if is_cell:
                    kind = "determined"
                else:
                    counts = [solved["n"][i]]
                    if share:
                        counts += [solved["num"][i], solved["den"][i] - solved["num"][i]]
                    if any(_is_small(c, min_n) for c in counts):
                        kind = "small_count"
            elif intervals and is_cell and hi[i] - lo[i] < min_n - _EPS:
                bounds = _lp_bounds(m, rhs["n"][rel], lower, i)
                if bounds[1] - bounds[0] < min_n - _EPS:
                    kind = "narrowed"
            elif intervals and not is_cell and lo[i] >= 1 - _EPS and hi[i] < min_n - _EPS:
                bounds = _lp_bounds(m, rhs["n"][rel], lower, i)
                if bounds[0] >= 1 - _EPS and bounds[1] < min_n - _EPS:
                    kind = "small_count"
            if kind is None:
                continue
            findings.append(Finding(indicator_id, period, slot[0], slot[1], slot[2], kind,
                                    float(bounds[0]), float(bounds[1]),
                                    _neighbours(system, unknown[local])))
    return findings


def _neighbours(system: _System, component: np.ndarray) -> tuple[Slot, ...]:
    """Visible cells in a relation with any unknown of the component, smallest n first."""
    rows = np.unique(system.matrix[:, component].nonzero()[0])
    cols = np.unique(system.matrix[rows].nonzero()[1])
    visible = [int(i) for i in cols if system.known[i] and system.n[i] > 0]
    visible.sort(key=lambda i: (system.n[i], system.slots[i]))
    return tuple(system.slots[i] for i in visible)


def audit_indicator(values: pl.DataFrame, *, org_units: pl.DataFrame, min_n: int,
                    aggregation: str, indicator_id: str = "",
                    intervals: bool = False) -> list[Finding]:
    """Findings for one indicator's values over all its periods."""
    if values.is_empty():
        return []
    parent_of = dict(zip(org_units["id"].to_list(), org_units["parent_id"].to_list(),
                         strict=True))
    values = values.with_columns(pl.col("suppressed", "vulnerable_only").cast(pl.Boolean))
    findings: list[Finding] = []
    # Thousands of small SVDs: BLAS threads only add overhead (measured 10× slower on the
    # 2-core machine under load).
    with threadpool_limits(limits=1, user_api="blas"):
        for (period,), cells in values.sort("period").group_by(["period"], maintain_order=True):
            findings += audit_system(cells, parent_of=parent_of, min_n=min_n,
                                     aggregation=aggregation, indicator_id=indicator_id,
                                     period=str(period), intervals=intervals)
    return findings


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
