"""PostgreSQL goes away and comes back: the app says so in Danish and recovers by itself; a
refresh cut off by the outage leaves the store exactly as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from streamlit.testing.v1 import AppTest

import pipeline.refresh as refresh_module
from data_access.db import DatabaseUnavailable, get_engine, is_outage
from pipeline.demo_store import build_demo_store
from tests.conftest import SMALL_DEMO, require
from tests.support.postgres import PostgresServer, postgres_available, throwaway_postgres_server

pytestmark = pytest.mark.postgres

APP = str(Path(__file__).resolve().parents[2] / "app.py")
DB_DOWN = "Databasen svarer ikke lige nu"


@pytest.fixture(scope="module")
def server(config) -> Iterator[PostgresServer]:  # type: ignore[no-untyped-def]
    """A demo store on a server of this module only: these tests stop and start it."""
    require(postgres_available())
    with throwaway_postgres_server() as pg:
        build_demo_store(get_engine(pg.url), config, SMALL_DEMO)
        yield pg
        get_engine(pg.url).dispose()


@pytest.fixture
def running(server: PostgresServer) -> Iterator[PostgresServer]:
    """The server, running at the start and again at the end of the test."""
    if not server.is_running():
        server.start()
    yield server
    if not server.is_running():
        server.start()


def snapshot(engine: Engine) -> dict[str, tuple]:
    """Rows and a checksum of the ids per table, and the data version."""
    result = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if "id" not in table.c:
                continue
            result[table.name] = tuple(conn.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(table.c.id), 0))
            ).one())
        result["version"] = tuple(conn.execute(
            sa.text("SELECT version FROM data_version")).one())
    return result


def texts(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.error, *at.warning, *at.info, *at.markdown])


def test_the_app_shows_a_danish_message_while_the_database_is_down_and_recovers(
    running: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", running.url)
    monkeypatch.setenv("DEMO_MODE", "1")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input[0].input("leder")
    at.text_input[1].input("demo")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert DB_DOWN not in texts(at)
    tiles_before = len([m for m in at.markdown if 'class="cm-tile"' in m.value])
    assert tiles_before > 0

    running.stop()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(DB_DOWN in e.value for e in at.error), texts(at)
    assert "Traceback" not in texts(at)

    running.start()
    at.run()  # the same app session: no restart, no new login
    assert not at.exception, [e.value for e in at.exception]
    assert DB_DOWN not in texts(at)
    assert len([m for m in at.markdown if 'class="cm-tile"' in m.value]) == tiles_before


def test_a_refresh_cut_off_by_an_outage_changes_nothing(
    running: PostgresServer, config, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    engine = get_engine(running.url)
    before = snapshot(engine)
    original = refresh_module.bump_data_version
    calls = []

    def lose_the_server_after_the_write(conn):  # type: ignore[no-untyped-def]
        # The values are written (deleted and copied in) inside the refresh's transaction.
        calls.append(tuple(conn.execute(sa.text(
            "SELECT count(*), coalesce(sum(id), 0) FROM indicator_value")).one()))
        running.stop()
        return original(conn)

    monkeypatch.setattr(refresh_module, "bump_data_version", lose_the_server_after_the_write)
    with pytest.raises(sa.exc.DBAPIError) as info:
        refresh_module.refresh(engine, config)
    assert calls and calls[0][0] > 0
    assert calls[0] != before["indicator_value"]  # new rows (new ids) inside the transaction
    assert is_outage(info.value)

    running.start()
    assert snapshot(engine) == before


def test_every_connection_error_class_counts_as_an_outage() -> None:
    lost = sa.exc.DBAPIError("SELECT 1", {}, Exception("server closed the connection"),
                             connection_invalidated=True)
    broken = sa.exc.DBAPIError("SELECT 1", {}, Exception("syntax error"))
    assert is_outage(DatabaseUnavailable("x"))
    assert is_outage(sa.exc.OperationalError("SELECT 1", {}, Exception("refused")))
    assert is_outage(sa.exc.InterfaceError("SELECT 1", {}, Exception("closed")))
    assert is_outage(lost)
    assert not is_outage(broken)
