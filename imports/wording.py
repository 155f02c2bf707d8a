"""Danish wording for import messages: counts with the right noun form, sizes, line lists.

Examples
--------
>>> count(1, "fejl", "fejl"), count(1_234, "række", "rækker")
('1 fejl', '1.234 rækker')
>>> size(189), size(1_234_567)
('189 B', '1,2 MB')
>>> lines([3, 9, 12], limit=2)
'3, 9 og 1 linje mere'
"""

from __future__ import annotations

from collections.abc import Sequence

from indicators.format import format_number


def number(value: int) -> str:
    """Whole number with Danish grouping: 1.234.567."""
    return format_number(value, 0)


def count(value: int, singular: str, plural: str) -> str:
    return f"{number(value)} {singular if value == 1 else plural}"


def size(n_bytes: int) -> str:
    """Bytes as an admin reads them: ``189 B``, ``12 kB``, ``1,2 MB`` (1 kB = 1000 B)."""
    if n_bytes < 1000:
        return f"{n_bytes} B"
    for unit, factor in (("kB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        value = n_bytes / factor
        if value < 999.95 or unit == "GB":
            decimals = 0 if value >= 100 or float(round(value, 1)).is_integer() else 1
            return f"{format_number(value, decimals)} {unit}"
    raise AssertionError("unreachable")


def lines(numbers: Sequence[int], *, limit: int = 10, total: int | None = None,
          noun: tuple[str, str] = ("linje", "linjer")) -> str:
    """``3, 9 og 12`` – at most ``limit`` numbers, then ``og 4 linjer mere`` (of ``total``)."""
    shown = [number(n) for n in numbers[:limit]]
    rest = (len(numbers) if total is None else total) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" og {count(rest, *noun)} mere"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " og " + shown[-1]
