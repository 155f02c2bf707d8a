"""Read a CSV or XLSX file into a polars frame of strings, refusing hostile files before parsing.

Every cell comes back as a stripped string ("" when empty), the header is lower-cased, and a
``_row`` column holds the row number as a spreadsheet shows it (the header is row 1).

Order of the checks (each refuses the file at once with a Danish :class:`ReadError`):

1. size of the file (before it is read from disk, when it comes from disk);
2. CSV: number of lines, length of every line and control characters, on the raw bytes;
   XLSX: the zip's central directory (sum of the unpacked sizes) and the row count of every
   sheet (its ``<dimension>`` and a bounded streaming count of its ``<row>`` elements);
3. encoding, decided on the whole file: UTF-8 (BOM or not) or Windows-1252; a mixture is refused
   with the line numbers of the odd lines;
4. parsing, in chunks of :data:`CHUNK` rows (memory grows with the frame, not with Python lists);
   too many columns and control characters in cells are refused.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import polars as pl

from core.settings import ImportLimits
from imports.wording import count, lines, number, size

ROW = "_row"
CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_BINARY_MAGIC = (b"\x89PNG", b"%PDF", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0")
CHUNK = 50_000
# C0 control characters except tab, CR and LF, and DEL (bytes, before decoding).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# In decoded cells: every C0 and C1 control character (a tab inside a cell too).
CONTROL_CHARS = r"[\x00-\x1f\x7f-\x9f]"
_NON_ASCII = re.compile(rb"[\x80-\xff]+")
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_SHEET_ROW = re.compile(rb"<(?:\w{1,10}:)?row[\s>]")
_DIMENSION = re.compile(rb"<(?:\w{1,10}:)?dimension\s+ref=\"[A-Z]*[0-9]*:?[A-Z]*([0-9]+)\"")
_READ_BLOCK = 1 << 20


class ReadError(Exception):
    """The file cannot be read at all; the message is in Danish for the person importing."""


# -- 1. size and lines ------------------------------------------------------------------------

def check_size(n_bytes: int, limits: ImportLimits) -> None:
    if n_bytes > limits.max_bytes:
        raise ReadError(f"Filen fylder {size(n_bytes)}; der kan højst indlæses "
                        f"{size(limits.max_bytes)} ad gangen. Del filen op i flere filer.")


def line_ends(data: bytes) -> np.ndarray:
    """Offsets of every ``\\n`` in ``data`` (read in blocks, so memory stays ~8 B per line)."""
    parts = []
    view = np.frombuffer(data, dtype=np.uint8)
    for start in range(0, len(view), 1 << 24):
        parts.append(np.flatnonzero(view[start:start + (1 << 24)] == 10) + start)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def line_of(ends: np.ndarray, offsets: Iterable[int]) -> list[int]:
    """1-based line numbers of byte ``offsets``."""
    return [int(n) + 1 for n in np.searchsorted(ends, np.fromiter(offsets, dtype=np.int64))]


def check_csv_bytes(data: bytes, limits: ImportLimits) -> np.ndarray:
    """Row count, line length and control characters, on the raw bytes; returns the line ends."""
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if n_lines - 1 > limits.max_rows:
        raise ReadError(f"Filen har {count(n_lines - 1, 'række', 'rækker')} under overskriften; "
                        f"der kan højst indlæses {number(limits.max_rows)} ad gangen. "
                        "Del filen op i flere filer.")
    ends = line_ends(data)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(data)]))
    too_long = np.flatnonzero(stops - starts > limits.max_line_bytes)
    if too_long.size:
        numbers = [int(i) + 1 for i in too_long[:10]]
        raise ReadError(f"{_line_word(too_long.size)} {lines(numbers, total=int(too_long.size))} "
                        f"{'er for lang' if too_long.size == 1 else 'er for lange'} (over "
                        f"{number(limits.max_line_bytes)} tegn). Er det den rigtige fil, og er "
                        "kolonnerne adskilt med semikolon eller komma?")
    hits = []
    for match in _CONTROL_BYTES.finditer(data):
        hits.append(match.start())
        if len(hits) == 10:
            break
    if hits:
        raise ReadError("Filen indeholder styretegn (fx NUL-tegn), som ikke kan stå i en "
                        f"CSV-fil: {_line_word(len(hits)).lower()} {lines(line_of(ends, hits))}. "
                        "Gem filen igen som CSV fra regnearket.")
    return ends


def _line_word(n: int) -> str:
    return "Linje" if n == 1 else "Linjerne"


# -- 3. encoding ------------------------------------------------------------------------------

def detect_encoding(data: bytes, ends: np.ndarray) -> str:
    """``"utf-8"`` or ``"cp1252"`` for the whole file (without its BOM); refuses a mixture.

    Every run of non-ASCII bytes is either valid UTF-8 or not. All valid → UTF-8; none valid →
    Windows-1252; both → the file was put together from two sources and is refused, naming the
    lines in the minority encoding.
    """
    if data.isascii():
        return "utf-8"
    try:
        codecs.decode(data, "utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    utf8_at: list[int] = []
    other_at: list[int] = []
    for match in _NON_ASCII.finditer(data):
        try:
            match.group().decode("utf-8")
            utf8_at.append(match.start())
        except UnicodeDecodeError:
            other_at.append(match.start())
    if utf8_at and other_at:
        odd, odd_name = ((utf8_at, "UTF-8") if len(utf8_at) <= len(other_at)
                         else (other_at, "Windows-1252"))
        numbers = sorted(set(line_of(ends, odd)))
        raise ReadError("Filen blander to tegnsæt: det meste er "
                        f"{'Windows-1252' if odd_name == 'UTF-8' else 'UTF-8'}, men "
                        f"{'linje' if len(numbers) == 1 else 'linjerne'} {lines(numbers)} er "
                        f"{odd_name}. Æ, ø og å ville blive gemt forkert. Gem hele filen i ét "
                        "tegnsæt (helst UTF-8) og prøv igen.")
    try:
        codecs.decode(data, "cp1252")
    except UnicodeDecodeError as exc:
        raise ReadError("Filens tegnsæt kan ikke læses (linje "
                        f"{line_of(ends, [exc.start])[0]}). Gem filen som CSV i UTF-8 eller "
                        "Windows-1252.") from None
    return "cp1252"


# -- 4. parsing -------------------------------------------------------------------------------

def sniff_separator(header_line: str) -> str:
    """``;`` (Danish Excel) or ``,``: whichever occurs more often in the header line."""
    return ";" if header_line.count(";") >= header_line.count(",") and ";" in header_line \
        else ","


def _text_lines(data: bytes, encoding: str) -> Iterator[str]:
    """The decoded lines of ``data`` with their line ends (for ``csv.reader``), one at a time."""
    start, end_of_data = 0, len(data)
    while start < end_of_data:
        end = data.find(b"\n", start)
        end = end_of_data if end < 0 else end + 1
        yield data[start:end].decode(encoding)
        start = end


class FrameBuilder:
    """Collects rows (header first) into a frame of strings chunk by chunk."""

    def __init__(self, limits: ImportLimits) -> None:
        self.limits = limits
        self.header: list[str] | None = None
        self.chunks: list[pl.DataFrame] = []
        self.rows: list[list[str]] = []
        self.numbers: list[int] = []

    def add(self, number_: int, cells: list[str]) -> None:
        if len(cells) > self.limits.max_columns and any(c.strip() for c in
                                                         cells[self.limits.max_columns:]):
            raise ReadError(f"Række {number(number_)} har {len(cells)} kolonner; der kan højst "
                            f"være {self.limits.max_columns}. Er det den rigtige fil?")
        if self.header is None:
            if not any(c.strip() for c in cells):
                raise ReadError("Filen er tom." if number_ == 1 else
                                "Første række skal være overskrifterne.")
            self.header = [c.strip().lstrip("\ufeff").strip().lower()
                           for c in cells[:self.limits.max_columns]]
            return
        cells = [c.strip() for c in cells]
        width = len(self.header)
        if len(cells) > width:
            if any(cells[width:]):
                raise ReadError(f"Række {number(number_)} har flere udfyldte felter end "
                                "overskriftsrækken. Tjek skilletegnet (; eller ,) og "
                                "anførselstegn i rækken.")
            cells = cells[:width]
        if not any(cells):
            return
        self.rows.append(cells + [""] * (width - len(cells)))
        self.numbers.append(number_)
        if len(self.rows) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        assert self.header is not None
        columns = list(zip(*self.rows, strict=True))
        data = {f"c{j}": list(col) for j, col in enumerate(columns)}
        data[ROW] = self.numbers
        schema = {f"c{j}": pl.Utf8 for j in range(len(self.header))} | {ROW: pl.Int64}
        self.chunks.append(pl.DataFrame(data, schema=schema))
        self.rows, self.numbers = [], []

    def frame(self) -> pl.DataFrame:
        if self.header is None:
            raise ReadError("Filen er tom.")
        self._flush()
        schema = {f"c{j}": pl.Utf8 for j in range(len(self.header))} | {ROW: pl.Int64}
        raw = pl.concat(self.chunks) if self.chunks else pl.DataFrame(schema=schema)
        keep = [j for j, name in enumerate(self.header)
                if name or raw.height and (raw[f"c{j}"] != "").any()]
        names: list[str] = []
        for j in keep:
            name = self.header[j] or f"kolonne_{j + 1}"
            while name in names or name == ROW:
                name += "_"
            names.append(name)
        frame = raw.select([pl.col(f"c{j}").alias(n) for j, n in zip(keep, names, strict=True)]
                           + [pl.col(ROW)])
        refuse_control_cells(frame)
        return frame


def refuse_control_cells(frame: pl.DataFrame) -> None:
    """Control characters inside cells (C0 incl. tab, C1) are refused, naming the rows."""
    columns = [c for c in frame.columns if c != ROW]
    if not columns or frame.height == 0:
        return
    bad = frame.filter(pl.any_horizontal(pl.col(c).str.contains(CONTROL_CHARS)
                                         for c in columns))
    if bad.height:
        rows = bad[ROW].head(10).to_list()
        raise ReadError("Filen indeholder styretegn (usynlige tegn som tabulator eller NUL) i "
                        f"{'række' if len(rows) == 1 else 'rækkerne'} "
                        f"{lines(rows, total=bad.height, noun=('række', 'rækker'))}. "
                        "Fjern dem og prøv igen.")


def read_csv_bytes(data: bytes, limits: ImportLimits | None = None) -> pl.DataFrame:
    limits = limits or ImportLimits()
    check_size(len(data), limits)
    if not data.strip(b" \r\n\t\xef\xbb\xbf"):
        raise ReadError("Filen er tom.")
    if data.startswith(_BINARY_MAGIC):
        raise ReadError("Filen er ikke en CSV-fil (den indeholder binære data).")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    ends = check_csv_bytes(data, limits)
    encoding = detect_encoding(data, ends)
    if encoding == "utf-8":  # C1 control characters (U+0080–U+009F) are \xc2\x80–\xc2\x9f
        hits = [m.start() for _, m in zip(range(10), _C1_UTF8.finditer(data), strict=False)]
        if hits:
            raise ReadError("Filen indeholder styretegn (usynlige tegn), som ikke kan stå i en "
                            f"CSV-fil: {_line_word(len(hits)).lower()} "
                            f"{lines(line_of(ends, hits))}. Fjern dem og prøv igen.")
    first_end = data.find(b"\n")
    first_line = data[:first_end if first_end >= 0 else len(data)].decode(encoding)
    separator = sniff_separator(first_line)
    builder = FrameBuilder(limits)
    try:
        for i, cells in enumerate(csv.reader(_text_lines(data, encoding), delimiter=separator)):
            builder.add(i + 1, cells)
    except csv.Error:
        raise ReadError("CSV-filen kan ikke læses (et anførselstegn er ikke lukket, eller en "
                        "celle er for lang).") from None
    return builder.frame()


# -- XLSX -------------------------------------------------------------------------------------

def check_xlsx_archive(data: bytes, limits: ImportLimits) -> None:
    """Before openpyxl sees the file: unpacked size from the central directory, rows per sheet.

    ``zipfile`` never reads more than an entry's declared size (a lying entry fails its CRC),
    so checking the declared sizes bounds what openpyxl can unpack.
    """
    check_size(len(data), limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ReadError("Filen er ikke en gyldig Excel-fil (.xlsx).") from None
    unpacked = sum(e.file_size for e in entries)
    if len(entries) > 10_000 or unpacked > limits.max_unpacked_bytes:
        raise ReadError(f"Excel-filen fylder {size(unpacked)} udpakket; der kan højst indlæses "
                        f"{size(limits.max_unpacked_bytes)}. Gem store udtræk som CSV, eller "
                        "del filen op.")
    sheets = [e for e in entries if e.filename.startswith("xl/worksheets/")
              and e.filename.endswith(".xml")]
    if not sheets:
        raise ReadError("Filen er ikke en gyldig Excel-fil (.xlsx).")
    max_rows = min(limits.max_rows, limits.max_xlsx_rows)
    for entry in sheets:
        rows = count_sheet_rows(archive, entry, limit=max_rows + 1)
        if rows > max_rows + 1:
            raise ReadError(f"Excel-arket har over {number(max_rows)} rækker; der kan højst "
                            f"indlæses {number(max_rows)} ad gangen fra Excel. Gem store "
                            "udtræk som CSV, eller del filen op.")


def count_sheet_rows(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, *, limit: int) -> int:
    """Rows of one sheet: its ``<dimension>`` if that already says too many, else a streaming
    count of ``<row>`` elements that stops as soon as it passes ``limit``."""
    counted = 0
    tail = b""
    try:
        with archive.open(entry) as stream:
            first = True
            while block := stream.read(_READ_BLOCK):
                if first:
                    first = False
                    dimension = _DIMENSION.search(block[:4096])
                    if dimension and int(dimension.group(1)) > limit:
                        return int(dimension.group(1))
                buffer = tail + block
                cut = max(0, len(buffer) - 16)
                counted += sum(1 for m in _SHEET_ROW.finditer(buffer, 0, len(buffer))
                               if m.start() < cut)
                tail = buffer[cut:]
                if counted > limit:
                    return counted
            counted += len(_SHEET_ROW.findall(tail))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise ReadError("Filen er ikke en gyldig Excel-fil (.xlsx).") from None
    return counted


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


def read_xlsx_bytes(data: bytes, limits: ImportLimits | None = None) -> pl.DataFrame:
    from openpyxl import load_workbook

    limits = limits or ImportLimits()
    if not data.startswith(b"PK"):
        raise ReadError("Filen er ikke en gyldig Excel-fil (.xlsx).")
    check_xlsx_archive(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        raise ReadError("Filen er ikke en gyldig Excel-fil (.xlsx).") from None
    builder = FrameBuilder(limits)
    try:
        sheet = workbook.worksheets[0]
        for i, row in enumerate(sheet.iter_rows(values_only=True)):
            builder.add(i + 1, [_cell_text(v) for v in row])
    except ReadError:
        raise
    except Exception:  # noqa: BLE001 - a broken sheet part (bad XML, failed CRC)
        raise ReadError("Filen er ikke en gyldig Excel-fil (.xlsx).") from None
    finally:
        workbook.close()
    return builder.frame()


def read_table(path: Path | str, data: bytes | None = None, *,
               limits: ImportLimits | None = None) -> pl.DataFrame:
    """Read ``path`` (or ``data`` named like ``path``) as CSV or XLSX, chosen by the suffix."""
    limits = limits or ImportLimits()
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise ReadError(f"Filtypen '{suffix or '(ingen)'}' kan ikke indlæses. "
                        "Brug en CSV-fil (.csv) eller en Excel-fil (.xlsx).")
    if data is None:
        try:
            check_size(path.stat().st_size, limits)  # before a single byte is read
            data = path.read_bytes()
        except OSError:
            raise ReadError(f"Filen {path.name} kan ikke åbnes.") from None
    check_size(len(data), limits)
    if suffix in XLSX_SUFFIXES or data.startswith(b"PK\x03\x04"):
        return read_xlsx_bytes(data, limits)  # also an Excel file saved with a .csv name
    return read_csv_bytes(data, limits)
