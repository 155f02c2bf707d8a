"""The export's columns: code name (for analysts), Danish header (the default) and kind.

The kind decides the spreadsheet number format: ``decimal`` (one decimal, as on screen), ``count``
(whole numbers) or ``text``. Writers look a column up by either name, so a frame with Danish
headers and one with code names get the same formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "decimal", "count"]


@dataclass(frozen=True)
class Column:
    code: str
    danish: str
    kind: Kind = "text"
    width: int | None = None  # characters; None = fitted to the content


COLUMNS: tuple[Column, ...] = (
    Column("programme", "Program"),
    Column("layer", "Lag"),
    Column("box", "Boks", width=7),
    Column("box_title", "Boksens titel", width=40),
    Column("indicator_id", "Indikator-id"),
    Column("indicator", "Indikator", width=50),
    Column("org_unit_code", "Enhedskode"),
    Column("org_unit", "Enhed", width=30),
    Column("org_level", "Niveau"),
    Column("rank", "Plads", "count"),
    Column("period_label", "Periode"),
    Column("period", "Periodekode"),
    Column("age_group", "Aldersgruppe"),
    Column("vulnerable_only", "Kun udsatte"),
    Column("value", "Værdi", "decimal"),
    Column("unit", "Måleenhed"),
    Column("shown_value", "Vist som"),
    Column("numerator", "Tæller", "count"),
    Column("denominator", "Nævner", "count"),
    Column("n", "n", "count"),
    Column("lower_limit", "Nedre grænse", "decimal"),
    Column("upper_limit", "Øvre grænse", "decimal"),
    Column("outside_limits", "Uden for grænserne"),
    Column("target", "Mål", "decimal"),
    Column("target_year", "Målår", "count"),
    Column("status", "Status"),
    Column("suppressed", "Tilbageholdt"),
    Column("completeness", "Datakomplethed", "decimal"),
    Column("uncertain", "Usikkert datagrundlag"),
    Column("note", "Bemærkning", width=60),
)
BY_NAME: dict[str, Column] = {c.code: c for c in COLUMNS} | {c.danish: c for c in COLUMNS}
DANISH_HEADERS: dict[str, str] = {c.code: c.danish for c in COLUMNS}
BOOLEAN_COLUMNS = ("vulnerable_only", "suppressed", "outside_limits", "uncertain")


def column(name: str) -> Column | None:
    """The column called ``name`` (code name or Danish header), if the catalogue knows it."""
    return BY_NAME.get(name)
