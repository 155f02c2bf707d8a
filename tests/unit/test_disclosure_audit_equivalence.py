"""The vectorised disclosure audit finds exactly what the reference (one dense SVD per connected
component, per indicator × period: tests/support/reference_audit.py) finds: the same findings
in the same order, the same bounds and the same ``neighbours`` (suppression picks from them).

Random org trees of 2-4 levels, several periods, counts that add up (or, like distinct children
counted in two places, do not quite), random withheld cells, with and without subgroups.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
from scipy import linalg
from threadpoolctl import threadpool_limits

from indicators import disclosure_audit as audit
from indicators.disclosure_audit import AGES, POPULATIONS
from indicators.engine import VALUE_SCHEMA
from tests.support import reference_audit as reference

FINE = [("0-2", False), ("0-2", True), ("3-5", False), ("3-5", True)]  # age × vulnerable atoms
CELLS = [("alle", False), ("0-2", False), ("3-5", False),
         ("alle", True), ("0-2", True), ("3-5", True)]


def _tree(rng: np.random.Generator, fanouts: tuple[tuple[int, int], ...] | None = None
          ) -> tuple[pl.DataFrame, dict[int, int | None]]:
    """A root and 1-3 further levels, 1-4 children per unit; or, with ``fanouts``, one level
    per (low, high): low … high-1 children per unit."""
    if fanouts is None:
        fanouts = ((1, 5),) * int(rng.integers(1, 4))
    parent_of: dict[int, int | None] = {1: None}
    level = [1]
    for low, high in fanouts:
        below = []
        for unit in level:
            for _k in range(int(rng.integers(low, high))):
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
    options: dict[str, Any] = dict(
        subgroups=bool(rng.random() < 0.7), periods=int(rng.integers(1, 4)),
        hidden=float(rng.choice([0.15, 0.4, 0.65, 0.9])), additive=bool(rng.random() < 0.7),
        keep_numbers=bool(rng.random() < 0.5), whole=bool(rng.random() < 0.8))
    values = _values(rng, parent_of, **options)
    if rng.random() < 0.1:  # a broken org tree: the root under its last unit (a cycle)
        units = units.with_columns(
            pl.when(pl.col("id") == 1).then(pl.lit(max(parent_of))).otherwise(
                pl.col("parent_id")).alias("parent_id"))
    if rng.random() < 0.05:  # a unit its own parent
        units = units.with_columns(
            pl.when(pl.col("id") == 2).then(pl.lit(2)).otherwise(pl.col("parent_id"))
            .alias("parent_id"))
    if rng.random() < 0.1:  # a unit twice in the org tree: its last row counts
        units = pl.concat([units, units.filter(pl.col("id") == 2).with_columns(
            pl.lit(None, dtype=pl.Int64).alias("parent_id"))])
    parent_of = dict(zip(units["id"].to_list(), units["parent_id"].to_list(), strict=True))
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
        for f in audit.audit_indicator(values, org_units=units, min_n=5, aggregation="share"):
            kinds[f.kind] = kinds.get(f.kind, 0) + 1
    assert set(kinds) == {"determined", "small_count", "small_numerator"}, kinds
    assert min(kinds.values()) >= 20, kinds
    narrowed = 0
    for seed in range(0, 120, 4):  # the interval test's cases
        values, units, _parent_of, _options = _case(seed)
        narrowed += sum(f.kind == "narrowed" for f in audit.audit_indicator(
            values, org_units=units, min_n=5, aggregation="share", intervals=True))
        if narrowed >= 5:
            break
    assert narrowed >= 5


@pytest.mark.parametrize("seed", range(0, 120, 7))
def test_one_period_and_a_whole_publication_match_the_reference(seed: int) -> None:
    values, units, parent_of, _options = _case(seed)
    period = values["period"].min()
    cells = values.filter(pl.col("period") == period)
    args: dict[str, Any] = dict(parent_of=parent_of, min_n=5, aggregation="share",
                                indicator_id="X", period="P")
    assert ([_key(f) for f in audit.audit_system(cells, **args)]
            == [_key(f) for f in reference.audit_system(cells, **args)])
    both = pl.concat([values.with_columns(pl.lit("A").alias("indicator_id")),
                      values.with_columns(pl.lit("B").alias("indicator_id"))])
    rules = {"A": ("share", 5), "B": ("sum", 3)}
    new = audit.audit_publication(both, org_units=units, rules=rules)
    old = reference.audit_publication(both, org_units=units, rules=rules)
    assert [_key(f) for f in new.findings] == [_key(f) for f in old.findings]
    assert (new.systems, new.unknowns) == (old.systems, old.unknowns)


def test_the_tree_pass_fixes_exactly_what_the_null_space_test_fixes() -> None:
    """Which withheld cells and complements the visible ones fix: the tree pass against the
    reference's test (a unit vector with no null-space component, one SVD of the whole
    system), on many random trees and masks, with and without subgroups."""
    fixed_seen = free_seen = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        units, parent_of = _tree(rng)
        cells = _values(rng, parent_of, subgroups=bool(rng.random() < 0.8), periods=1,
                        hidden=float(rng.choice([0.3, 0.5, 0.7, 0.9])), additive=True,
                        keep_numbers=True, whole=True)
        if not cells["suppressed"].any():
            continue
        system = reference._System(cells, parent_of)
        unknown = np.flatnonzero(~system.known)
        m = system.matrix[:, unknown].toarray()
        with threadpool_limits(limits=1, user_api="blas"):  # BLAS threads: 10x slower here
            _u, sing, vt = linalg.svd(m, full_matrices=True)
        rank = int((sing > 1e-9 * max(sing.max(initial=0.0), 1.0)).sum())
        expected = {system.slots[unknown[i]] for i in np.flatnonzero(
            np.linalg.norm(vt[rank:].T, axis=1) < 1e-9)}
        table = audit._table(cells, units)
        assert table is not None
        moves = audit._moves(table)
        assert moves is not None
        fixed = audit._fixed(table, moves) & ~table.known
        found = {(int(table.unit[i]), AGES[table.age[i]], POPULATIONS[table.pop[i]])
                 for i in np.flatnonzero(fixed)}
        assert found == expected, seed
        fixed_seen += len(found)
        free_seen += int((~table.known).sum()) - len(found)
    assert fixed_seen >= 200 and free_seen >= 200
