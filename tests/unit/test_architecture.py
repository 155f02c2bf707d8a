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
    "ui": {"demo", "pages"},
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


def test_pages_never_touch_session_state() -> None:
    """Pages read their inputs through ui.context (current_viewer, current_filters, …)."""
    touching = sorted(p.name for p in (ROOT / "pages").glob("*.py")
                      if "session_state" in p.read_text(encoding="utf-8"))
    assert touching == []


def test_session_keys_are_written_only_through_ui_session() -> None:
    """App state lives behind ui/session.py. ui/filters.py only seeds its widgets' keys;
    ui/saved_views.py is moved over by its owner (issue 9)."""
    allowed = {"ui/session.py", "ui/saved_views.py", "ui/filters.py"}
    touching = sorted(str(p.relative_to(ROOT)) for folder in ("ui", "pages", "charts", "reports")
                      for p in (ROOT / folder).glob("*.py")
                      if "st.session_state[" in p.read_text(encoding="utf-8"))
    assert set(touching) <= allowed, set(touching) - allowed
