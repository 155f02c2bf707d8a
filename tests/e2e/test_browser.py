"""Real Chromium against a real Streamlit server on the small demo store.

Screenshots are written to ``artifacts/`` (ignored by git) so a person can look at them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import chromium_page, streamlit_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def server(sqlite_demo: str, browser_ready: None) -> Iterator[str]:
    with streamlit_server({"DATABASE_URL": sqlite_demo, "DEMO_MODE": "1"}) as url:
        yield url


def log_in(page: Page, base_url: str, username: str, path: str = "") -> None:
    """Log in through the form, typing at once: the form never loses what was typed."""
    page.goto(f"{base_url}/{path}")
    expect(page.get_by_label("Brugernavn")).to_be_editable(timeout=WAIT_MS)
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("demo")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible(timeout=WAIT_MS)


def test_a_leader_logs_in_and_sees_the_change_model_with_its_15_boxes(server: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page(width=1600, height=1100) as page:
        log_in(page, server, "leder")
        expect(page.locator(".cm-tile")).to_have_count(15, timeout=WAIT_MS)
        expect(page.get_by_role("heading", name="En bedre chance i livet")).to_be_visible()
        for layer in ("Aktiviteter", "Resultater på kort sigt", "Virkninger på mellemlang sigt",
                      "Virkninger på lang sigt"):
            expect(page.locator(".cm-layer-title", has_text=layer)).to_be_visible()
        tile_text = page.locator(".cm-tile").first.inner_text()
        assert "A1 · Åben rådgivning i dagtilbud" in tile_text
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "overview.png"))
        assert "program=aabenraa" in page.url  # the view is in the URL


def test_a_layer_page_draws_its_trend_charts(server: str) -> None:
    with chromium_page(width=1600, height=1100) as page:
        log_in(page, server, "leder")
        expect(page.locator(".cm-tile")).to_have_count(15, timeout=WAIT_MS)
        page.get_by_role("link", name="Virkninger på mellemlang sigt").first.click()
        expect(page.get_by_role("heading", name="Virkninger på mellemlang sigt")).to_be_visible(
            timeout=WAIT_MS)
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=WAIT_MS)
        assert page.locator(".js-plotly-plot").count() >= 4
        page.screenshot(path=str(ARTIFACTS / "layer.png"))


def test_the_institution_leader_is_offered_only_their_own_institution(server: str) -> None:
    with chromium_page() as page:
        log_in(page, server, "institution")
        expect(page.locator(".cm-tile")).to_have_count(15, timeout=WAIT_MS)
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar.get_by_text("Dagtilbudsleder")).to_be_visible()
        # One institution in scope: no area or institution picker at all, only its name.
        assert sidebar.get_by_label("Område").count() == 0
        assert sidebar.get_by_label("Dagtilbud").count() == 0
        expect(page.get_by_text("Børnehuset Solsikken ·", exact=False)).to_be_visible()


def test_a_link_to_a_page_with_filters_survives_the_login(server: str) -> None:
    with chromium_page() as page:
        log_in(page, server, "leder", "?side=dagtilbud&program=aabenraa&enhed=580-N&alder=3-5")
        expect(page.get_by_role("heading", name="Sammenligning af dagtilbud")).to_be_visible(
            timeout=WAIT_MS)
        assert "/dagtilbud" in page.url
        assert "alder=3-5" in page.url and "enhed=580-N" in page.url

# Cookies (forged, the old demo key, deleted users): tests/e2e/test_sessions.py.
