"""Secondary suppression on arrays (indicators/suppression.py: ``_rounds``) withholds exactly the
cells the reference (tests/support/reference_suppression.py: every rule a polars step over the
whole frame, every pass, every round) withholds, row for row, on trees large enough for many
audit rounds over several periods, each round after the first auditing only the periods that
changed."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest

from indicators import suppression
from indicators.disclosure_audit import Finding
from indicators.engine import primary_suppression
from tests.unit.test_disclosure_audit_equivalence import _tree, _values
from tests.unit.test_suppression_equivalence import _dict_first_rows, _same_as_reference


def _case(seed: int, aggregation: str, *, whole: bool = True,
          additive: bool = True) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Values of a random tree over 3-5 periods, primary suppression marked (numbers kept);
    not ``additive``: a child counted under two units now and then (least squares)."""
    rng = np.random.default_rng(seed)
    # A root, 3-6 municipalities, 2-4 areas each, 2-6 institutions each (40-150 units)
    units, parent_of = _tree(rng, fanouts=((3, 7), (2, 5), (2, 7)))
    values = _values(rng, parent_of, subgroups=bool(rng.random() < 0.85),
                     periods=int(rng.integers(3, 6)), hidden=0.0, additive=additive,
                     keep_numbers=True, whole=whole)
    min_n = int(rng.choice([3, 5]))
    if rng.random() < 0.2:  # a unit the org tree does not know (no parent)
        values = values.with_columns(
            pl.when(pl.col("unit_id") == max(parent_of)).then(pl.lit(999))
            .otherwise(pl.col("unit_id")).alias("unit_id"))
    if rng.random() < 0.5:  # rows in no particular order
        values = values.sample(fraction=1.0, shuffle=True, seed=seed)
    return (values.with_columns(primary_suppression(aggregation, min_n).alias("suppressed")),
            units, min_n)


class _Audits:
    """How often the audit ran for one call and how many periods each run read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.periods: list[int] = []
        audit = suppression.audit_indicator

        def spy(values: pl.DataFrame, **kwargs: Any) -> list[Finding]:
            self.periods.append(values["period"].n_unique())
            return audit(values, **kwargs)

        monkeypatch.setattr(suppression, "audit_indicator", spy)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("aggregation", ["share", "sum"])
def test_many_rounds_over_several_periods_withhold_what_the_reference_withholds(
        seed: int, aggregation: str) -> None:
    _same_as_reference(*_case(seed, aggregation), aggregation)


@pytest.mark.parametrize("seed", [5, 6])
@pytest.mark.parametrize("aggregation", ["share", "sum"])
def test_counts_that_do_not_add_up_withhold_what_the_reference_withholds(
        seed: int, aggregation: str) -> None:
    """A child counted under two units now and then: the audit's least squares, and 50-100
    rounds."""
    _same_as_reference(*_case(seed, aggregation, additive=False), aggregation)


def test_these_cases_run_on_arrays_with_many_rounds_on_fewer_periods(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparisons above are not vacuous: the arrays take these frames, the audit runs
    many rounds, and the later rounds read fewer periods than the first."""
    rounds, narrower = [], 0
    for seed in range(8):
        for aggregation in ("share", "sum"):
            values, units, min_n = _case(seed, aggregation)
            out = values.join(units.rename({"id": "unit_id"}), on="unit_id", how="left")
            out = out.with_columns(pl.col("numerator").alias("_num"),
                                   (pl.col("denominator") - pl.col("numerator")).alias("_rest"))
            assert suppression._Rows.of(out, suppression.COUNTS, min_n) is not None
            with monkeypatch.context() as patch:
                audits = _Audits(patch)
                suppression.secondary_suppression(values, org_units=units, min_n=min_n,
                                                  aggregation=aggregation)
            rounds.append(len(audits.periods))
            narrower += sum(p < audits.periods[0] for p in audits.periods[1:])
    assert sum(r >= 8 for r in rounds) >= 6
    assert max(rounds) >= 30
    assert narrower >= 60


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("aggregation", ["share", "sum"])
def test_fractional_counts_take_the_polars_rounds_and_withhold_what_the_reference_does(
        seed: int, aggregation: str) -> None:
    """A numerator that is not a whole number (sums in another order could round otherwise):
    the rounds on the frame itself, as before."""
    values, units, min_n = _case(seed, aggregation, whole=False)
    out = values.join(units.rename({"id": "unit_id"}), on="unit_id", how="left").with_columns(
        pl.col("numerator").alias("_num"),
        (pl.col("denominator") - pl.col("numerator")).alias("_rest"))
    counts = suppression.COUNTS if aggregation == "share" else suppression.COUNTS[:1]
    assert (suppression._Rows.of(out, counts, min_n) is None) == (aggregation == "share")
    _same_as_reference(values, units, min_n, aggregation)


def test_a_cell_twice_or_a_null_flag_takes_the_polars_rounds() -> None:
    values, units, min_n = _case(0, "sum")
    out = values.join(units.rename({"id": "unit_id"}), on="unit_id", how="left").with_columns(
        pl.col("numerator").alias("_num"),
        (pl.col("denominator") - pl.col("numerator")).alias("_rest"))
    assert suppression._Rows.of(out, ("n",), min_n) is not None
    assert suppression._Rows.of(pl.concat([out, out.head(1)]), ("n",), min_n) is None
    nulled = out.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(None)
                              .otherwise(pl.col("suppressed")).alias("suppressed"))
    assert suppression._Rows.of(nulled, ("n",), min_n) is None


@pytest.mark.parametrize("seed", range(40))
def test_the_first_neighbour_row_by_key_is_the_one_the_old_lookup_found(seed: int) -> None:
    rng = np.random.default_rng(seed)
    slots = [(u, a, p) for u in range(1, 6) for a in ("alle", "0-2", "3-5")
             for p in ("all", "vulnerable")]
    cells = [(u, period, a, p == "vulnerable") for u, a, p in slots
             for period in ("2024H1", "2024H2") if rng.random() < 0.6]
    out = pl.DataFrame(cells, schema=["unit_id", "period", "age_group", "vulnerable_only"],
                       orient="row").sample(fraction=1.0, shuffle=True, seed=seed).with_columns(
        pl.lit(7, dtype=pl.Int64).alias("n"), pl.lit(False).alias("suppressed"),
        pl.lit(None, dtype=pl.Int64).alias("parent_id"), pl.lit(1.0).alias("_num"),
        pl.lit(2.0).alias("_rest"))
    rows = suppression._Rows.of(out, ("n",), 5)
    assert rows is not None
    keyed = out.with_row_index("_row").select(
        "_row", "unit_id", "period", "age_group",
        pl.when(pl.col("vulnerable_only")).then(pl.lit("vulnerable")).otherwise(pl.lit("all")))
    findings = [Finding("X", str(rng.choice(["2024H1", "2024H2", "2023H2"])), 1, "alle", "all",
                        "determined", 1.0, 1.0,
                        tuple(slots[int(i)] if rng.random() < 0.9 else (9, "alle", "others")
                              for i in rng.permutation(len(slots))[:int(rng.integers(0, 5))]))
                for _k in range(12)]
    assert suppression._neighbour_rows(findings, rows).tolist() == _dict_first_rows(findings,
                                                                                    keyed)
