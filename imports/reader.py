"""Read a CSV or XLSX file into a polars frame of strings.

Every cell comes back as a stripped string ("" when empty), the header is lower-cased, and a
``_row`` column holds the row number as a spreadsheet shows it (the header is row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import polars as pl

ROW = "_row"
CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_BINARY_MAGIC = (b"\x89PNG", b"%PDF", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0")


class ReadError(Exception):
    """The file cannot be read at all; the message is in Danish for the person importing."""


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), falling back to Windows-1252 (Excel's Danish default)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ReadError("Filens tegnsæt kan ikke læses (brug UTF-8 eller Windows-1252).") from None


def sniff_separator(header_line: str) -> str:
    """``;`` (Danish Excel) or ``,``: whichever occurs more often in the header line."""
    return ";" if header_line.count(";") >= header_line.count(",") and ";" in header_line \
        else ","


def _frame(rows: list[list[str]]) -> pl.DataFrame:
    """Header + data rows → frame of strings with ``_row``; empty rows and columns dropped."""
    if not rows or not any(cell for cell in rows[0]):
        raise ReadError("Filen er tom.")
    header = [cell.strip().lstrip("\ufeff").strip().lower() for cell in rows[0]]
    width = max(len(r) for r in rows)
    header += [""] * (width - len(header))
    data = [(i + 2, r + [""] * (width - len(r))) for i, r in enumerate(rows[1:])]
    data = [(n, [c.strip() for c in r]) for n, r in data if any(c.strip() for c in r)]
    keep: list[int] = []
    for j, name in enumerate(header):
        if name or any(r[j] for _n, r in data):
            keep.append(j)
    names: list[str] = []
    for j in keep:
        name = header[j] or f"kolonne_{j + 1}"
        while name in names or name == ROW:
            name += "_"
        names.append(name)
    columns = {name: [r[j] for _n, r in data] for name, j in zip(names, keep, strict=True)}
    columns[ROW] = [n for n, _r in data]
    schema = {name: pl.Utf8 for name in names} | {ROW: pl.Int64}
    return pl.DataFrame(columns, schema=schema)


def read_csv_bytes(data: bytes) -> pl.DataFrame:
    if not data.strip(b" \r\n\t\xef\xbb\xbf"):
        raise ReadError("Filen er tom.")
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:4096]:
        raise ReadError("Filen er ikke en CSV-fil (den indeholder binære data).")
    text = decode(data)
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t")
    if controls:
        raise ReadError("Filen er ikke en CSV-fil (den indeholder binære data).")
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    separator = sniff_separator(first_line)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as exc:
        raise ReadError(f"CSV-filen kan ikke læses: {exc}") from None
    return _frame(rows)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx_bytes(data: bytes) -> pl.DataFrame:
    from openpyxl import load_workbook

    if not data.startswith(b"PK"):
        raise ReadError("Filen er ikke en gyldig Excel-fil (.xlsx).")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        raise ReadError("Filen er ikke en gyldig Excel-fil (.xlsx).") from None
    try:
        sheet = workbook.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    while rows and not any(rows[-1]):
        rows.pop()
    return _frame(rows)


def read_table(path: Path | str, data: bytes | None = None) -> pl.DataFrame:
    """Read ``path`` (or ``data`` named like ``path``) as CSV or XLSX, chosen by the suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise ReadError(f"Filtypen '{suffix or '(ingen)'}' kan ikke importeres. "
                        "Brug en CSV-fil (.csv) eller en Excel-fil (.xlsx).")
    if data is None:
        try:
            data = path.read_bytes()
        except OSError:
            raise ReadError(f"Filen {path.name} kan ikke åbnes.") from None
    if suffix in XLSX_SUFFIXES:
        return read_xlsx_bytes(data)
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx_bytes(data)  # an Excel file saved with a .csv name
    return read_csv_bytes(data)
