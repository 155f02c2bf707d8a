"""Danish number and date formats: decimal comma, ``12,5 %``, ``23.11.2026``.

Examples
--------
>>> format_value(12.5, "%")
'12,5 %'
>>> format_value(1234.0, "antal")
'1.234'
>>> format_date(dt.date(2026, 11, 23))
'23.11.2026'
"""

from __future__ import annotations

import datetime as dt

SUPPRESSED_TEXT = "< 5"
NO_DATA_TEXT = "Ingen data"

UNIT_SUFFIX = {
    "%": " %",
    "procentpoint": " pct.-point",
    "dage": " dage",
    "antal": "",
    "score": "",
}


# Every character Markdown (CommonMark + GFM, as st.markdown renders it) gives a meaning to.
_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~:&$=\"'/")


def plain_text(text: str | None) -> str:
    r"""User text (comments, owners, view names) made safe for ``st.markdown`` and widget labels:
    every Markdown character is backslash-escaped, so it shows as typed — no image is fetched,
    no link or autolink (``http:``, ``www.``) is made, no HTML is rendered; line breaks stay.

    >>> print(plain_text("![x](http://h/p.png) <b>"))
    \!\[x\]\(http\:\/\/h\/p\.png\) \<b\>
    """
    if not text:
        return ""
    escaped = "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def format_number(value: float, decimals: int = 1) -> str:
    """Danish grouping (``.``) and decimal comma."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def decimals_for(unit: str) -> int:
    return 0 if unit == "dage" else 1


def format_value(value: float | None, unit: str, *, suppressed: bool = False) -> str:
    if suppressed:
        return SUPPRESSED_TEXT
    if value is None:
        return NO_DATA_TEXT
    decimals = decimals_for(unit)
    if unit == "antal" and float(value).is_integer():
        decimals = 0
    return format_number(value, decimals) + UNIT_SUFFIX.get(unit, "")


def format_change(change: float | None, unit: str) -> str:
    """A signed change; percentages change in percentage points."""
    if change is None:
        return ""
    suffix = " pct.-point" if unit in {"%", "procentpoint"} else UNIT_SUFFIX.get(unit, "")
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    decimals = 0 if unit == "antal" and float(change).is_integer() else decimals_for(unit)
    return f"{sign}{format_number(abs(change), decimals)}{suffix}"


def format_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def format_datetime(moment: dt.datetime) -> str:
    return moment.strftime("%d.%m.%Y %H:%M")
