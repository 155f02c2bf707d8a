"""Status of a value against its target, and the legend colours.

The rule (after TolaData's ±15 %):

- **På sporet** (on track): the target is reached (at or above it when higher is better, at or
  below it when lower is better).
- **Tæt på** (close): not reached, but within 15 % of the target. When the target is 0 (a gap to
  close), the band is 15 % of the baseline instead.
- **Ikke på sporet** (off track): further away than that.
- **Ingen data**: no value, or the value is withheld because n is small.

Examples
--------
>>> status_of(80.0, target=75.0, baseline=None, direction="higher")
'on_track'
>>> status_of(66.0, target=75.0, baseline=None, direction="higher")
'close'
"""

from __future__ import annotations

TOLERANCE = 0.15

STATUS_LABELS = {
    "on_track": "På sporet",
    "close": "Tæt på",
    "off_track": "Ikke på sporet",
    "no_data": "Ingen data",
}

# Colour-blind-safe traffic light (Okabe-Ito based), with text colours that pass WCAG AA.
STATUS_COLOURS = {
    "on_track": "#1b7f3b",
    "close": "#e0a100",
    "off_track": "#c0392b",
    "no_data": "#6b7280",  # 4.8:1 against white text (WCAG AA)
}
STATUS_TEXT_COLOURS = {"on_track": "#ffffff", "close": "#1d1d1d", "off_track": "#ffffff",
                       "no_data": "#ffffff"}
STATUS_ICONS = {"on_track": "●", "close": "◐", "off_track": "○", "no_data": "–"}


def status_legend(withheld_text: str, min_n: int) -> str:
    """The status rule and the withheld mark in one line (Markdown), for captions.

    >>> status_legend("< 5", 5).split("; ")[1]
    '**Tæt på** = inden for 15 % af målet'
    """
    band = f"{TOLERANCE * 100:.0f} %"
    return (f"**På sporet** = målet er nået; **Tæt på** = inden for {band} af målet; "
            f"**Ikke på sporet** = længere væk; **{withheld_text}** = færre end {min_n} "
            "børn/familier/medarbejdere, værdien vises ikke.")


def status_of(
    value: float | None,
    *,
    target: float,
    baseline: float | None,
    direction: str,
    tolerance: float = TOLERANCE,
) -> str:
    if value is None:
        return "no_data"
    gap = (value - target) if direction == "higher" else (target - value)
    if gap >= 0:
        return "on_track"
    reference = abs(target) if target != 0 else abs(baseline or 0.0)
    band = tolerance * reference
    return "close" if -gap <= band else "off_track"
