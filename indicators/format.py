"""Danish number and date formats: decimal comma, ``12,5 %``, ``23.11.2026``.

Examples
--------
>>> format_value(12.5, "%")
'12,5 %'
>>> format_value(1234.0, "antal")
'1.234'
>>> format_value(-2.75, "procentpoint")  # a real minus (U+2212), never a hyphen
'−2,8 pct.-point'
>>> format_number(-0.04)  # rounds to zero: no sign
'0,0'
>>> format_value(40.0, "%", suppressed=True, withheld_text="< 5")
'< 5'
>>> format_date(dt.date(2026, 11, 23))
'23.11.2026'
"""

from __future__ import annotations

import datetime as dt
from typing import overload
from zoneinfo import ZoneInfo

NO_DATA_TEXT = "Ingen data"
MINUS = "\u2212"  # the minus sign every displayed negative number gets (not "-", a hyphen)

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
    """Danish grouping (``.``), decimal comma and a real minus (U+2212) for a negative number;
    a number that rounds to zero has no sign. The one place numbers are written for people."""
    text = f"{abs(value):,.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return MINUS + text if round(value, decimals) < 0 and text.strip("0,.") else text


def decimals_for(unit: str) -> int:
    return 0 if unit == "dage" else 1


@overload
def format_value(value: float | None, unit: str) -> str: ...


@overload
def format_value(value: float | None, unit: str, *, suppressed: bool,
                 withheld_text: str) -> str: ...


def format_value(value: float | None, unit: str, *, suppressed: bool = False,
                 withheld_text: str | None = None) -> str:
    """``value`` in Danish format. A withheld value reads ``withheld_text``
    (``Settings.withheld_text``, e.g. ``< 5``): every caller that can meet one must pass it."""
    if suppressed:
        if withheld_text is None:
            raise TypeError("format_value: a withheld value needs withheld_text")
        return withheld_text
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
    sign = "+" if change > 0 else (MINUS if change < 0 else "±")
    decimals = 0 if unit == "antal" and float(change).is_integer() else decimals_for(unit)
    return f"{sign}{format_number(abs(change), decimals)}{suffix}"


def format_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


DANISH_TIME = ZoneInfo("Europe/Copenhagen")


def danish_time(moment: dt.datetime) -> dt.datetime:
    """A stored moment (UTC; naive means UTC, as SQLite returns it) in Danish time, summer time
    included."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(DANISH_TIME)


def format_datetime(moment: dt.datetime) -> str:
    """``23.11.2026 14:05`` in Danish time, whatever zone the moment was stored in.

    Examples
    --------
    >>> format_datetime(dt.datetime(2026, 7, 1, 12, 5, tzinfo=dt.UTC))  # summer: UTC+2
    '01.07.2026 14:05'
    >>> format_datetime(dt.datetime(2026, 1, 15, 13, 5))  # winter: UTC+1; naive = UTC
    '15.01.2026 14:05'
    """
    return danish_time(moment).strftime("%d.%m.%Y %H:%M")


def format_updated(moment: dt.datetime) -> str:
    """``23.11.2026 kl. 14.05``: a stored moment in Danish time, as in "Data opdateret den …".

    >>> format_updated(dt.datetime(2026, 11, 23, 13, 5))  # naive = UTC; winter: UTC+1
    '23.11.2026 kl. 14.05'
    """
    return danish_time(moment).strftime("%d.%m.%Y kl. %H.%M")
