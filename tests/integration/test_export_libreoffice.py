"""The Danish CSV opens in LibreOffice Calc with numbers as numbers and æøå intact.

Real LibreOffice (``soffice --headless``) imports the CSV with the Danish CSV filter (``;``, ``"``,
UTF-8, Danish locale 1030) and saves it as XLSX; openpyxl reads the cells back. Skipped only when
LibreOffice is missing outside CI (``apt-get install libreoffice-calc-nogui``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from exports.files import to_csv_bytes
from exports.tables import view_export
from tests.conftest import require
from tests.unit.test_export_tables import PROGRAMME, UNITS, stored_values, view

pytestmark = pytest.mark.libreoffice

DANISH_CSV_FILTER = "CSV:59,34,76,1,,1030"  # separator ;, quote ", UTF-8, from line 1, da-DK
INTERNATIONAL_CSV_FILTER = "CSV:44,34,76,1,,1033"  # separator ,, quote ", UTF-8, en-US


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    require(None if found else "LibreOffice (soffice) er ikke installeret")
    assert found
    return found


def calc_rows(csv: Path, infilter: str, tmp_path: Path) -> list[tuple]:
    """The CSV as LibreOffice Calc reads it: imported with ``infilter``, saved as XLSX."""
    out = tmp_path / "out"
    subprocess.run(
        [soffice(), "--headless", "--norestore",
         f"-env:UserInstallation=file://{tmp_path / 'profile'}",  # no clash with a running one
         f"--infilter={infilter}", "--convert-to", "xlsx", "--outdir", str(out), str(csv)],
        check=True, capture_output=True, timeout=180,
    )
    sheet = openpyxl.load_workbook(out / (csv.stem + ".xlsx")).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


def by_header(rows: list[tuple]) -> list[dict]:
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def test_danish_csv_opens_in_libreoffice_with_numbers_and_danish_letters(
    tmp_path: Path,
) -> None:
    table = view_export(stored_values(), PROGRAMME, UNITS, view=view())
    csv = tmp_path / "udtraek.csv"
    csv.write_bytes(to_csv_bytes(table))
    rows = calc_rows(csv, DANISH_CSV_FILTER, tmp_path)
    assert list(rows[0]) == table.columns  # "Værdi", "Tæller", "Nævner", "Måleenhed" intact
    cells = by_header(rows)
    assert len(cells) == table.height
    trained = next(r for r in cells if r["Indikator-id"] == "K1_trained"
                   and r["Periodekode"] == "2025H1" and r["Enhed"] == "Aabenraa Kommune")
    # Decimal comma read as a number, counts as whole numbers, not text.
    assert trained["Værdi"] == pytest.approx(74.6)
    assert (trained["Tæller"], trained["Nævner"], trained["n"]) == (179, 240, 240)
    assert trained["Mål"] == 75 and trained["Målår"] == 2027
    assert trained["Periode"] == "1. halvår 2025"  # text stays text, code stays a code
    gap = next(r for r in cells if r["Indikator-id"] == "L2_gap" and r["Periodekode"] == "2025H1")
    assert gap["Værdi"] == pytest.approx(-3.5)
    assert gap["Måleenhed"] == "pct.-point"
    # Every number in the value column is a number, every name keeps its æøå.
    values = [r["Værdi"] for r in cells if r["Værdi"] is not None]
    assert values and all(isinstance(v, int | float) for v in values)
    assert "Børnehuset Åen" in {r["Enhed"] for r in cells}
    assert any("æøå" in r["Indikator"] for r in cells)
    withheld = next(r for r in cells if r["Enhed"] == "Børnehuset Åen")
    assert (withheld["Tilbageholdt"], withheld["Vist som"], withheld["Værdi"]) == ("Ja", "< 10",
                                                                                   None)
    # The formula-looking unit name arrives as text, not as a formula.
    assert "'=HYPERLINK(\"x\")" in {r["Enhed"] for r in cells}


def test_international_csv_opens_with_numbers_too(tmp_path: Path) -> None:
    table = view_export(stored_values(), PROGRAMME, UNITS, view=view())
    csv = tmp_path / "export.csv"
    csv.write_bytes(to_csv_bytes(table, danish=False))
    cells = by_header(calc_rows(csv, INTERNATIONAL_CSV_FILTER, tmp_path))
    values = pl.Series([r["Værdi"] for r in cells], dtype=pl.Float64)
    assert values.to_list() == table["Værdi"].to_list()
