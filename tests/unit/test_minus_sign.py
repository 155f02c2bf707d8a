"""A real minus sign (U+2212) in every displayed negative number, written in one place
(``indicators.format``), and no page, chart or report formatting numbers on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exports.tables import _shown
from indicators.format import MINUS, format_change, format_number, format_value

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value,unit,expected", [
    (-2.75, "procentpoint", "\u22122,8 pct.-point"),
    (-12.5, "%", "\u221212,5 %"),
    (-1234.0, "antal", "\u22121.234"),
    (-3.0, "dage", "\u22123 dage"),
    (-0.04, "%", "0,0 %"),  # rounds to zero: no sign at all
    (0.04, "%", "0,0 %"),
    (2.75, "procentpoint", "2,8 pct.-point"),
])
def test_a_negative_value_gets_a_real_minus_and_never_a_hyphen(value, unit, expected) -> None:
    assert format_value(value, unit) == expected
    assert _shown(value, unit, False, 5) == expected  # the export writes what the screen does
    assert "-" not in expected.replace("pct.-point", "")


def test_changes_and_plain_numbers_use_the_same_minus() -> None:
    assert MINUS == "\u2212"
    assert format_change(-2.7, "%") == "\u22122,7 pct.-point"
    assert format_change(0.0, "%") == "±0,0 pct.-point"
    assert format_number(-1234.56) == "\u22121.234,6"
    assert format_number(-0.4, 0) == "0"


# Python format specs that write a number for people (":.1f", ":,", ":+") outside
# indicators/format.py; machine values (exports' numeric columns) are not shown as text
OWN_FORMATTING = re.compile(r"\{[^{}]*:[,+]?\.?\d*[fd%]\}|\{[^{}]*:[,+]\}")


def test_no_page_chart_or_report_formats_numbers_itself() -> None:
    offenders = []
    for folder in ("pages", "ui", "charts", "reports"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if OWN_FORMATTING.search(line) and "noqa: own-format" not in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
