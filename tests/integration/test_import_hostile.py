"""Hostile and careless files, on SQLite and PostgreSQL: each is refused in Danish, within
seconds, and leaves every table exactly as it was."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.model_config import load_programmes
from core.settings import ImportLimits
from imports.load import import_file
from imports.templates import template_xlsx
from indicators.registry import COMPUTATIONS
from tests.support.import_store import dump

CONFIG = load_programmes(Path("config.toml"), computations=COMPUTATIONS)
LIMITS = ImportLimits()
HEADER = "barnekode;dagtilbudskode;vurderingsdato;position;score social\n"
GOOD = "B0000001;580-001;20.11.2026;grøn;4\n"
DANISH = ("æ", "ø", "å", "Filen", "Rækken", "Linje", "linje", "række", "Værdien", "Excel",
          "indlæs")


def zip_bomb(unpacked: int, *, rows: bool = True) -> bytes:
    """A small XLSX whose sheet XML unpacks to ``unpacked`` bytes (all in repeated rows)."""
    base = zipfile.ZipFile(io.BytesIO(template_xlsx("assessments")))
    out = io.BytesIO()
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>B0000001</t></is></c></row>'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in base.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, base.read(info))
                continue
            with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.'
                            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                block = (row if rows else b"<!-- padding padding padding -->") * 16_384
                for _ in range(unpacked // len(block) + 1):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def hostile_files() -> dict[str, tuple[str, bytes, str]]:
    """name → (file name, content, a word the Danish message must contain)."""
    utf8 = (HEADER + GOOD * 5).encode()
    cp1252_line = "B0000002;580-001;20.11.2026;rød;3\n".encode("cp1252")
    late_nul = HEADER.encode() + GOOD.encode() * 400 + b"B0000003;580-001;20.11.2026;gr\x00n;4\n"
    return {
        "mixed_encodings": ("a.csv", utf8 + cp1252_line + GOOD.encode(), "linje 7"),
        "late_nul": ("a.csv", late_nul, "linje 402"),
        "late_control_char": ("a.csv", late_nul.replace(b"\x00", b"\x07"), "linje 402"),
        "c1_control_in_utf8": ("a.csv", (HEADER + GOOD * 300 + "B0000003;580-001;20.11.2026;"
                                         "grøn\u0085;4\n").encode(), "linje 302"),
        "oversize": ("a.csv", (HEADER + GOOD * (LIMITS.max_bytes // len(GOOD) + 10)).encode(),
                     "200 MB"),
        "over_long_line": ("a.csv", (HEADER + GOOD + "B0000002;" + "x" * 5_000 + "\n"
                                     ).encode(), "Linje 3 er for lang"),
        "too_many_columns": ("a.csv", (HEADER.strip() + ";x" * 60 + "\n" + GOOD).encode(),
                             "kolonner"),
        "too_many_rows": ("a.csv", HEADER.encode() + b"\n" * (LIMITS.max_rows + 5), "rækker"),
        "zip_bomb": ("a.xlsx", zip_bomb(LIMITS.max_unpacked_bytes + 1_000_000, rows=False),
                     "udpakket"),
        "row_bomb": ("a.xlsx", zip_bomb(30_000_000), "rækker"),
    }


@pytest.fixture(scope="module")
def files() -> dict[str, tuple[str, bytes, str]]:
    return hostile_files()


@pytest.mark.parametrize("case", ["mixed_encodings", "late_nul", "late_control_char",
                                  "c1_control_in_utf8", "oversize", "over_long_line",
                                  "too_many_columns", "too_many_rows", "zip_bomb", "row_bomb"])
def test_hostile_file_is_refused_in_danish_quickly_and_changes_nothing(
        store: sa.Engine, tmp_path: Path, files, case: str) -> None:
    name, data, expected = files[case]
    path = tmp_path / name
    path.write_bytes(data)
    before = dump(store)
    started = time.perf_counter()
    result = import_file(store, CONFIG, "assessments", path, username="test")
    seconds = time.perf_counter() - started
    assert not result.ok
    message = result.errors[0].message
    assert expected in message, message
    assert any(word in message for word in DANISH)
    assert "Traceback" not in message and "Error" not in message
    assert seconds < 20, seconds  # a bound on runaway work, not a speed measurement
    assert dump(store) == before


def test_zip_bomb_is_tiny_but_unpacks_over_the_limit(files) -> None:
    data = files["zip_bomb"][1]
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert len(data) < 1_000_000 < LIMITS.max_unpacked_bytes < unpacked


def lying_xlsx(real_size: int, declared: int) -> bytes:
    """An XLSX whose sheet entry declares ``declared`` bytes but unpacks to ``real_size``."""
    base = zipfile.ZipFile(io.BytesIO(template_xlsx("assessments")))
    out = io.BytesIO()
    sheet = b"<worksheet><sheetData>" + b"<row/>" * (real_size // 6) + b"</sheetData></worksheet>"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in base.infolist():
            name = info.filename
            archive.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else base.read(info))
    data = bytearray(out.getvalue())
    entry = b"xl/worksheets/sheet1.xml"
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        pos = -1
        while (pos := data.find(signature, pos + 1)) >= 0:
            if data[pos + name_at:pos + name_at + len(entry)] == entry:
                data[pos + size_at:pos + size_at + 4] = declared.to_bytes(4, "little")
    return bytes(data)


def test_a_zip_entry_lying_about_its_size_is_refused(store: sa.Engine, tmp_path: Path) -> None:
    """The central directory says 'small', the stream is large: zipfile stops at the declared
    size and the CRC fails, so the file is refused as broken, not read to the end."""
    data = lying_xlsx(LIMITS.max_unpacked_bytes + 1_000_000, declared=1_000)
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) < 100_000
    path = tmp_path / "liar.xlsx"
    path.write_bytes(data)
    before = dump(store)
    started = time.perf_counter()
    result = import_file(store, CONFIG, "assessments", path, username="test")
    assert time.perf_counter() - started < 20
    assert not result.ok
    assert "Excel" in result.errors[0].message
    assert dump(store) == before


CPR_SHAPES = ["0101901234", "010190-1234", "010190 1234", "Barn 010190-1234", "B0101901234",
              "010190–1234"]


@pytest.mark.parametrize("shape", CPR_SHAPES)
@pytest.mark.parametrize(("kind", "header", "row"), [
    ("assessments", HEADER, "{v};580-001;20.11.2026;grøn;4\n"),
    ("assessments", HEADER, "B0000001;580-001;20.11.2026;grøn;{v}\n"),
    ("assessments", HEADER, "B0000001;580-001;{v};grøn;4\n"),
    ("org_units", "kode;navn;niveau;overordnet kode\n", "580-960;{v};dagtilbud;580-N\n"),
    ("family_attendance", "gruppekode;dagtilbudskode;dato;familiekode;mødt op\n",
     "{v};580-001;02.11.2026;F1;ja\n"),
    ("family_attendance", "gruppekode;dagtilbudskode;dato;familiekode;mødt op\n",
     "FG1;580-001;02.11.2026;{v};ja\n"),
    ("counselling_sessions", "dagtilbudskode;dato;faggrupper;samtaler med personale;"
     "samtaler med forældre\n", "580-001;24.11.2026;ppr,{v};1;1\n"),
    ("assessments", HEADER.strip() + ";note\n", "B0000001;580-001;20.11.2026;grøn;4;{v}\n"),
])
def test_cpr_numbers_are_refused_in_every_shape_and_column(
        store: sa.Engine, tmp_path: Path, shape: str, kind: str, header: str, row: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text(header + row.format(v=shape), encoding="utf-8")
    before = dump(store)
    result = import_file(store, CONFIG, kind, path, username="test")
    assert [e.row for e in result.errors] == [2], result.errors
    assert "CPR-nummer" in result.errors[0].message
    digits = "".join(ch for ch in shape if ch.isdigit())
    assert digits[:6] not in str(result.errors) and digits[-4:] not in str(result.errors)
    assert dump(store) == before
