"""Login hardening: throttling kept in the store, unknown usernames, cookie keys."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st

from core.settings import Settings
from data_access.db import get_engine
from data_access.lockout import LockoutPolicy, is_locked, record_attempt
from demo.generator import DemoSpec
from pipeline.demo_store import build_demo_store
from ui import auth


@pytest.fixture
def store(tmp_path: Path, config, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'login.sqlite'}"
    build_demo_store(get_engine(url), config, DemoSpec(scale=0.1, years=1))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEMO_MODE", "1")
    st.cache_resource.clear()
    return get_engine(url)


POLICY = LockoutPolicy(minutes=15, max_failures=5)  # the shipped settings
MAX_FAILURES_PER_USER = POLICY.max_failures
LOCKED = auth.locked_message(15)


def try_login(username: str, password: str, client: str = "10.0.0.1") -> str | None:
    return auth.attempt_login(username, password, client)


def test_the_right_password_logs_in_and_a_wrong_one_gives_a_neutral_message(store) -> None:
    assert try_login("leder", "demo") is None
    assert try_login("leder", "forkert") == auth.WRONG
    assert try_login("findes-ikke", "demo") == auth.WRONG  # same words for unknown users


def test_five_failures_lock_the_username_for_15_minutes_even_with_the_right_password(
    store,
) -> None:
    for _ in range(MAX_FAILURES_PER_USER):
        assert try_login("leder", "forkert") == auth.WRONG
    assert try_login("leder", "demo") == LOCKED
    assert try_login("konsulent", "demo") is None  # other users are not affected
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    assert not is_locked(store, username="leder", client="10.0.0.1", policy=POLICY, now=later)


def test_unknown_usernames_are_locked_too_so_the_answer_reveals_nothing(store) -> None:
    for _ in range(MAX_FAILURES_PER_USER):
        try_login("gaet-et-navn", "x")
    assert try_login("gaet-et-navn", "x") == LOCKED


def test_one_client_address_is_throttled_across_usernames(store) -> None:
    for i in range(20):
        try_login(f"bruger{i}", "x", client="10.9.9.9")
    assert try_login("leder", "demo", client="10.9.9.9") == LOCKED
    assert try_login("leder", "demo", client="10.0.0.2") is None


def test_an_administrators_unlock_lifts_the_lockout(store) -> None:
    for _ in range(MAX_FAILURES_PER_USER):
        try_login("leder", "forkert")
    record_attempt(store, username="leder", client="", kind="unlock")
    assert try_login("leder", "demo") is None


def test_unknown_usernames_take_about_as_long_as_known_ones(store) -> None:
    def duration(username: str) -> float:
        started = time.perf_counter()
        try_login(username, "forkert", client=f"c-{username}-{time.time()}")
        return time.perf_counter() - started

    known = min(duration("styregruppe") for _ in range(2))
    unknown = min(duration("ingen-saadan") for _ in range(2))
    assert unknown > 0.5 * known  # both pay for a bcrypt check


def demo_settings(demo: bool) -> Settings:
    return Settings(database_url="sqlite://", demo_mode=demo, config_path=Path("config.toml"))


@pytest.mark.parametrize("key", ["", "kort", "change-me-change-me-change-me-change-me",
                                 "x" * 31])
def test_outside_demo_mode_a_missing_short_or_placeholder_key_stops_the_app(
    key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOKIE_KEY", key)
    with pytest.raises(auth.InsecureCookieKey, match="COOKIE_KEY"):
        auth.cookie_key(demo_settings(False))


def test_a_strong_key_is_used_and_demo_mode_may_run_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    strong = "k3Y-9f8a7d6c5b4a3f2e1d0c9b8a7f6e5d4c"
    monkeypatch.setenv("COOKIE_KEY", strong)
    assert auth.cookie_key(demo_settings(False)) == strong

def test_demo_mode_makes_a_random_key_on_first_run_and_keeps_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.setenv("COOKIE_KEY", "")
    key_file = tmp_path / "data" / "cookie_key"
    first = auth.cookie_key(demo_settings(True), demo_key_file=key_file)
    assert len(first) >= 48 and first == key_file.read_text()
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert auth.cookie_key(demo_settings(True), demo_key_file=key_file) == first
    other = auth.cookie_key(demo_settings(True), demo_key_file=tmp_path / "other" / "key")
    assert other != first  # every install its own key: nothing to forge from the repository


@pytest.mark.parametrize(("utc_moment", "danish"), [
    (dt.datetime(2026, 7, 1, 12, 5, tzinfo=dt.UTC), "01.07.2026 14:05:00"),   # summer
    (dt.datetime(2026, 1, 15, 13, 5, tzinfo=dt.UTC), "15.01.2026 14:05:00"),  # winter
])
def test_a_login_at_14_05_danish_time_shows_14_05_in_revisionslog(
    store, utc_moment: dt.datetime, danish: str,
) -> None:
    """Through the real Revisionslog page (AppTest as admin), on the day of the login."""
    from streamlit.testing.v1 import AppTest

    from data_access.models import AuditEvent

    with store.begin() as conn:
        conn.execute(sa.insert(AuditEvent.__table__).values(
            at=utc_moment, username="karin", action="login_ok", detail="klient 10.1.1.1"))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"),
                           default_timeout=60)
    at.run()
    at.text_input[0].input("admin")
    at.text_input[1].input("demo")
    at.button[0].click()
    at.run()
    at.switch_page("pages/admin_audit.py").run()
    day = utc_moment.date()
    at.date_input[0].set_value((day, day)).run()
    at.text_input[0].input("karin").run()
    table = at.dataframe[0].value
    assert list(table["Tidspunkt"]) == [danish]


def test_the_lockout_follows_the_settings(store, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """lockout_max_failures = 2 and lockout_minutes = 3 in config.toml: the login form obeys."""
    from core.settings import CONFIG_PATH

    config = tmp_path / "config.toml"
    config.write_text(CONFIG_PATH.read_text(encoding="utf-8").replace(
        "[app]\n", "[app]\nlockout_max_failures = 2\nlockout_minutes = 3\n", 1), encoding="utf-8")
    monkeypatch.setenv("CONFIG_PATH", str(config))
    st.cache_resource.clear()
    for _ in range(2):
        assert try_login("leder", "forkert") == auth.WRONG
    assert try_login("leder", "demo") == auth.locked_message(3)
    assert "spærret i 3 minutter" in auth.locked_message(3)
    policy = LockoutPolicy(minutes=3, max_failures=2)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4)
    assert not is_locked(store, username="leder", client="10.0.0.1", policy=policy, now=later)
    assert is_locked(store, username="leder", client="10.0.0.1", policy=POLICY,
                     now=dt.datetime.now(dt.UTC)) is False  # 2 < the default 5


def test_the_server_refuses_to_start_outside_demo_mode_without_a_strong_cookie_key(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'kommune.sqlite'}",
           "DEMO_MODE": "0", "COOKIE_KEY": "change-me"}
    done = subprocess.run([sys.executable, "-c", "import serve"], env=env,
                          cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "COOKIE_KEY mangler eller er for svag" in done.stderr
