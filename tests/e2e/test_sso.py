"""Single sign-on in real Chromium, through the real redirect flow: the dashboard
(``streamlit run serve.py``) → a real OpenID Connect provider on loopback (node
``oidc-provider``) → back with a code that the server exchanges and verifies. Nothing is
injected: the session cookie comes from the server, the identity from the provider."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from data_access.db import get_engine
from data_access.models import AuditEvent, UserAccount
from data_access.session_models import LoginSession
from demo.generator import DemoSpec
from gateway.routes import COOKIE_NAME
from pipeline.demo_store import build_demo_store
from tests.conftest import require
from tests.support.browser import chromium_page, streamlit_server
from tests.support.oidc_provider import ProviderAccount, node_available, oidc_provider
from tests.support.postgres import free_port

WAIT_MS = 30_000
LABEL = "Log ind med kommunens login"
CONTACT = "IT-support på it@kommune.dk"
CLIENT_ID = "forandringsmodel-test"
# The area leader of the demo (scope: Område Nord) and someone the dashboard does not know.
KNOWN = ProviderAccount(login="karin", password="idp-password-1", email="OMRAADE@demo.invalid",
                        name="Karin Områdeleder")
UNKNOWN = ProviderAccount(login="ukendt", password="idp-password-2", email="ny@kommune.dk",
                          name="Ny Medarbejder")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, config, browser_ready: None) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sso') / 'store.sqlite'}"
    build_demo_store(get_engine(url), config, DemoSpec(scale=0.1, years=1))
    return url


@pytest.fixture(scope="module")
def dashboard(store: str) -> Iterator[str]:
    """The dashboard and, on another loopback port, the provider with a client registered for
    the dashboard's callback."""
    require(node_available())
    secret = secrets.token_urlsafe(32)
    provider_port = free_port()
    env = {"DATABASE_URL": store, "DEMO_MODE": "1", "ACCESS_CONTACT": CONTACT,
           "OIDC_METADATA_URL":
               f"http://127.0.0.1:{provider_port}/.well-known/openid-configuration",
           "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": secret, "OIDC_LABEL": LABEL}
    with streamlit_server(env) as url, oidc_provider(
            port=provider_port, client_id=CLIENT_ID, client_secret=secret,
            redirect_uris=[f"{url}/api/oidc/callback"], accounts=[KNOWN, UNKNOWN]):
        yield url


def sign_in_at_the_provider(page: Page, account: ProviderAccount) -> None:
    page.get_by_role("button", name=LABEL).click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible(
        timeout=WAIT_MS)
    assert page.url.startswith("http://127.0.0.1:") and "/interaction/" in page.url
    page.get_by_label("Account").fill(account.login)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()


def audit(store: str, action: str) -> list[tuple[str, str]]:
    t = AuditEvent.__table__
    with get_engine(store).connect() as conn:
        return [(r.username, r.detail) for r in conn.execute(
            sa.select(t.c.username, t.c.detail).where(t.c.action == action).order_by(t.c.id))]


def test_a_known_email_lands_on_the_overview_with_the_accounts_roles_and_scope(
    dashboard: str, store: str,
) -> None:
    with chromium_page() as page:
        page.goto(dashboard)
        sign_in_at_the_provider(page, KNOWN)
        expect(page.get_by_role("button", name="Log ud")).to_be_visible(timeout=WAIT_MS)
        # The overview, as the demo account "omraade" (role leder, scope Område Nord).
        expect(page.locator(".cm-tile").first).to_be_visible(timeout=WAIT_MS)
        assert urlsplit(page.url).path in ("/", "/oversigt")
        assert "enhed=580-N" in page.url  # the filters start at the account's own unit
        who = page.locator("[data-testid='stSidebar'] p").filter(has_text="Områdeleder")
        expect(who).to_have_text("Områdeleder, Område Nord leder", timeout=WAIT_MS)
        expect(page.locator("[data-testid='stMain']").get_by_text("Område Nord").first
               ).to_be_visible()
        body = page.locator("body").inner_text()
        assert "Område Syd" not in body  # outside the account's org unit
        assert page.get_by_role("link", name="Brugere").count() == 0  # not an admin
        cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE_NAME)
        assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
        page.reload()  # the same server-side session as a password login: it survives
        expect(page.locator(".cm-tile").first).to_be_visible(timeout=WAIT_MS)
        assert page.get_by_label("Brugernavn").count() == 0
    t = LoginSession.__table__
    with get_engine(store).connect() as conn:
        methods = conn.execute(sa.select(t.c.username, t.c.method)).all()
    assert ("omraade", "oidc") in methods
    assert any(user == "omraade" and "kommunens login" in detail
               for user, detail in audit(store, "login_ok"))


def test_an_unknown_email_gets_the_danish_refusal_and_is_audited(
    dashboard: str, store: str,
) -> None:
    with chromium_page() as page:
        page.goto(dashboard)
        sign_in_at_the_provider(page, UNKNOWN)
        expect(page.get_by_text(f"Du har ikke adgang endnu – kontakt {CONTACT}.")).to_be_visible(
            timeout=WAIT_MS)
        expect(page.get_by_label("Brugernavn")).to_be_visible()
        assert page.get_by_role("button", name="Log ud").count() == 0
        assert all(c["name"] != COOKIE_NAME for c in page.context.cookies())
    refused = audit(store, "login_sso_refused")
    assert any(user == "ny@kommune.dk" and "ingen aktiv bruger" in detail
               for user, detail in refused), refused


def test_a_deactivated_account_is_refused_like_an_unknown_one(dashboard: str,
                                                               store: str) -> None:
    t = UserAccount.__table__
    with get_engine(store).begin() as conn:
        conn.execute(sa.update(t).where(t.c.username == "omraade").values(active=False))
    try:
        with chromium_page() as page:
            page.goto(dashboard)
            sign_in_at_the_provider(page, KNOWN)
            expect(page.get_by_text("Du har ikke adgang endnu")).to_be_visible(timeout=WAIT_MS)
            assert page.get_by_role("button", name="Log ud").count() == 0
    finally:
        with get_engine(store).begin() as conn:
            conn.execute(sa.update(t).where(t.c.username == "omraade").values(active=True))
