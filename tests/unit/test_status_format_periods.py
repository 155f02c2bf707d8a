from __future__ import annotations

import datetime as dt

import pytest

from indicators.format import format_change, format_date, format_value
from indicators.periods import period_label, periods_between, previous_period
from indicators.status import status_of


@pytest.mark.parametrize(("value", "direction", "expected"), [
    (75.0, "higher", "on_track"), (80.0, "higher", "on_track"),
    (63.75, "higher", "close"),  # exactly 15 % below 75
    (63.0, "higher", "off_track"), (None, "higher", "no_data"),
])
def test_status_against_a_target_of_75_where_higher_is_better(value, direction, expected) -> None:
    assert status_of(value, target=75.0, baseline=50.0, direction=direction) == expected


def test_status_where_lower_is_better_and_the_target_is_zero_uses_the_baseline_band() -> None:
    assert status_of(8.0, target=8.0, baseline=12.0, direction="lower") == "on_track"
    assert status_of(9.0, target=8.0, baseline=12.0, direction="lower") == "close"
    assert status_of(10.0, target=8.0, baseline=12.0, direction="lower") == "off_track"
    assert status_of(3.0, target=0.0, baseline=20.0, direction="lower") == "close"  # band 3
    assert status_of(3.1, target=0.0, baseline=20.0, direction="lower") == "off_track"


def test_danish_number_and_date_formats() -> None:
    assert format_value(12.5, "%") == "12,5 %"
    assert format_value(1234.5, "score") == "1.234,5"
    assert format_value(3.0, "antal") == "3"
    assert format_value(None, "%") == "Ingen data"
    assert format_value(40.0, "%", suppressed=True, withheld_text="< 5") == "< 5"
    assert format_value(40.0, "%", suppressed=True, withheld_text="< 10") == "< 10"
    with pytest.raises(TypeError):
        format_value(40.0, "%", suppressed=True)  # type: ignore[call-overload]
    assert format_change(-2.26, "%") == "−2,3 pct.-point"
    # An exact half rounds to even (Python's format): 2.25 → 2,2 and 0.25 → 0,2
    assert format_change(-2.25, "%") == "−2,2 pct.-point"
    assert format_change(0.0, "score") == "±0,0"
    assert format_change(-182.0, "antal") == "−182"
    assert format_change(0.25, "antal") == "+0,2"
    assert format_change(0.26, "antal") == "+0,3"
    assert format_date(dt.date(2026, 11, 23)) == "23.11.2026"


def test_periods_are_half_years() -> None:
    assert periods_between("2024H2", "2025H2") == ["2024H2", "2025H1", "2025H2"]
    assert previous_period("2025H1") == "2024H2"
    assert period_label("2026H2") == "2. halvår 2026"
