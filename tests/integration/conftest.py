"""Fixtures for the import tests: ``store`` is a fresh copy of a small demo, on SQLite and on
PostgreSQL, for every test."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.model_config import ChangeModelConfig
from data_access.db import get_engine
from demo.generator import DemoSpec
from pipeline.demo_store import build_demo_store
from tests.support.import_store import create_database

IMPORT_DEMO = DemoSpec(scale=0.25, years=1)
_COPIES = count()


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory, config: ChangeModelConfig) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.sqlite"
    engine = get_engine(f"sqlite:///{path}")
    build_demo_store(engine, config, IMPORT_DEMO)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_seed(postgres_url: str, config: ChangeModelConfig) -> str:
    """A PostgreSQL database holding the small demo, the template of each test's copy."""
    url = create_database(postgres_url, "import_seed")
    engine = get_engine(url)
    build_demo_store(engine, config, IMPORT_DEMO)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, seed_store: Path, tmp_path: Path
          ) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        target = tmp_path / "store.sqlite"
        with sqlite3.connect(seed_store) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        engine = get_engine(f"sqlite:///{target}")
    else:
        seed = request.getfixturevalue("pg_seed")
        engine = get_engine(create_database(seed, f"import_copy_{next(_COPIES)}",
                                            template="import_seed"))
    yield engine
    engine.dispose()
