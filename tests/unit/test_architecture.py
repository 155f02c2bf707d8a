"""Imports go one way: pages → indicators → (nothing of the store); data_access never imports
streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "indicators": {"streamlit", "sqlmodel", "sqlalchemy", "data_access", "ui", "pages"},
    "data_access": {"streamlit", "ui", "pages"},
    "charts": {"streamlit", "sqlmodel", "sqlalchemy", "data_access"},
    "core": {"streamlit", "sqlalchemy", "sqlmodel", "indicators"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_forbidden_layers(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if imported_roots(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_pages_stay_thin() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines())
             for p in (ROOT / "pages").glob("*.py")}
    assert all(n <= 150 for n in sizes.values()), sizes
