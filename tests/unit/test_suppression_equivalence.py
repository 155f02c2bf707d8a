"""Secondary suppression withholds exactly the cells it withheld with the reference audit
(tests/support/reference_audit.py) and the old row lookup: the audit's findings and
``neighbours`` decide what is withheld next, so they must not move a single cell."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from indicators import suppression
from indicators.disclosure_audit import Finding
from indicators.engine import primary_suppression
from tests.support import reference_audit, reference_suppression
from tests.unit.test_disclosure_audit_equivalence import _tree, _values


def _dict_first_rows(findings: list[Finding], keyed: pl.DataFrame) -> list[int]:
    """The old lookup (a dict over every row), verbatim."""
    lookup = {(u, p, a, pop): r for r, u, p, a, pop in keyed.iter_rows()}
    picks = set()
    for f in findings:
        for unit_id, age_group, population in f.neighbours:
            row = lookup.get((unit_id, f.period, age_group, population))
            if row is not None:
                picks.add(row)
                break
    return sorted(picks)


def _dict_neighbour_rows(findings: list[Finding], rows: suppression._Rows) -> np.ndarray:
    """The old lookup over the rows of the arrays (every row: a neighbour's key holds the
    finding's period, whose rows the audit read)."""
    keyed = rows.audit.with_row_index("_row").select(
        "_row", "unit_id", "period", "age_group",
        pl.when(pl.col("vulnerable_only")).then(pl.lit("vulnerable")).otherwise(pl.lit("all")))
    return np.array(_dict_first_rows(findings, keyed), dtype=np.int64)


@pytest.mark.parametrize("seed", range(40))
def test_the_first_neighbour_row_is_the_one_the_old_lookup_found(seed: int) -> None:
    rng = np.random.default_rng(seed)
    slots = [(u, a, p) for u in range(1, 6) for a in ("alle", "0-2", "3-5")
             for p in ("all", "vulnerable")]
    rows = [(u, period, a, p) for u, a, p in slots for period in ("2024H1", "2024H2")
            if rng.random() < 0.6]
    rows += [rows[int(i)] for i in rng.integers(0, len(rows), 3)]  # a key twice
    keyed = pl.DataFrame(rows, schema=["unit_id", "period", "age_group", "population"],
                         orient="row").with_row_index("_row")
    findings = [Finding("X", str(rng.choice(["2024H1", "2024H2"])), 1, "alle", "all",
                        "determined", 1.0, 1.0,
                        tuple(slots[int(i)] for i in rng.permutation(len(slots))[
                            :int(rng.integers(0, 5))]))
                for _k in range(12)]
    assert suppression._first_rows(findings, keyed) == _dict_first_rows(findings, keyed)


def _primary(seed: int, aggregation: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Values of a random tree with primary suppression marked (numbers kept)."""
    rng = np.random.default_rng(seed)
    units, parent_of = _tree(rng)
    values = _values(rng, parent_of, subgroups=bool(rng.random() < 0.8),
                     periods=int(rng.integers(1, 3)), hidden=0.0, additive=True,
                     keep_numbers=True, whole=True)
    return values.with_columns(primary_suppression(aggregation, 5).alias("suppressed")), units


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("aggregation", ["share", "sum"])
def test_secondary_suppression_withholds_what_it_withheld_with_the_reference_audit(
        seed: int, aggregation: str, monkeypatch: pytest.MonkeyPatch) -> None:
    values, units = _primary(seed, aggregation)
    new = suppression.secondary_suppression(values, org_units=units, min_n=5,
                                            aggregation=aggregation)
    monkeypatch.setattr(suppression, "audit_indicator", reference_audit.audit_indicator)
    monkeypatch.setattr(suppression, "_first_rows", _dict_first_rows)
    monkeypatch.setattr(suppression, "_neighbour_rows", _dict_neighbour_rows)
    old = suppression.secondary_suppression(values, org_units=units, min_n=5,
                                            aggregation=aggregation)
    assert new.equals(old)


def test_the_audit_picks_cells_in_these_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above is not vacuous: the audit's picks are withheld in most cases."""
    picked: list[int] = []
    neighbour_rows = suppression._neighbour_rows

    def spy(findings: list[Finding], rows: suppression._Rows) -> np.ndarray:
        found = neighbour_rows(findings, rows)
        picked.extend(found.tolist())
        return found

    monkeypatch.setattr(suppression, "_neighbour_rows", spy)
    for seed in range(10):
        values, units = _primary(seed, "share")
        suppression.secondary_suppression(values, org_units=units, min_n=5,
                                          aggregation="share")
    assert len(picked) >= 10


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("aggregation", ["share", "sum"])
@pytest.mark.parametrize("min_n", [3, 5])
def test_closing_only_changed_groups_withholds_what_closing_every_group_did(
        seed: int, aggregation: str, min_n: int) -> None:
    """Each pass closes only the groups with a row changed since the rule last ran; the
    reference (tests/support/reference_suppression.py) closes every group in every pass."""
    values, units = _primary(seed, aggregation)
    values = values.with_columns(primary_suppression(aggregation, min_n).alias("suppressed"))
    _same_as_reference(values, units, min_n, aggregation)


def _same_as_reference(values: pl.DataFrame, units: pl.DataFrame, min_n: int,
                       aggregation: str) -> None:
    """The module withholds exactly what the reference withholds, row for row."""
    new = suppression.secondary_suppression(values, org_units=units, min_n=min_n,
                                            aggregation=aggregation)
    old = reference_suppression.secondary_suppression(values, org_units=units, min_n=min_n,
                                                      aggregation=aggregation)
    assert new.columns == old.columns
    assert new.equals(old)


def test_these_cases_need_secondary_suppression() -> None:
    """The comparison above is not vacuous: secondary suppression adds cells in most cases."""
    added = 0
    for seed in range(40):
        values, units = _primary(seed, "share")
        out = suppression.secondary_suppression(values, org_units=units, min_n=5,
                                                aggregation="share")
        added += int(out["suppressed"].sum()) > int(values["suppressed"].sum())
    assert added >= 30
