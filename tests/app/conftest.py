"""The ``app`` fixture: a logged-in AppTest on the small demo store, on SQLite and on PostgreSQL
(the same deterministic demo data in both)."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    url = request.getfixturevalue("sqlite_demo" if request.param == "sqlite" else "postgres_demo")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEMO_MODE", "1")
    st.cache_resource.clear()
    st.cache_data.clear()

    def start(username: str = "leder", **query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        at.text_input[0].input(username)
        at.text_input[1].input("demo")
        at.button[0].click()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return start


