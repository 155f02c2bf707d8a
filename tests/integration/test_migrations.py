"""Alembic migrations: head equals the models, upgrades keep the data, the app sees a stale schema.

Every model change therefore needs a migration (``alembic revision --autogenerate``), or
``test_head_matches_the_models`` fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from streamlit.testing.v1 import AppTest

from data_access.db import (
    BASELINE_REVISION,
    BASELINE_TABLES,
    create_schema,
    drop_schema,
    head_revision,
    import_model_modules,
    schema_status,
)
from demo.generator import DemoSpec, generate
from tests.conftest import require
from tests.support.postgres import postgres_available, throwaway_postgres

APP = str(Path(__file__).resolve().parents[2] / "app.py")
BEHIND = "Databasens skema er ikke opdateret. Kør: python manage.py migrate"


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[str]:
    """A PostgreSQL of this module only (the shared one holds the session's demo store)."""
    require(postgres_available())
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh engine on an empty store (NullPool: nothing lingers between tests)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        url = request.getfixturevalue("own_postgres")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    drop_schema(engine)
    yield engine
    drop_schema(engine)
    engine.dispose()


def counts(engine: Engine, names: list[str]) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(sa.select(sa.func.count()).select_from(
            SQLModel.metadata.tables[name])).scalar_one() for name in names}


def test_head_matches_the_models(empty_engine: Engine) -> None:
    import_model_modules()
    create_schema(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], "models changed without a migration: alembic revision --autogenerate"
    assert schema_status(empty_engine) == (head_revision(), head_revision())


def test_upgrading_a_baseline_store_keeps_every_row(empty_engine: Engine) -> None:
    create_schema(empty_engine, revision=BASELINE_REVISION)
    assert schema_status(empty_engine)[0] == BASELINE_REVISION
    written: set[str] = set()
    with empty_engine.begin() as conn:
        # The Aabenraa-like municipality alone: the other programmes' data needs later tables.
        for table_name, rows in generate(DemoSpec(scale=0.25, years=1, other_programmes=False)):
            assert table_name in BASELINE_TABLES
            conn.execute(sa.insert(SQLModel.metadata.tables[table_name]), rows)
            written.add(table_name)
    names = sorted(written | {"data_version"})
    before = counts(empty_engine, names)
    assert before["assessment"] > 1000
    create_schema(empty_engine)
    assert counts(empty_engine, names) == before
    assert schema_status(empty_engine) == (head_revision(), head_revision())


def test_a_store_made_before_migrations_is_adopted(empty_engine: Engine) -> None:
    """``create_all`` stores (before Alembic) get stamped at the baseline and upgraded."""
    # The tables as they were then (the baseline revision), without Alembic's bookkeeping;
    # today's models would already hold the columns later revisions add.
    create_schema(empty_engine, revision=BASELINE_REVISION)
    with empty_engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
        conn.execute(sa.delete(SQLModel.metadata.tables["data_version"]))
        conn.execute(sa.insert(SQLModel.metadata.tables["data_version"]).values(id=1, version=7))
    create_schema(empty_engine)
    assert schema_status(empty_engine) == (head_revision(), head_revision())
    assert counts(empty_engine, ["data_version"]) == {"data_version": 1}


def test_an_empty_store_is_behind(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert schema_status(engine) == (None, head_revision())


@pytest.mark.parametrize("revision", [None, BASELINE_REVISION])
def test_the_app_refuses_to_start_on_a_stale_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, revision: str | None
) -> None:
    url = f"sqlite:///{tmp_path / 'stale.sqlite'}"
    if revision is not None:
        create_schema(sa.create_engine(url), revision=revision)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEMO_MODE", "1")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert [e.value for e in at.error] == [BEHIND]
    assert not at.text_input  # no login form: nothing else ran
