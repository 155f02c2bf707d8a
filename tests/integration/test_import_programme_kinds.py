"""Imports of the programme data kinds (sprogvurderinger, ressourcepladser, støtteplaceringer)
into a real SQLite copy of the small demo: the templates import, bad files are refused in Danish
and leave every table as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from core.model_config import load_programmes
from data_access.db import get_engine
from demo.generator import DemoSpec
from imports.kinds import EXAMPLE_MARK
from imports.load import import_file
from imports.templates import template_csv
from indicators.registry import COMPUTATIONS
from pipeline.demo_store import build_demo_store

CONFIG = load_programmes(Path("config.toml"), computations=COMPUTATIONS)
NEW_KINDS = ("language_assessments", "resource_places", "placements")


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.sqlite"
    engine = get_engine(f"sqlite:///{path}")
    build_demo_store(engine, CONFIG, DemoSpec(scale=0.25, years=1, other_programmes=False))
    engine.dispose()
    return path


@pytest.fixture
def store(seed: Path, tmp_path: Path) -> sa.Engine:
    target = tmp_path / "store.sqlite"
    with sqlite3.connect(seed) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return get_engine(f"sqlite:///{target}")


def dump(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {t.name: conn.execute(sa.select(t).order_by(t.c.id)).all()
                for t in SQLModel.metadata.sorted_tables}


def run(engine: sa.Engine, kind: str, path: Path):  # type: ignore[no-untyped-def]
    return import_file(engine, CONFIG, kind, path, username="test")


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_the_template_imports_and_a_second_import_changes_nothing(
    store: sa.Engine, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"{kind}.csv"
    # the template's example rows, filled in: the mark that makes them refused is removed
    path.write_bytes(template_csv(kind).replace(f"{EXAMPLE_MARK} ".encode(), b""))
    result = run(store, kind, path)
    assert result.ok, result.errors
    assert (result.new, result.updated) == (2, 0)
    again = run(store, kind, path)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)


def test_imported_rows_are_stored_with_codes_resolved_and_values_normalised(
    store: sa.Engine, tmp_path: Path
) -> None:
    for kind, body in {
        "language_assessments": "child_id;institution_code;assessed_on;age_years;language_group\n"
                                "B0000001;580-001;15.09.2026;3;Særlig indsats\n",
        "resource_places": "institution_code;places;valid_from;valid_to\n"
                           "580-002;4;01.08.2025;\n",
        "placements": "child_id;institution_code;offer;placed_from;placed_to\n"
                      "B0000002;580-001;lokal støtte;01.10.2026;31.12.2026\n",
    }.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(body, encoding="utf-8")
        assert run(store, kind, path).ok
    with store.connect() as conn:
        language = conn.execute(sa.text(
            "SELECT c.code, o.code, l.age_years, l.language_group FROM language_assessment l "
            "JOIN child c ON c.id = l.child_id JOIN org_unit o ON o.id = l.institution_id")).all()
        places = conn.execute(sa.text(
            "SELECT o.code, r.places, r.valid_from, r.valid_to FROM resource_places r "
            "JOIN org_unit o ON o.id = r.institution_id")).all()
        placement = conn.execute(sa.text(
            "SELECT c.code, p.offer, p.placed_from, p.placed_to FROM support_placement p "
            "JOIN child c ON c.id = p.child_id")).all()
    assert language == [("B0000001", "580-001", 3, "saerlig")]
    assert places == [("580-002", 4, "2025-08-01", None)]
    assert placement == [("B0000002", "lokal_stoette", "2026-10-01", "2026-12-31")]


BAD_FILES = {
    "unknown language group": (
        "language_assessments",
        "child_id;institution_code;assessed_on;age_years;language_group\n"
        "B0000001;580-001;15.09.2026;3;generel\n"
        "B0000002;580-001;15.09.2026;3;middel\n", "language_group"),
    "age out of range": (
        "language_assessments",
        "child_id;institution_code;assessed_on;age_years;language_group\n"
        "B0000001;580-001;15.09.2026;12;generel\n", "age_years"),
    "a CPR number instead of a pseudonym": (
        "placements",
        "child_id;institution_code;offer;placed_from;placed_to\n"
        "010203-1234;580-001;ressourceplads;01.09.2026;\n", "child_id"),
    "unknown offer": (
        "placements",
        "child_id;institution_code;offer;placed_from;placed_to\n"
        "B0000001;580-001;privat;01.09.2026;\n", "offer"),
    "negative places": (
        "resource_places",
        "institution_code;places;valid_from;valid_to\n"
        "580-001;-2;01.08.2025;\n", "places"),
    "unknown daycare": (
        "resource_places",
        "institution_code;places;valid_from;valid_to\n"
        "999-001;3;01.08.2025;\n", "institution_code"),
    "missing column": (
        "resource_places",
        # a column the file lacks is named by its Danish header (the file names no spelling)
        "institution_code;valid_from\n580-001;01.08.2025\n", "antal pladser"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_refused_in_danish_and_leaves_every_table_as_it_was(
    store: sa.Engine, tmp_path: Path, case: str
) -> None:
    kind, body, column = BAD_FILES[case]
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    before = {k: v for k, v in dump(store).items() if k != "audit_event"}
    result = run(store, kind, path)
    assert not result.ok
    assert column in {e.column for e in result.errors}, result.errors
    text = " ".join(e.message for e in result.errors)
    # Danish: the messages use the product's words, never an English exception text.
    assert any(word in text.lower() for word in ("værdi", "kolonne", "ukendt", "mindst",
                                                  "tilladt", "mangler", "findes")), text
    assert "Traceback" not in text and "Error" not in text
    assert {k: v for k, v in dump(store).items() if k != "audit_event"} == before
