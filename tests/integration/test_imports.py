"""Imports into a real SQLite store and a real PostgreSQL: every kind's template, bad files change
nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from core.model_config import load_programmes
from data_access.db import data_version
from imports.kinds import EXAMPLE_MARK, KINDS
from imports.load import import_file
from imports.templates import template_csv, template_xlsx
from indicators.registry import COMPUTATIONS
from tests.support.import_store import dump

CONFIG = load_programmes(Path("config.toml"), computations=COMPUTATIONS)
DERIVED = {"indicator_value", "audit_event", "data_version", "import_lock"}


def run(engine: sa.Engine, kind: str, path: Path):  # type: ignore[no-untyped-def]
    return import_file(engine, CONFIG, kind, path, username="test")


def filled_in(kind: str, fmt: str) -> bytes:
    """The template as an admin fills it in: the example rows kept, their EKSEMPEL mark removed."""
    if fmt == "csv":
        return template_csv(kind).replace(f"{EXAMPLE_MARK} ".encode(), b"")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template_xlsx(kind)))
    for row in book.worksheets[0].iter_rows(min_row=2):
        row[0].value = row[0].value.removeprefix(f"{EXAMPLE_MARK} ")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unchanged_template_is_refused_and_changes_nothing(
        store: sa.Engine, tmp_path: Path, kind: str, fmt: str) -> None:
    path = tmp_path / f"{kind}.{fmt}"
    path.write_bytes(template_csv(kind) if fmt == "csv" else template_xlsx(kind))
    before = dump(store)
    result = run(store, kind, path)
    first_header = KINDS[kind].columns[0].header
    assert [(e.row, e.column) for e in result.errors] == [
        (n + 2, first_header) for n in range(len(KINDS[kind].examples))]
    assert all("eksempel fra skabelonen" in e.message for e in result.errors)
    assert dump(store) == before


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_imports(store: sa.Engine, tmp_path: Path, kind: str, fmt: str) -> None:
    path = tmp_path / f"{kind}.{fmt}"
    path.write_bytes(filled_in(kind, fmt))
    version = data_version(store)
    result = run(store, kind, path)
    assert result.ok, result.errors
    examples = KINDS[kind].examples
    assert result.new + result.updated + result.unchanged == len(examples)
    assert result.new >= 1
    assert data_version(store) > version
    table = SQLModel.metadata.tables[KINDS[kind].table]
    with store.connect() as conn:
        events = conn.execute(sa.text("SELECT action, detail FROM audit_event "
                                      "WHERE action = 'import'")).all()
        count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    assert count and events and kind in events[-1][1]
    again = run(store, kind, path)
    assert again.ok and again.new == 0 and again.updated == 0
    assert again.unchanged == len(examples)


def test_assessment_rows_stored(store: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(filled_in("assessments", "csv"))
    assert run(store, "assessments", path).ok
    with store.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT a.position, a.score_social, a.score_physical, o.code FROM assessment a "
            "JOIN child c ON c.id = a.child_id JOIN org_unit o ON o.id = a.institution_id "
            "WHERE c.code = 'B0000002' AND a.assessed_on = :d"), {"d": "2026-11-24"}).one()
    assert row == ("yellow", 3, None, "580-001")


def test_org_units_get_paths(store: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_bytes(filled_in("org_units", "csv"))
    assert run(store, "org_units", path).ok
    with store.connect() as conn:
        parent, child = conn.execute(sa.text(
            "SELECT p.path, c.path FROM org_unit c JOIN org_unit p ON p.id = c.parent_id "
            "WHERE c.code = '580-901'")).one()
    assert child.startswith(parent) and child.count("/") == parent.count("/") + 1


HEADER = "child_id;institution_code;assessed_on;position\n"


def _bad_inputs() -> dict[str, tuple[str, bytes]]:
    return {
        "empty": ("a.csv", b""),
        "only_header": ("a.csv", HEADER.encode()),
        "wrong_separator": ("a.csv", HEADER.replace(";", "\t").encode()
                            + b"B0000001\t580-001\t20.11.2026\tgr\xc3\xb8n\n"),
        "unknown_institution": ("a.csv", (HEADER + "B0000001;580-999;20.11.2026;grøn\n").encode()),
        "unknown_child": ("a.csv", (HEADER + "B9999999;580-001;20.11.2026;grøn\n").encode()),
        "impossible_date": ("a.csv", (HEADER + "B0000001;580-001;31.02.2026;grøn\n").encode()),
        "too_old_date": ("a.csv", (HEADER + "B0000001;580-001;31.12.1999;grøn\n").encode()),
        "duplicates": ("a.csv", (HEADER + "B0000001;580-001;20.11.2026;grøn\n"
                                 "B0000001;580-001;2026-11-20;gul\n").encode()),
        "misspelt_position": ("a.csv", (HEADER + "B0000001;580-001;20.11.2026;grå\n").encode()),
        "score_out_of_range": ("a.csv", (HEADER.strip() + ";score_social\n"
                                         "B0000001;580-001;20.11.2026;grøn;7\n").encode()),
        "png": ("a.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        "png_named_png": ("a.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
        "random_xlsx": ("a.xlsx", bytes(range(256)) * 8),
    }


@pytest.mark.parametrize("case", list(_bad_inputs()))
def test_bad_input_changes_nothing(store: sa.Engine, tmp_path: Path, case: str) -> None:
    name, data = _bad_inputs()[case]
    path = tmp_path / name
    path.write_bytes(data)
    before = dump(store)
    result = run(store, "assessments", path)
    assert not result.ok
    assert all(e.message for e in result.errors)
    assert dump(store) == before


def test_error_rows_and_columns(store: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "B0000001;580-001;20.11.2026;grøn\n"
                    "B0000002;580-001;31.02.2026;grå\n", encoding="utf-8")
    errors = run(store, "assessments", path).errors
    assert {(e.row, e.column) for e in errors} == {(3, "assessed_on"), (3, "position")}
    assert any("grå" in e.message for e in errors)


def test_windows_1252_text(store: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    text = "code;name;level;parent_code\r\n580-950;Børnehuset Ærø Ålykke;dagtilbud;580-N\r\n"
    path.write_bytes(text.encode("cp1252"))
    result = run(store, "org_units", path)
    assert result.ok, result.errors
    with store.connect() as conn:
        name = conn.execute(sa.text("SELECT name FROM org_unit WHERE code = '580-950'")).scalar()
    assert name == "Børnehuset Ærø Ålykke"


def test_comma_separator_bom_and_trailing_empties(store: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffchild_id,institution_code,assessed_on,position,,\n"
                     "B0000001,580-001,23-11-2026,RED,,\n,,,,,\n,,,,,\n".encode())
    result = run(store, "assessments", path)
    assert result.ok, result.errors
    assert result.new == 1


def test_large_file_with_one_bad_row(store: sa.Engine, tmp_path: Path) -> None:
    with store.connect() as conn:
        codes = conn.execute(sa.text("SELECT code FROM child ORDER BY id")).scalars().all()
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=k) for k in range(200_000 // len(codes) + 1)]
    lines = [HEADER]
    count = 0
    for day in days:
        for code in codes:
            if count == 199_999:
                break
            lines.append(f"{code};580-001;{day:%d.%m.%Y};grøn\n")
            count += 1
    lines.append("B0000001;580-001;01.01.2019;lilla\n")
    path = tmp_path / "big.csv"
    path.write_text("".join(lines), encoding="utf-8")
    before = dump(store)
    result = run(store, "assessments", path)
    assert [(e.row, e.column) for e in result.errors] == [(200_001, "position")]
    assert dump(store) == before


def test_idempotent_and_corrected_reimport(store: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "B0000001;580-001;20.11.2026;grøn\n"
                    "B0000002;580-001;20.11.2026;gul\n", encoding="utf-8")
    first = run(store, "assessments", path)
    assert (first.new, first.updated, first.unchanged) == (2, 0, 0)
    tables = dump(store, skip=DERIVED)
    second = run(store, "assessments", path)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 2)
    assert dump(store, skip=DERIVED) == tables
    path.write_text(HEADER + "B0000001;580-001;20.11.2026;grøn\n"
                    "B0000002;580-001;20.11.2026;rød\n", encoding="utf-8")
    third = run(store, "assessments", path)
    assert (third.new, third.updated, third.unchanged) == (0, 1, 1)
    with store.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT a.id, a.position FROM assessment a JOIN child c ON c.id = a.child_id "
            "WHERE c.code = 'B0000002' AND a.assessed_on = '2026-11-20'")).all()
    assert len(rows) == 1 and rows[0][1] == "red"
    old_ids = {r[0] for r in tables["assessment"]}
    assert rows[0][0] in old_ids
