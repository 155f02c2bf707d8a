"""Shared fixtures: the change model, a small real demo store on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from core.model_config import ChangeModelConfig, load_programmes
from core.settings import CONFIG_PATH
from data_access.db import get_engine
from demo.generator import DemoSpec
from indicators.registry import COMPUTATIONS
from pipeline.demo_store import build_demo_store
from tests.support.browser import chromium_available
from tests.support.postgres import postgres_available, throwaway_postgres

IN_CI = os.environ.get("CI") == "true"
TIERS = {"unit": "unit", "integration": "store", "app": "app", "e2e": "browser"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tier markers (pyproject.toml): by directory under tests/, ``unit`` for the doctests of
    the pure layers, and ``postgres`` / ``browser`` for any test that uses their fixtures."""
    tests_dir = Path(__file__).resolve().parent
    for item in items:
        path = Path(str(item.path)).resolve()
        if isinstance(item, pytest.DoctestItem):
            item.add_marker("unit")
        elif path.is_relative_to(tests_dir):
            tier = TIERS.get(path.relative_to(tests_dir).parts[0])
            if tier is not None:
                item.add_marker(tier)
        names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        if names & {"postgres_url", "postgres_demo"} or (
                callspec is not None and "postgresql" in callspec.params.values()):
            item.add_marker("postgres")
        if "browser_ready" in names:
            item.add_marker("browser")
SMALL_DEMO = DemoSpec(scale=0.25, years=2)


def require(reason: str | None) -> None:
    """Skip when a real part is missing, but fail in CI: there it must be present."""
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"Påkrævet i CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def config() -> ChangeModelConfig:
    return load_programmes(CONFIG_PATH, computations=COMPUTATIONS)


@pytest.fixture(scope="session")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory, config: ChangeModelConfig) -> str:
    """URL of a small demo store in a real SQLite file (built once per test session)."""
    path = tmp_path_factory.mktemp("store") / "demo.sqlite"
    url = f"sqlite:///{path}"
    build_demo_store(get_engine(url), config, SMALL_DEMO)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    require(postgres_available())
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_demo(postgres_url: str, config: ChangeModelConfig) -> str:
    build_demo_store(get_engine(postgres_url), config, SMALL_DEMO)
    return postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_engine(request: pytest.FixtureRequest) -> Engine:
    """The small demo store, on SQLite and on PostgreSQL."""
    fixture = "sqlite_demo" if request.param == "sqlite" else "postgres_demo"
    return get_engine(request.getfixturevalue(fixture))


@pytest.fixture(scope="session")
def browser_ready() -> None:
    require(chromium_available())


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent
