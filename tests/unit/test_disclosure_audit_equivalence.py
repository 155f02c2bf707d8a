"""The vectorised disclosure audit finds exactly what the reference (one dense SVD per connected
component, per indicator × period: tests/support/reference_audit.py) finds: the same findings
in the same order, the same bounds and the same ``neighbours`` (suppression picks from them).

Random org trees of 2-4 levels, several periods, counts that add up (or, like distinct children
counted in two places, do not quite), random withheld cells, with and without subgroups.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import linalg, sparse

from indicators import disclosure_audit as audit
from indicators.engine import VALUE_SCHEMA
from tests.support import reference_audit as reference

FINE = [("0-2", False), ("0-2", True), ("3-5", False), ("3-5", True)]  # age × vulnerable atoms
CELLS = [("alle", False), ("0-2", False), ("3-5", False),
         ("alle", True), ("0-2", True), ("3-5", True)]


def _tree(rng: np.random.Generator) -> tuple[pl.DataFrame, dict[int, int | None]]:
    """A root and 1-3 further levels, 1-4 children per unit."""
    parent_of: dict[int, int | None] = {1: None}
    level = [1]
    for _depth in range(int(rng.integers(1, 4))):
        below = []
        for unit in level:
            for _k in range(int(rng.integers(1, 5))):
                new = len(parent_of) + 1
                parent_of[new] = unit
                below.append(new)
        level = below
    units = pl.DataFrame({"id": list(parent_of), "parent_id": list(parent_of.values())},
                         schema={"id": pl.Int64, "parent_id": pl.Int64})
    return units, parent_of


def _values(rng: np.random.Generator, parent_of: dict[int, int | None], *, subgroups: bool,
            periods: int, hidden: float, additive: bool, keep_numbers: bool,
            whole: bool) -> pl.DataFrame:
    """One indicator's values: leaves' atoms summed up the tree, rows where n > 0."""
    kids = {u: [k for k, p in parent_of.items() if p == u] for u in parent_of}
    leaves = [u for u in parent_of if not kids[u]]
    rows = []
    for p in range(periods):
        period = f"20{20 + p}H1"
        gone = {u for u in leaves if rng.random() < 0.15}  # a unit without data this period
        atoms = {u: {f: (0, 0.0) for f in FINE} for u in parent_of}
        for leaf in leaves:
            if leaf in gone:
                continue
            vulnerable_only = rng.random() < 0.25  # ties: all = vulnerable
            for f in FINE if subgroups else FINE[:1]:
                n = 0 if vulnerable_only and not f[1] else int(rng.choice([0, 1, 2, 3, 6, 9,
                                                                           14]))
                num = float(rng.integers(0, n + 1)) if whole else float(rng.random() * n)
                unit: int | None = leaf
                while unit is not None:
                    an, anum = atoms[unit][f]
                    atoms[unit][f] = (an + n, anum + num)
                    unit = parent_of[unit]
        for unit in parent_of:
            for age, vulnerable in CELLS if subgroups else CELLS[:1]:
                parts = [f for f in FINE if (age == "alle" or f[0] == age)
                         and (not vulnerable or f[1])]
                n = sum(atoms[unit][f][0] for f in parts)
                num = sum(atoms[unit][f][1] for f in parts)
                if not additive and rng.random() < 0.1:
                    n += 1  # a child counted under two units: the sums are off by one
                if n == 0:
                    continue
                withheld = bool(rng.random() < hidden)
                rows.append(dict(
                    unit_id=unit, period=period, age_group=age, vulnerable_only=vulnerable,
                    value=None if withheld and not keep_numbers else 100 * num / n,
                    numerator=None if withheld and not keep_numbers else num,
                    denominator=None if withheld and not keep_numbers else float(n),
                    n=n, suppressed=withheld))
    return pl.DataFrame(rows, schema=VALUE_SCHEMA)


def _key(f: reference.Finding | audit.Finding) -> tuple:
    return (f.indicator_id, f.period, f.unit_id, f.age_group, f.population, f.kind, f.lower,
            f.upper, f.neighbours)


def _case(seed: int) -> tuple[pl.DataFrame, pl.DataFrame, dict[int, int | None], dict]:
    rng = np.random.default_rng(seed)
    units, parent_of = _tree(rng)
    options = dict(subgroups=bool(rng.random() < 0.7), periods=int(rng.integers(1, 4)),
                   hidden=float(rng.choice([0.15, 0.4, 0.65, 0.9])),
                   additive=bool(rng.random() < 0.7), keep_numbers=bool(rng.random() < 0.5),
                   whole=bool(rng.random() < 0.8))
    values = _values(rng, parent_of, **options)
    if rng.random() < 0.2:  # a unit the org tree does not know (no parent)
        values = values.with_columns(
            pl.when(pl.col("unit_id") == max(parent_of)).then(pl.lit(999))
            .otherwise(pl.col("unit_id")).alias("unit_id"))
    if rng.random() < 0.3:  # rows in no particular order
        values = values.sample(fraction=1.0, shuffle=True, seed=seed)
    return values, units, parent_of, options


@pytest.mark.parametrize("seed", range(120))
@pytest.mark.parametrize("aggregation", ["share", "sum", "mean"])
def test_the_vectorised_audit_finds_what_the_reference_finds(seed: int,
                                                              aggregation: str) -> None:
    values, units, _parent_of, options = _case(seed)
    expected = reference.audit_indicator(values, org_units=units, min_n=5,
                                         aggregation=aggregation, indicator_id="X")
    found = audit.audit_indicator(values, org_units=units, min_n=5, aggregation=aggregation,
                                  indicator_id="X")
    assert [_key(f) for f in found] == [_key(f) for f in expected], options


@pytest.mark.parametrize("seed", range(0, 120, 4))
def test_the_interval_check_finds_what_the_reference_finds(seed: int) -> None:
    values, units, _parent_of, options = _case(seed)
    expected = reference.audit_indicator(values, org_units=units, min_n=5,
                                         aggregation="share", intervals=True)
    found = audit.audit_indicator(values, org_units=units, min_n=5, aggregation="share",
                                  intervals=True)
    assert [_key(f) for f in found] == [_key(f) for f in expected], options


def test_the_random_cases_cover_what_the_audit_can_find() -> None:
    """The equivalence above is not vacuous: the cases hold every kind of finding."""
    kinds: dict[str, int] = {}
    for seed in range(120):
        values, units, _parent_of, _options = _case(seed)
        for f in audit.audit_indicator(values, org_units=units, min_n=5, aggregation="share",
                                       intervals=seed % 4 == 0):
            kinds[f.kind] = kinds.get(f.kind, 0) + 1
    assert set(kinds) == {"determined", "small_count", "small_numerator", "narrowed"}, kinds
    assert min(kinds.values()) >= 5, kinds


@pytest.mark.parametrize("seed", range(0, 120, 7))
def test_one_period_and_a_whole_publication_match_the_reference(seed: int) -> None:
    values, units, parent_of, _options = _case(seed)
    period = values["period"].min()
    cells = values.filter(pl.col("period") == period)
    args = dict(parent_of=parent_of, min_n=5, aggregation="share", indicator_id="X",
                period="P")
    assert ([_key(f) for f in audit.audit_system(cells, **args)]
            == [_key(f) for f in reference.audit_system(cells, **args)])
    both = pl.concat([values.with_columns(pl.lit("A").alias("indicator_id")),
                      values.with_columns(pl.lit("B").alias("indicator_id"))])
    rules = {"A": ("share", 5), "B": ("sum", 3)}
    new = audit.audit_publication(both, org_units=units, rules=rules)
    old = reference.audit_publication(both, org_units=units, rules=rules)
    assert [_key(f) for f in new.findings] == [_key(f) for f in old.findings]
    assert (new.systems, new.unknowns) == (old.systems, old.unknowns)


def test_peeling_and_the_rank_check_fix_what_one_dense_svd_fixes() -> None:
    """On generic sparse systems (not only trees), where the rank check does fix cells that
    peeling leaves: the same cells as the reference's null-space test, their values (any
    solution's), and an inconsistent right-hand side is noticed."""
    rank_fixed = inconsistent_seen = 0
    for seed in range(300):
        rng = np.random.default_rng(seed)
        m = rng.choice([-1.0, 0.0, 0.0, 1.0], size=(int(rng.integers(1, 8)),
                                                    int(rng.integers(1, 9))))
        truth = rng.integers(0, 10, m.shape[1]).astype(float)
        _u, sing, vt = linalg.svd(m, full_matrices=True)
        rank = int((sing > 1e-9 * max(sing.max(initial=0.0), 1.0)).sum())
        basis = vt[rank:].T
        expected = (np.linalg.norm(basis, axis=1) < 1e-9 if basis.size
                    else np.ones(m.shape[1], dtype=bool))
        for rhs in (m @ truth, m @ truth + (rng.random(m.shape[0]) < 0.3)):
            lin = _system(m, rhs)
            peeled = audit._peel(lin)
            residual = audit._residual(lin.matrix, peeled)
            determined = peeled.determined | residual.determined
            assert (determined == expected).all(), (seed, m)
            exact = np.linalg.lstsq(m, rhs, rcond=None)[0]
            additive = np.allclose(m @ exact, rhs)
            noticed = audit._violated(lin, peeled).any() or residual.inconsistent.any()
            assert noticed == (not additive), (seed, m, rhs)
            if additive:
                value = np.where(peeled.determined, peeled.value[:, 0], residual.value[:, 0])
                assert np.allclose(value[determined], exact[determined]), (seed, m)
            rank_fixed += int(residual.determined.sum())
            inconsistent_seen += int(noticed)
    assert rank_fixed >= 20 and inconsistent_seen >= 20


def _system(m: np.ndarray, rhs: np.ndarray) -> audit._Linear:
    matrix = sparse.csr_matrix(m)
    label, rel_label = audit._components(matrix)
    count = int(max(label.max(initial=-1), rel_label.max(initial=-1))) + 1
    return audit._Linear(np.arange(m.shape[1]), matrix, np.column_stack([rhs] * 3), label,
                         rel_label, count)
