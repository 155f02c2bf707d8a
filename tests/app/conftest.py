"""AppTest fixtures on the small demo store, on SQLite and on PostgreSQL (the same deterministic
demo data in both).

``app(username, **query)`` opens the app as ``username`` without the login form: it starts a real
session row in the store (``data_access.sessions.start_session``, as the form does after a right
password) and hands its id to the app the way the form does (``session_state["session_id"]``).
Every run then goes through the real ``ui.auth.login`` (session lookup, account, roles, scope);
only the typing and the bcrypt check are skipped. The password form itself is tested once per
store by ``app_via_form`` (tests/app/test_login_form.py).

``sqlite_app`` is the same on SQLite only (the role × page matrix). ``scoped_users`` adds
demo-like accounts scoped below the municipality to a store (tests/app/test_access.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from data_access.accounts import hash_password, upsert_account
from data_access.db import get_engine
from data_access.sessions import start_session
from demo.accounts import DEMO_PASSWORD

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[2] / "app.py")
# The key ui.auth.login keeps the session id under (set by the login form after a right password).
SESSION_ID_KEY = "session_id"

# Accounts scoped below the whole municipality, one per role, as an administrator would make them
# (the demo's own leder/konsulent/styregruppe see the whole municipality, so a leak matrix run
# with them alone could never fail). Admin is global by design: administrators manage every
# unit, so the demo's `admin` (scoped to the top unit) is the admin case.
SCOPED_USERS: dict[str, tuple[str, str]] = {  # username: (role, org unit code)
    "t-konsulent-omraade": ("konsulent", "580-S"),
    "t-konsulent-dagtilbud": ("konsulent", "580-003"),
    "t-styregruppe-omraade": ("styregruppe", "580-V"),
    "t-leder-omraade": ("leder", "580-Ø"),
    "t-leder-dagtilbud": ("leder", "580-006"),
}

Start = Callable[..., AppTest]


def _clear_caches() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()


def _fresh(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEMO_MODE", "1")
    _clear_caches()


def _new_app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def logged_in_as(url: str) -> Start:
    def start(username: str = "leder", **query: str) -> AppTest:
        session_id, _grant = start_session(get_engine(url), username=username, client="apptest")
        at = _new_app(**query)
        at.session_state[SESSION_ID_KEY] = session_id
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.session_state["viewer"].username == username
        return at

    return start


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The demo store of this parameter, set as the app's database (caches cleared)."""
    url = request.getfixturevalue("sqlite_demo" if request.param == "sqlite" else "postgres_demo")
    _fresh(url, monkeypatch)
    return str(url)


@pytest.fixture
def app(store_url: str) -> Start:
    """``app(username, **query)``: an AppTest logged in as ``username`` (a seeded session)."""
    return logged_in_as(store_url)


@pytest.fixture
def sqlite_app(sqlite_demo: str, monkeypatch: pytest.MonkeyPatch) -> Start:
    """``app`` on the SQLite demo store only."""
    _fresh(sqlite_demo, monkeypatch)
    return logged_in_as(sqlite_demo)


@pytest.fixture
def app_via_form(store_url: str) -> Start:
    """``app_via_form(username, password=…)``: logs in by typing into the login form."""

    def start(username: str = "leder", password: str = DEMO_PASSWORD, **query: str) -> AppTest:
        at = _new_app(**query)
        at.run()
        assert [t.value for t in at.text_input] == ["", ""]
        assert [t.label for t in at.text_input] == ["Brugernavn", "Adgangskode"]
        at.text_input[0].input(username)
        at.text_input[1].input(password)
        at.button[0].click()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return start


@pytest.fixture(scope="session")
def scoped_users(sqlite_demo: str) -> dict[str, tuple[str, str]]:
    """``SCOPED_USERS`` as accounts in the SQLite demo store (password ``demo``)."""
    password_hash = hash_password(DEMO_PASSWORD)
    with get_engine(sqlite_demo).begin() as conn:
        for username, (role, code) in SCOPED_USERS.items():
            upsert_account(conn, username=username, display_name=f"Test {role} {code}",
                           email=f"{username}@example.invalid", password_hash=password_hash,
                           roles=(role,), org_unit_codes=(code,))
    return SCOPED_USERS


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """The bytes behind every download button drawn while the fixture is active, by media file
    id (AppTest keeps them in a media store it throws away after each run)."""
    files: dict[str, bytes] = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        file_id = real(self, path_or_data, mimetype, kind, filename)
        files[file_id] = self.get_file(file_id).content
        return file_id

    real_deferred = MediaFileManager.add_deferred

    def keep_deferred(self, data_callable, *args, **kwargs):  # type: ignore[no-untyped-def]
        # A download made on click (a callable): make it now, as the click would, and keep
        # the bytes a user would get under the button's deferred id.
        file_id = real_deferred(self, data_callable, *args, **kwargs)
        data = data_callable()
        files[file_id] = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    monkeypatch.setattr(MediaFileManager, "add_deferred", keep_deferred)
    yield files
