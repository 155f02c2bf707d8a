"""Login with streamlit-authenticator, with accounts read from the store (never a YAML file).

streamlit-authenticator checks the password against the stored bcrypt hash and keeps the signed
re-login cookie; around it we add what a municipality needs: a throttle kept in the store, the
same answer (and about the same time) for unknown usernames, and an audit trail.
"""

from __future__ import annotations

import os

import bcrypt
import streamlit as st
import streamlit_authenticator as stauth

from core.settings import Settings
from data_access.accounts import load_accounts, record_event
from data_access.lockout import is_locked, record_attempt
from data_access.scope import is_aggregates_only, scope_for_codes
from ui.context import Viewer, engine

COOKIE_NAME = "forandringsmodel_login"
COOKIE_EXPIRY_DAYS = 1.0
DEMO_COOKIE_KEY = "demo-only-cookie-key-not-for-production-use"
PLACEHOLDERS = ("change", "secret", "replace", "example", "demo", "xxx")
WRONG = "Forkert brugernavn eller adgangskode."
LOCKED = ("For mange mislykkede forsøg. Af sikkerhedshensyn er login spærret i 15 minutter. "
          "Kontakt en administrator, hvis det haster.")
# A real bcrypt hash of a random password: unknown usernames cost the same check as known ones.
_DUMMY_HASH = bcrypt.hashpw(os.urandom(16), bcrypt.gensalt(rounds=12))


class InsecureCookieKey(Exception):
    pass


def cookie_key(settings: Settings) -> str:
    """The cookie signing key: from the environment or secrets; a fixed one only in demo mode."""
    key = os.environ.get("COOKIE_KEY", "")
    if not key:
        try:
            key = str(st.secrets.get("cookie_key", ""))
        except FileNotFoundError:
            key = ""
    if settings.demo_mode and not key:
        return DEMO_COOKIE_KEY
    if len(key.encode()) < 32 or any(word in key.lower() for word in PLACEHOLDERS):
        raise InsecureCookieKey(
            "Dashboardet kan ikke starte: COOKIE_KEY mangler eller er for svag (mindst 32 tegn, "
            "ingen pladsholder). Sæt den i miljøet eller i .streamlit/secrets.toml."
        )
    return key


def client_address() -> str:
    """The client's address (the first X-Forwarded-For hop behind a proxy), or ""."""
    forwarded = st.context.headers.get("X-Forwarded-For", "") if st.context.headers else ""
    direct = st.context.ip_address
    first = forwarded.split(",")[0].strip() if isinstance(forwarded, str) else ""
    return (first or (direct if isinstance(direct, str) else ""))[:80]


def _credentials() -> dict:
    return {"usernames": {
        a.username: {"name": a.display_name, "email": a.email, "password": a.password_hash,
                     "roles": list(a.roles)}
        for a in load_accounts(engine())
    }}


def _check_password(authenticator: stauth.Authenticate, credentials: dict, username: str,
                    password: str) -> bool:
    if username in credentials["usernames"]:
        return bool(authenticator.authentication_controller.login(username, password))
    bcrypt.checkpw(password.encode(), _DUMMY_HASH)  # same work as for a known user
    return False


def attempt_login(authenticator: stauth.Authenticate, credentials: dict, username: str,
                  password: str, client: str) -> str | None:
    """Try a login; return None on success, else the Danish message to show."""
    username = username.lower().strip()
    if is_locked(engine(), username=username, client=client):
        bcrypt.checkpw(password.encode(), _DUMMY_HASH)
        record_event(engine(), username=username or "?", action="login_locked",
                     detail=f"klient {client}")
        return LOCKED
    if _check_password(authenticator, credentials, username, password):
        record_attempt(engine(), username=username, client=client, kind="success")
        record_event(engine(), username=username, action="login_ok", detail=f"klient {client}")
        return None
    record_attempt(engine(), username=username, client=client, kind="failure")
    record_event(engine(), username=username or "?", action="login_failed",
                 detail=f"klient {client}")
    return WRONG


def login(settings: Settings) -> Viewer | None:
    """Show the login form until someone is logged in; return the viewer."""
    credentials = _credentials()
    authenticator = stauth.Authenticate(credentials, COOKIE_NAME, cookie_key(settings),
                                        COOKIE_EXPIRY_DAYS, auto_hash=False)
    st.session_state["authenticator"] = authenticator
    if not st.session_state.get("authentication_status"):
        authenticator.login(location="unrendered")  # a valid signed cookie logs in silently
    if not st.session_state.get("authentication_status"):
        _login_form(authenticator, credentials, settings)
        return None
    return _viewer(authenticator, st.session_state["username"])


def _login_form(authenticator: stauth.Authenticate, credentials: dict,
                settings: Settings) -> None:
    st.title("Forandringsmodel-dashboard")
    with st.form("login"):
        st.subheader("Log ind")
        username = st.text_input("Brugernavn", autocomplete="username")
        password = st.text_input("Adgangskode", type="password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Log ind")
    if submitted:
        problem = attempt_login(authenticator, credentials, username, password, client_address())
        if problem is None:
            authenticator.cookie_controller.set_cookie()
            st.rerun()
        st.error(problem)
    if settings.demo_mode:
        st.caption("Demo: log ind som fx **leder** med adgangskoden **demo** "
                   "(se README for alle demo-brugere).")


def _viewer(authenticator: stauth.Authenticate, username: str) -> Viewer | None:
    viewer = st.session_state.get("viewer")
    if viewer is not None and viewer.username == username:
        return viewer
    account = next((a for a in load_accounts(engine()) if a.username == username), None)
    if account is None:  # deactivated since the cookie was issued
        authenticator.logout(location="unrendered")
        return None
    viewer = Viewer(username=username, display_name=account.display_name, roles=account.roles,
                    scope=scope_for_codes(engine(), list(account.org_unit_codes),
                                          aggregates_only=is_aggregates_only(account.roles)))
    st.session_state["viewer"] = viewer
    return viewer


def logout_button() -> None:
    """Log out on the first click: the callback runs before the next script run."""
    authenticator = st.session_state.get("authenticator")
    if authenticator is None:
        return

    def log_out() -> None:
        authenticator.logout(location="unrendered")
        for key in ("viewer", "filters"):
            st.session_state.pop(key, None)

    st.sidebar.button("Log ud", key="logout_button", width="stretch", on_click=log_out)
