"""*Brugere* in AppTest: each action as an administrator does it, checked in the store and in the
audit log; and the forced password change after a temporary password."""

from __future__ import annotations

from pathlib import Path

import bcrypt
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access.accounts import load_account
from data_access.db import get_engine
from data_access.lockout import LockoutPolicy, is_locked, record_attempt
from data_access.models import AuditEvent
from data_access.session_models import LoginSession
from demo.generator import DemoSpec
from pipeline.demo_store import build_demo_store
from tests.app.test_pages import _hash

APP = str(Path(__file__).resolve().parents[2] / "app.py")
POLICY = LockoutPolicy(minutes=15, max_failures=5)


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory, config) -> str:
    """An own store: these tests change accounts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('users') / 'store.sqlite'}"
    build_demo_store(get_engine(url), config, DemoSpec(scale=0.1, years=1))
    return url


@pytest.fixture
def store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setenv("DEMO_MODE", "1")
    st.cache_resource.clear()
    st.cache_data.clear()
    return get_engine(store_url)


def log_in(username: str, password: str = "demo") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def users_page() -> AppTest:
    at = log_in("admin")
    at._page_hash = _hash("brugere")  # noqa: SLF001
    at.run()
    assert [t.value for t in at.title] == ["Brugere"]
    return at


def button(at: AppTest, label: str):  # noqa: ANN201
    return next(b for b in at.button if b.label == label)


def choose(at: AppTest, username: str) -> AppTest:
    at.selectbox(key="users_chosen").select(username)
    at.run()
    return at


def audit_details(engine: sa.Engine, actor: str = "admin") -> list[str]:
    t = AuditEvent.__table__
    with engine.connect() as conn:
        return list(conn.execute(sa.select(t.c.detail).where(
            t.c.action == "user_change", t.c.username == actor).order_by(t.c.id)).scalars())


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_create_gives_a_temporary_password_shown_once_that_must_be_changed(store) -> None:
    at = users_page()
    at.text_input(key="new_username").input("Karin")
    at.text_input(key="new_name").input("Karin Jensen")
    at.text_input(key="new_email").input("kj@kommune.dk")
    at.multiselect(key="new_roles").select("leder")
    at.multiselect(key="new_units").select("580-N")
    button(at, "Opret bruger").click()
    at.run()
    assert errors(at) == []
    account = load_account(store, "karin")
    assert account is not None
    assert (account.display_name, account.email, account.roles, account.org_unit_codes,
            account.active, account.must_change) == (
        "Karin Jensen", "kj@kommune.dk", ("leder",), ("580-N",), True, True)
    [shown] = [c.value for c in at.code]
    assert bcrypt.checkpw(shown.encode(), account.password_hash.encode())
    assert audit_details(store)[-1] == "oprettet karin roller=leder enheder=580-N"
    at.run()  # the next click: the password is not shown again
    assert [c.value for c in at.code] == []


def test_create_refuses_a_taken_email_and_keeps_the_store_as_it_was(store) -> None:
    before = audit_details(store)
    at = users_page()
    at.text_input(key="new_username").input("dobbelt")
    at.text_input(key="new_name").input("Dobbelt")
    at.text_input(key="new_email").input("LEDER@demo.invalid")  # the demo account leder's
    at.multiselect(key="new_roles").select("leder")
    at.multiselect(key="new_units").select("580-N")
    button(at, "Opret bruger").click()
    at.run()
    assert errors(at) == ["E-mailadressen bruges allerede af brugeren leder."]
    assert load_account(store, "dobbelt") is None
    assert audit_details(store) == before


def test_edit_changes_roles_and_units_picked_from_the_store(store) -> None:
    at = choose(users_page(), "institution")
    assert at.multiselect(key="edit_institution_units").options == list(
        at.multiselect(key="new_units").options)  # every unit of the store
    at.multiselect(key="edit_institution_roles").select("konsulent")
    at.multiselect(key="edit_institution_units").select("580-S")
    button(at, "Gem ændringer").click()
    at.run()
    assert errors(at) == []
    account = load_account(store, "institution")
    assert account is not None
    assert set(account.roles) == {"leder", "konsulent"}
    assert account.org_unit_codes[-1] == "580-S" and len(account.org_unit_codes) == 2
    assert audit_details(store)[-1].startswith("ændret institution roller=")


def test_deactivate_ends_the_users_sessions_and_reactivate_lets_them_in_again(store) -> None:
    other = log_in("konsulent")  # an open session of the user
    assert [b.label for b in other.sidebar.button] == ["Log ud"]
    at = choose(users_page(), "konsulent")
    button(at, "Deaktivér").click()
    at.run()
    assert load_account(store, "konsulent").active is False  # type: ignore[union-attr]
    assert audit_details(store)[-1] == "deaktiveret konsulent"
    other.run()  # the user's next click
    assert [t.value for t in other.title] == ["Forandringsmodel-dashboard"]  # the login form
    t = LoginSession.__table__
    with store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).where(
            t.c.username == "konsulent", t.c.revoked_at.is_(None))).scalar_one() == 0
    at = choose(users_page(), "konsulent")
    button(at, "Genaktivér").click()
    at.run()
    assert load_account(store, "konsulent").active is True  # type: ignore[union-attr]
    assert audit_details(store)[-1] == "genaktiveret konsulent"


def test_an_admin_cannot_deactivate_themselves(store) -> None:
    at = choose(users_page(), "admin")
    button(at, "Deaktivér").click()
    at.run()
    assert errors(at) == ["Du kan ikke deaktivere dig selv."]
    assert load_account(store, "admin").active is True  # type: ignore[union-attr]


def test_reset_password_then_the_login_forces_a_new_one_before_anything_else(store) -> None:
    at = choose(users_page(), "omraade")
    button(at, "Ny midlertidig adgangskode").click()
    at.run()
    [temporary] = [c.value for c in at.code]
    assert load_account(store, "omraade").must_change is True  # type: ignore[union-attr]
    assert audit_details(store)[-1] == "midlertidig adgangskode for omraade"
    assert log_in("omraade", "demo").title[0].value == "Forandringsmodel-dashboard"  # old: no

    user = log_in("omraade", temporary)
    assert [t.value for t in user.title] == ["Vælg en ny adgangskode"]
    assert [b.label for b in user.sidebar.button] == ["Log ud"]
    assert not any(b.label == "Forandringsmodellen" for b in user.button)
    user.text_input[0].input("kort")
    user.text_input[1].input("kort")
    user.button[0].click()
    user.run()
    assert errors(user) == ["Adgangskoden skal have mindst 12 tegn."]
    user.text_input[0].input("en-ny-og-lang-kode")
    user.text_input[1].input("en-ny-og-lang-kode")
    user.button[0].click()
    user.run()
    assert not user.exception
    assert [t.value for t in user.title] == ["En bedre chance i livet"]  # the overview
    account = load_account(store, "omraade")
    assert account is not None and account.must_change is False
    assert bcrypt.checkpw(b"en-ny-og-lang-kode", account.password_hash.encode())


def test_unlock_lifts_a_lockout(store) -> None:
    for _ in range(POLICY.max_failures):
        record_attempt(store, username="styregruppe", client="10.1.1.1", kind="failure")
    assert is_locked(store, username="styregruppe", client="10.2.2.2", policy=POLICY)
    at = choose(users_page(), "styregruppe")
    button(at, "Ophæv spærring").click()
    at.run()
    assert not is_locked(store, username="styregruppe", client="10.2.2.2", policy=POLICY)
    assert audit_details(store)[-1] == "spærring ophævet for styregruppe"


def test_the_page_is_not_in_a_non_admins_navigation(store) -> None:
    at = log_in("leder")
    at._page_hash = _hash("brugere")  # noqa: SLF001
    at.run()
    assert [t.value for t in at.title] == ["En bedre chance i livet"]
