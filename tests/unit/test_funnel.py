"""Funnel-plot limits and classification, checked against arithmetic done in the test."""

from __future__ import annotations

import math

import polars as pl
import pytest

from indicators.funnel import (
    binomial_limits,
    classify,
    different_units,
    funnel_limits,
    normal_limits,
)


def _cdf(r: int, n: int, p: float) -> float:
    """Binomial distribution function by hand (math.comb), not scipy."""
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(r + 1)) if r >= 0 else 0


def _by_hand(p0: float, n: int, q: float) -> float:
    r = next(r for r in range(n + 1) if _cdf(r, n, p0) >= q)
    alpha = (_cdf(r, n, p0) - q) / (_cdf(r, n, p0) - _cdf(r - 1, n, p0))
    return min(max((r - alpha) / n, 0.0), 1.0)


def test_half_of_a_hundred_has_95_limits_near_40_and_60() -> None:
    lower, upper = binomial_limits(0.5, [100], level=0.95)
    # Upper: F(59) = 0.97156 < 0.975 ≤ F(60) = 0.98240 → r = 60,
    # α = (0.98240 − 0.975) / (0.98240 − 0.97156) = 0.6826, limit = (60 − 0.6826) / 100.
    assert _cdf(59, 100, 0.5) == pytest.approx(0.971556, abs=1e-6)
    assert _cdf(60, 100, 0.5) == pytest.approx(0.982400, abs=1e-6)
    assert upper[0] == pytest.approx((60 - (0.9824 - 0.975) / (0.9824 - 0.971556)) / 100,
                                     abs=1e-5)
    assert upper[0] == pytest.approx(0.5932, abs=1e-4)
    assert lower[0] == pytest.approx(0.3968, abs=1e-4)  # symmetric around 0.5
    # Close to the normal approximation 0.5 ± 1.96 × 0.05.
    assert lower[0] == pytest.approx(0.402, abs=0.01) and upper[0] == pytest.approx(0.598, abs=0.01)


@pytest.mark.parametrize(("p0", "n"), [(0.5, 100), (0.2, 10), (0.8, 37), (0.05, 60), (0.62, 7)])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_binomial_limits_match_the_interpolated_quantiles_by_hand(
        p0: float, n: int, level: float) -> None:
    lower, upper = binomial_limits(p0, [n], level=level)
    tail = (1 - level) / 2
    assert lower[0] == pytest.approx(_by_hand(p0, n, tail), abs=1e-9)
    assert upper[0] == pytest.approx(_by_hand(p0, n, 1 - tail), abs=1e-9)


def test_a_lower_limit_below_zero_is_clipped() -> None:
    # p0 = 0.2, n = 10: F(0) = 0.107 ≥ 0.025 → r = 0, α = 0.767, (0 − 0.767)/10 < 0 → 0.
    # Upper: F(4) = 0.96721 < 0.975 ≤ F(5) = 0.99363 → (5 − 0.7052)/10 = 0.42949.
    lower, upper = binomial_limits(0.2, [10], level=0.95)
    assert lower[0] == 0.0
    assert upper[0] == pytest.approx(0.42949, abs=1e-5)


def test_limits_narrow_as_n_grows() -> None:
    limits = funnel_limits(50.0, n_max=400, n_min=10)
    width = (limits["upper_95"] - limits["lower_95"]).to_list()
    assert limits["n"].to_list()[:2] == [10, 11] and limits.height == 391
    assert width[0] > width[100] > width[-1]
    assert (limits["upper_998"] >= limits["upper_95"]).all()
    assert (limits["lower_998"] <= limits["lower_95"]).all()


def test_funnel_limits_for_shares_are_in_percent() -> None:
    row = funnel_limits(50.0, n_min=100, n_max=100).row(0, named=True)
    assert row["lower_95"] == pytest.approx(39.68, abs=0.01)
    assert row["upper_95"] == pytest.approx(59.32, abs=0.01)


def test_normal_limits_for_a_mean() -> None:
    lower, upper = normal_limits(3.0, 1.0, [25], level=0.95)
    # 3 ± 1.95996 × 1/5
    assert lower[0] == pytest.approx(3 - 1.959964 / 5, abs=1e-6)
    assert upper[0] == pytest.approx(3 + 1.959964 / 5, abs=1e-6)
    lower, _ = normal_limits(3.0, 1.0, [25], level=0.998)
    assert lower[0] == pytest.approx(3 - 3.090232 / 5, abs=1e-6)
    mean_limits = funnel_limits(3.0, n_min=25, n_max=25, kind="mean", sd=1.0)
    assert mean_limits["upper_998"].item() == pytest.approx(3 + 3.090232 / 5, abs=1e-6)


def test_bad_input_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="proportion"):
        binomial_limits(62.0, [10], level=0.95)
    with pytest.raises(ValueError, match="sd"):
        funnel_limits(3.0, n_max=10, kind="mean")


def test_classification_inside_and_outside_the_limits() -> None:
    # p0 = 50 %, n = 100: 95 % limits 39.68-59.32; 99.8 %: 34.12-64.88.
    units = pl.DataFrame({
        "label": ["A", "B", "C", "D", "E", "F", "G"],
        "value": [50.0, 60.0, 70.0, 38.0, 30.0, 70.0, None],
        "n": [100, 100, 100, 100, 100, 6, 3],
        "suppressed": [False, False, False, False, False, False, True],
    })
    classified = classify(units, 50.0)
    assert dict(classified.select("label", "classification").iter_rows()) == {
        "A": "inside", "B": "above_95", "C": "above_998", "D": "below_95", "E": "below_998",
        # 70 % of 6 children: well within the noise of a small daycare.
        "F": "inside",
    }
    assert "G" not in classified["label"].to_list()  # withheld: not on the plot at all
    assert different_units(classified)["label"].to_list() == ["B", "C", "D", "E"]
    assert different_units(classified, level=0.998)["label"].to_list() == ["C", "E"]


def test_a_value_exactly_on_a_limit_is_inside() -> None:
    upper = float(funnel_limits(50.0, n_min=100, n_max=100)["upper_95"].item())
    units = pl.DataFrame({"value": [upper], "n": [100], "suppressed": [False]})
    assert classify(units, 50.0)["classification"].to_list() == ["inside"]


def test_classify_with_nothing_to_show() -> None:
    units = pl.DataFrame({"value": [None], "n": [3], "suppressed": [True]},
                         schema={"value": pl.Float64, "n": pl.Int64, "suppressed": pl.Boolean})
    out = classify(units, 50.0)
    assert out.is_empty() and "classification" in out.columns
