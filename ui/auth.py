"""Login with accounts from the store and a server-side session behind an HttpOnly cookie.

Why not streamlit-authenticator's cookie: it is written by a JavaScript component, which a rerun
can drop before the browser runs it (so no cookie was ever set), and its reruns cleared the
login form while people typed. Here the browser gets the cookie from the server
(``gateway/routes.py``) and every rerun checks the session in the store, so *Log ud* in one tab,
``users deactivate`` or a role change count from the next click in every tab.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import bcrypt
import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

import gateway
from core.settings import DEFAULT_SQLITE_PATH, Settings
from data_access.accounts import AccountError, change_own_password, load_account, record_event
from data_access.lockout import LockoutPolicy, is_locked, record_attempt
from data_access.scope import scope_for_codes
from data_access.sessions import ActiveSession, Lifetime, end_session, load_session, start_session
from gateway.client import CLIENT_HEADER
from gateway.oidc import FAILED, LOGIN_PATH, REFUSED
from gateway.routes import COOKIE_NAME, END_PATH, START_PATH
from ui import session
from ui.context import Viewer, app_settings, engine

PLACEHOLDERS = ("change", "secret", "replace", "example", "demo", "xxx")
DEMO_KEY_FILE = DEFAULT_SQLITE_PATH.parent / "cookie_key"
WRONG = "Forkert brugernavn eller adgangskode."
ENDED = "Du er ikke logget ind (sessionen er afsluttet eller udløbet). Log ind igen."
# A real bcrypt hash of a random password: unknown usernames cost the same check as known ones.
_DUMMY_HASH = bcrypt.hashpw(os.urandom(16), bcrypt.gensalt(rounds=12))


class InsecureCookieKey(Exception):
    pass


def locked_message(minutes: int) -> str:
    return (f"For mange mislykkede forsøg. Af sikkerhedshensyn er login spærret i {minutes} "
            f"minutter. Kontakt en administrator, hvis det haster.")


def no_access_message(contact: str) -> str:
    """For someone the municipality's login knows but the dashboard does not (yet)."""
    return f"Du har ikke adgang endnu – kontakt {contact}."


def sso_failed_message(contact: str) -> str:
    return f"Login med kommunens login mislykkedes. Prøv igen, eller kontakt {contact}."


def _demo_key(path: Path) -> str:
    """A random key made on the demo install's first run (data/cookie_key, ignored by git)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def cookie_key(settings: Settings, *, demo_key_file: Path = DEMO_KEY_FILE) -> str:
    """The key that signs Streamlit's identity cookie (``st.login`` single sign-on): from the
    environment or secrets; in demo mode a random one kept in data/ when none is set."""
    key = os.environ.get("COOKIE_KEY", "")
    if not key:
        try:
            key = str(st.secrets.get("cookie_key", ""))
        except FileNotFoundError:
            key = ""
    if settings.demo_mode and not key:
        return _demo_key(demo_key_file)
    if len(key.encode()) < 32 or any(word in key.lower() for word in PLACEHOLDERS):
        raise InsecureCookieKey(
            "Dashboardet kan ikke starte: COOKIE_KEY mangler eller er for svag (mindst 32 tegn, "
            "ingen pladsholder). Sæt den i miljøet eller i .streamlit/secrets.toml."
        )
    return key


def client_address() -> str:
    """The client's address as ``gateway/client.py`` worked it out (X-Forwarded-For believed
    only from trusted proxies). Without the gateway (``streamlit run app.py``) the socket's."""
    if gateway.ACTIVE and st.context.headers:
        return str(st.context.headers.get(CLIENT_HEADER, ""))[:80]
    direct = st.context.ip_address
    return direct[:80] if isinstance(direct, str) else ""


def check_password(username: str, password: str) -> bool:
    """bcrypt against the stored hash; unknown or inactive users cost the same work."""
    account = load_account(engine(), username)
    if account is None or not account.active:
        bcrypt.checkpw(password.encode(), _DUMMY_HASH)
        return False
    return bcrypt.checkpw(password.encode(), account.password_hash.encode())


def attempt_login(username: str, password: str, client: str) -> str | None:
    """Try a login; return None on success, else the Danish message to show."""
    username = username.lower().strip()
    settings = app_settings()
    policy = LockoutPolicy(minutes=settings.lockout_minutes,
                           max_failures=settings.lockout_max_failures)
    if is_locked(engine(), username=username, client=client, policy=policy):
        bcrypt.checkpw(password.encode(), _DUMMY_HASH)
        record_event(engine(), username=username or "?", action="login_locked",
                     detail=f"klient {client}")
        return locked_message(policy.minutes)
    if check_password(username, password):
        record_attempt(engine(), username=username, client=client, kind="success")
        record_event(engine(), username=username, action="login_ok", detail=f"klient {client}")
        return None
    record_attempt(engine(), username=username, client=client, kind="failure")
    record_event(engine(), username=username or "?", action="login_failed",
                 detail=f"klient {client}")
    return WRONG


def _redirect(url: str) -> bool:
    """Send the browser to a URL on this server (how ``st.login`` reaches its own routes);
    False when there is no browser or no gateway (AppTest, ``streamlit run app.py``)."""
    ctx = get_script_run_ctx()
    if ctx is None or not gateway.ACTIVE:
        return False
    msg = ForwardMsg()
    msg.auth_redirect.url = url
    ctx.enqueue(msg)
    return True


def _here() -> str:
    """The path and query of the page the browser shows now (to come back to after a redirect)."""
    path = urlsplit(st.context.url or "/").path or "/"
    query = urlencode({k: v for k, v in st.query_params.to_dict().items() if k != "sso"})
    return f"{path}?{query}" if query else path


def _lifetime(settings: Settings) -> Lifetime:
    return Lifetime.hours(settings.session_idle_hours, settings.session_absolute_hours)


def login(settings: Settings) -> Viewer | None:
    """The viewer of a live session; otherwise the login form (and None).

    Decided on the server before anything is drawn, and nothing reruns by itself afterwards: the
    form is never redrawn under the fingers of someone typing.
    """
    session_id = session.session_id()
    token = st.context.cookies.get(COOKIE_NAME) if st.context.cookies else None
    found = None
    if session_id is not None:
        found = load_session(engine(), session_id=session_id, lifetime=_lifetime(settings))
    if found is None and token:
        found = load_session(engine(), token=token, lifetime=_lifetime(settings))
    if found is not None:
        session.set_session_id(found.session_id)
        if found.must_change and found.method == "password":
            _stable(lambda: _change_password_form(found))
            return None
        return _viewer(found)
    had_session = session_id is not None or bool(token)
    session.forget_login()
    _stable(lambda: _login_form(settings, ended=had_session))
    return None


def _stable(draw: Callable[[], None]) -> None:
    """Draw a form with widget ids that stay the same from the first run on.

    Widget ids include the "active script hash". On the very first run of a browser session
    Streamlit 1.67 runs the entry script under the page hash the browser sent, on every later
    run under the entry script's own hash: a form drawn as is gets new ids at the first submit
    and forgets what was typed (the old "type it again" defect). Drawn under the entry
    script's hash, its ids are the same in every run.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        draw()
        return
    with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):
        draw()


def _login_form(settings: Settings, *, ended: bool) -> None:
    st.title("Forandringsmodel-dashboard", anchor=False)
    outcome = st.query_params.get("sso")
    if outcome == REFUSED:
        st.error(no_access_message(settings.access_contact))
    elif outcome == FAILED:
        st.error(sso_failed_message(settings.access_contact))
    elif ended:
        st.info(ENDED)
    with st.form("login"):
        st.subheader("Log ind", anchor=False)
        username = st.text_input("Brugernavn", autocomplete="username")
        password = st.text_input("Adgangskode", type="password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Log ind")
    if submitted:
        client = client_address()
        problem = attempt_login(username, password, client)
        if problem is None:
            session_id, grant = start_session(engine(), username=username.lower().strip(),
                                              client=client)
            session.set_session_id(session_id)
            # The browser fetches its cookie from the server and comes back to this page; a
            # rerun here would drop the redirect before it is sent (as it dropped the old
            # cookie component), so stop instead. Without the gateway: go on in this tab.
            if _redirect(f"{START_PATH}?{urlencode({'grant': grant, 'next': _here()})}"):
                st.success("Du er logget ind.")
                st.stop()
            st.rerun()
        st.error(problem)
    if settings.sso is not None:
        _sso_button(settings)
    if settings.demo_mode:
        st.caption("Demo: log ind som fx **leder** med adgangskoden **demo** "
                   "(se README for alle demo-brugere).")


def _viewer(found: ActiveSession) -> Viewer:
    """The viewer as the store has the account now; the scope is only recomputed when the
    account's roles or units changed."""
    cached = session.viewer()
    if (cached is not None and cached.username == found.username
            and cached.roles == found.roles
            and session.viewer_units() == found.org_unit_codes):
        return cached
    viewer = Viewer(username=found.username, display_name=found.display_name, roles=found.roles,
                    scope=scope_for_codes(engine(), list(found.org_unit_codes),
                                          roles=found.roles))
    session.set_viewer(viewer)
    session.set_viewer_units(found.org_unit_codes)
    return viewer


def logout_button() -> None:
    """*Log ud*: ends the session in the store (every tab, at its next click) and clears the
    cookie."""
    if not st.sidebar.button("Log ud", key="logout_button", width="stretch"):
        return
    viewer = session.viewer()
    end_session(engine(), session_id=session.session_id())
    if viewer is not None:
        record_event(engine(), username=viewer.username, action="logout")
    session.forget_login()
    if _redirect(f"{END_PATH}?{urlencode({'next': '/'})}"):
        st.stop()
    st.rerun()


def _sso_button(settings: Settings) -> None:
    """The municipality's login: the browser goes to the provider through ``/api/oidc/login``
    and comes back to this page."""
    assert settings.sso is not None
    st.caption("eller")
    if not st.button(settings.sso.label, key="sso_login", width="stretch"):
        return
    if _redirect(f"{LOGIN_PATH}?{urlencode({'next': _here()})}"):
        st.stop()
    st.error("Kommunens login virker kun, når dashboardet er startet med serve.py.")


def _change_password_form(found: ActiveSession) -> None:
    """A temporary password (made by an administrator) is changed before anything else."""
    st.title("Vælg en ny adgangskode", anchor=False)
    st.info("Din adgangskode er midlertidig. Vælg en ny, før du går videre (mindst 12 tegn).")
    with st.form("change_password"):
        first = st.text_input("Ny adgangskode", type="password", autocomplete="new-password")
        again = st.text_input("Gentag ny adgangskode", type="password",
                              autocomplete="new-password")
        submitted = st.form_submit_button("Gem ny adgangskode")
    if submitted:
        if first != again:
            st.error("De to adgangskoder er ikke ens.")
        else:
            try:
                change_own_password(engine(), username=found.username, password=first,
                                    session_id=found.session_id)
            except AccountError as exc:
                st.error(str(exc))
            else:
                st.rerun()
    logout_button()
