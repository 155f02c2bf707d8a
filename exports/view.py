"""What an export is of: the page and the filters on screen, for the file name and the file itself.

A page builds an :class:`ExportView` from its filters and hands it to the table builders in
:mod:`exports.tables` and the writers in :mod:`exports.files`, so the file says what the screen
said: which page, programme, unit, periods, age group and whether only children in vulnerable
positions were counted.

Examples
--------
>>> view = ExportView(page="layer", programme_id="aabenraa", unit_code="580-N",
...                   unit_name="Aabenraa Kommune", period_from="2025H1", period_to="2026H2",
...                   layer_id="kort-sigt", vulnerable_only=True, created=dt.date(2026, 11, 24))
>>> export_filename(view, "csv")
'aabenraa_lag-kort-sigt_580-N_2025H1-2026H2_alle_udsatte_2026-11-24.csv'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from indicators.format import format_date
from indicators.periods import period_label

PageKind = Literal["overview", "layer", "daycare", "funnel"]

PAGE_LABELS: dict[str, str] = {
    "overview": "Overblik",
    "layer": "Lag",
    "daycare": "Dagtilbud",
    "funnel": "Tragtdiagram",
}
PAGE_SLUGS: dict[str, str] = {
    "overview": "overblik",
    "layer": "lag",
    "daycare": "dagtilbud",
    "funnel": "tragt",
}
AGE_GROUP_LABELS: dict[str, str] = {"alle": "Alle aldre", "0-2": "0-2 år", "3-5": "3-5 år"}
# Danish letters a file name may not keep; the rest of non-ASCII goes through NFKD.
_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def slug(text: str) -> str:
    """An ASCII-safe file-name part: Danish letters spelled out, anything else odd becomes ``-``.

    >>> slug("Børnehuset Åen/Syd")
    'Boernehuset-Aaen-Syd'
    """
    ascii_text = unicodedata.normalize("NFKD", text.translate(_ASCII))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_text).strip("-") or "x"


@dataclass(frozen=True)
class ExportView:
    """The page and filters an export comes from.

    ``layer_id`` names the layer of a layer page; ``indicator_id`` the indicator of a funnel (or
    a one-indicator ranking). ``created`` is the day the file is made (Danish time on the caller's
    side), part of the file name.
    """

    page: PageKind
    programme_id: str
    unit_code: str
    unit_name: str
    period_from: str
    period_to: str
    age_group: str = "alle"
    vulnerable_only: bool = False
    layer_id: str | None = None
    layer_title: str | None = None
    indicator_id: str | None = None
    programme_title: str | None = None
    created: dt.date = field(default_factory=dt.date.today)

    def __post_init__(self) -> None:
        if self.page not in PAGE_LABELS:
            raise ValueError(f"Ukendt side til eksport: {self.page!r}")
        if self.page == "layer" and not self.layer_id:
            raise ValueError("Et udtræk fra en lagside skal angive laget.")
        if self.age_group not in AGE_GROUP_LABELS:
            raise ValueError(f"Ukendt aldersgruppe: {self.age_group!r}")

    def page_slug(self) -> str:
        base = PAGE_SLUGS[self.page]
        detail = self.layer_id if self.page == "layer" else (
            self.indicator_id if self.page == "funnel" else None)
        return f"{base}-{detail}" if detail else base

    def about(self) -> list[tuple[str, str]]:
        """The filters in words, for the "Om udtrækket" sheet."""
        page = PAGE_LABELS[self.page]
        if self.page == "layer":
            page = f"{page}: {self.layer_title or self.layer_id}"
        rows = [
            ("Side", page),
            ("Program", self.programme_title or self.programme_id),
            ("Enhed", f"{self.unit_name} ({self.unit_code})"),
            ("Perioder", f"{period_label(self.period_from)} – {period_label(self.period_to)}"),
            ("Periodekoder", f"{self.period_from}–{self.period_to}"),
            ("Aldersgruppe", AGE_GROUP_LABELS[self.age_group]),
            ("Kun børn i udsatte positioner", "Ja" if self.vulnerable_only else "Nej"),
        ]
        if self.indicator_id:
            rows.append(("Indikator", self.indicator_id))
        rows.append(("Udtrukket", format_date(self.created)))
        return rows


def export_filename(view: ExportView, ext: str = "csv") -> str:
    """``<programme>_<page>_<unit>_<from>-<to>_<age group>[_udsatte]_<date>.<ext>``, ASCII only."""
    parts = [slug(view.programme_id), slug(view.page_slug()), slug(view.unit_code),
             f"{slug(view.period_from)}-{slug(view.period_to)}", slug(view.age_group)]
    if view.vulnerable_only:
        parts.append("udsatte")
    parts.append(f"{view.created:%Y-%m-%d}")
    return "_".join(parts) + "." + slug(ext.lstrip("."))
