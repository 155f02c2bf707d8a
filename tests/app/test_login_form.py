"""The login form itself, once per store: typing the password, and a wrong one. (Every other app
test opens the app with a seeded session, see tests/app/conftest.py.)"""

from __future__ import annotations

import secrets

from streamlit.util import calc_hash

from data_access.accounts import hash_password, upsert_account
from data_access.db import get_engine
from demo.accounts import DEMO_PASSWORD
from ui import auth


def new_admin(url: str) -> str:
    """A fresh administrator (password ``demo``): its audit trail starts empty."""
    username = f"t-admin-{secrets.token_hex(4)}"
    with get_engine(url).begin() as conn:
        upsert_account(conn, username=username, display_name="Test-administrator",
                       email=f"{username}@example.invalid",
                       password_hash=hash_password(DEMO_PASSWORD), roles=("admin",),
                       org_unit_codes=("580",))
    return username


def test_typing_the_password_logs_in_and_the_login_is_in_the_audit_log(
    app_via_form, store_url: str
) -> None:
    username = new_admin(store_url)
    at = app_via_form(username, enhed="580-S")
    assert [t.value for t in at.title] == ["En bedre chance i livet"]
    assert at.session_state["viewer"].username == username
    assert at.sidebar.markdown[0].value == "**Test-administrator**  \nadmin"
    assert at.query_params["enhed"] == "580-S"  # the link's filters survive the form
    at._page_hash = calc_hash("log")  # noqa: SLF001 (AppTest has no public way)
    at.run()
    log = at.dataframe[0].value
    mine = log[log["Bruger"] == username]
    assert list(mine["Handling"]) == ["Login"]
    assert list(mine["Detaljer"]) == ["klient "]  # AppTest has no client address


def test_a_wrong_password_keeps_the_form_and_says_so_in_danish(
    app_via_form, store_url: str
) -> None:
    username = new_admin(store_url)
    at = app_via_form(username, password="forkert")
    assert [e.value for e in at.error] == [auth.WRONG]
    assert [t.value for t in at.title] == ["Forandringsmodel-dashboard"]
    assert "viewer" not in at.session_state
