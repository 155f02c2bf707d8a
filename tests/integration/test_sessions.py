"""Server-side sessions on a real SQLite file: one-time grants, lifetimes, and the account as it
is now (deactivated, deleted and recreated, renamed, roles changed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_access.accounts import hash_password, upsert_account
from data_access.db import create_schema, get_engine
from data_access.models import UserAccount
from data_access.sessions import (
    GRANT_LIFETIME,
    Lifetime,
    end_session,
    end_sessions_of,
    load_session,
    redeem_grant,
    start_session,
)

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> Engine:
    engine = get_engine(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    create_schema(engine)
    with engine.begin() as conn:
        upsert_account(conn, username="karin", display_name="Karin", email="kj@kommune.dk",
                       password_hash=hash_password("x" * 12), roles=("leder",),
                       org_unit_codes=("580-N",))
    return engine


def login(store: Engine, at: dt.datetime = T0) -> str:
    _, grant = start_session(store, username="karin", now=at)
    token = redeem_grant(store, grant, now=at + dt.timedelta(seconds=1))
    assert token is not None
    return token


def test_a_grant_gives_one_cookie_once_and_only_within_a_minute(store: Engine) -> None:
    _, grant = start_session(store, username="karin", now=T0)
    assert redeem_grant(store, "forged", now=T0) is None
    token = redeem_grant(store, grant, now=T0)
    assert token and load_session(store, token=token, now=T0).username == "karin"
    assert redeem_grant(store, grant, now=T0) is None  # used
    _, late = start_session(store, username="karin", now=T0)
    assert redeem_grant(store, late, now=T0 + GRANT_LIFETIME + dt.timedelta(seconds=1)) is None


def test_a_session_ends_after_8_idle_hours_or_one_day_whatever_comes_first(
    store: Engine,
) -> None:
    life = Lifetime()
    token = login(store)
    assert load_session(store, token=token, lifetime=life, now=T0 + dt.timedelta(hours=7.9))
    # used at 7.9 h, so idle counts from there; at 16 h it is still alive
    assert load_session(store, token=token, lifetime=life, now=T0 + dt.timedelta(hours=15.8))
    assert load_session(store, token=token, lifetime=life,
                        now=T0 + dt.timedelta(hours=24, minutes=1)) is None  # absolute
    idle = login(store)
    assert load_session(store, token=idle, lifetime=life,
                        now=T0 + dt.timedelta(hours=8, minutes=1)) is None


def test_log_ud_ends_the_session_for_every_tab_that_uses_it(store: Engine) -> None:
    token = login(store)
    found = load_session(store, token=token, now=T0)
    end_session(store, session_id=found.session_id, now=T0)
    assert load_session(store, token=token, now=T0) is None
    assert load_session(store, session_id=found.session_id, now=T0) is None


def test_the_account_counts_as_it_is_now(store: Engine) -> None:
    t = UserAccount.__table__
    token = login(store)
    with store.begin() as conn:
        conn.execute(sa.update(t).where(t.c.username == "karin").values(roles="konsulent",
                                                                          org_unit_codes="580"))
    found = load_session(store, token=token, now=T0)
    assert found.roles == ("konsulent",) and found.org_unit_codes == ("580",)
    with store.begin() as conn:
        conn.execute(sa.update(t).where(t.c.username == "karin").values(active=False))
    assert load_session(store, token=token, now=T0) is None
    with store.begin() as conn:  # deleted and made again under the same name: a new person
        conn.execute(sa.delete(t).where(t.c.username == "karin"))
        upsert_account(conn, username="karin", display_name="Karin 2", email="k2@kommune.dk",
                       password_hash=hash_password("y" * 12), roles=("admin",),
                       org_unit_codes=("580",))
    assert load_session(store, token=token, now=T0) is None


def test_a_password_reset_ends_every_session_of_the_user(store: Engine) -> None:
    first, second = login(store), login(store)
    with store.begin() as conn:
        assert end_sessions_of(conn, username="karin", now=T0) == 2
    assert load_session(store, token=first, now=T0) is None
    assert load_session(store, token=second, now=T0) is None


def test_the_store_keeps_only_a_hash_of_the_cookie(store: Engine) -> None:
    token = login(store)
    with store.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash, grant_hash FROM login_session")).one()
    assert token not in stored[0] and stored[1] is None
