"""Login with streamlit-authenticator, with accounts read from the store (never a YAML file)."""

from __future__ import annotations

import os

import streamlit as st
import streamlit_authenticator as stauth

from core.settings import Settings
from data_access.accounts import load_accounts, record_event
from data_access.scope import scope_for_codes
from ui.context import Viewer, engine

COOKIE_NAME = "forandringsmodel_login"
COOKIE_EXPIRY_DAYS = 1.0
DEMO_COOKIE_KEY = "demo-only-cookie-key-not-for-production-use"
LOGIN_FIELDS = {"Form name": "Log ind", "Username": "Brugernavn", "Password": "Adgangskode",
                "Login": "Log ind", "Captcha": "Captcha"}


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
    if len(key.encode()) < 32 or "change" in key.lower() or key == DEMO_COOKIE_KEY:
        raise InsecureCookieKey(
            "COOKIE_KEY mangler eller er for svag (mindst 32 tegn, ingen pladsholder). "
            "Sæt den i miljøet eller i .streamlit/secrets.toml."
        )
    return key


def _credentials() -> dict:
    users = {}
    for account in load_accounts(engine()):
        users[account.username] = {
            "name": account.display_name, "email": account.email,
            "password": account.password_hash, "roles": list(account.roles),
        }
    return {"usernames": users}


def login(settings: Settings) -> Viewer | None:
    """Show the login form until someone is logged in; return the viewer."""
    authenticator = stauth.Authenticate(
        _credentials(), COOKIE_NAME, cookie_key(settings), COOKIE_EXPIRY_DAYS, auto_hash=False,
    )
    st.session_state["authenticator"] = authenticator
    try:
        authenticator.login(location="main", fields=LOGIN_FIELDS, key="login")
    except stauth.utilities.LoginError:
        st.error("Forkert brugernavn eller adgangskode.")
    status = st.session_state.get("authentication_status")
    if status is False:
        username = st.session_state.get("login_username_attempt", "")
        st.error("Forkert brugernavn eller adgangskode.")
        record_event(engine(), username=username or "?", action="login_failed")
        return None
    if not status:
        if settings.demo_mode:
            st.caption("Demo: log ind som fx **leder** med adgangskoden **demo**.")
        return None
    username = st.session_state["username"]
    viewer = st.session_state.get("viewer")
    if viewer is None or viewer.username != username:
        account = next((a for a in load_accounts(engine()) if a.username == username), None)
        if account is None:
            authenticator.logout(location="unrendered")
            return None
        viewer = Viewer(username=username, display_name=account.display_name,
                        roles=account.roles,
                        scope=scope_for_codes(engine(), list(account.org_unit_codes)))
        st.session_state["viewer"] = viewer
        record_event(engine(), username=username, action="login_ok")
    return viewer


def logout_button() -> None:
    authenticator = st.session_state.get("authenticator")
    if authenticator is None:
        return
    if st.sidebar.button("Log ud", key="logout", width="stretch"):
        authenticator.logout(location="unrendered")
        st.session_state.pop("viewer", None)
        st.rerun()
