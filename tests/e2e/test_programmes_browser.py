"""The national user and the Aalborg-like municipality's leader in real Chromium at 1366×768:
typing the password, picking the programme, comparing the municipalities on each theme, and
Aalborg's boxes with values. Screenshots to artifacts/programmes/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_presentation import settle
from tests.support.browser import chromium_page, streamlit_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "programmes"
WAIT_MS = 30_000
PARTICIPANTS = ("Fjordby Kommune (demo)", "Skovlund Kommune (demo)", "Havnsø Kommune (demo)")
THEMES = ("S-T1 · En stærk faglig ledelse", "S-T2 · En god organisering af læringsmiljøerne",
          "S-T3 · Styrkelse af forældresamarbejdet", "S-T4 · Et tydeligt tværfagligt samarbejde")


@pytest.fixture(scope="module")
def server(sqlite_demo: str, browser_ready: None) -> Iterator[str]:
    with streamlit_server({"DATABASE_URL": sqlite_demo, "DEMO_MODE": "1"}) as url:
        yield url


def type_login(page: Page, base_url: str, username: str) -> None:
    """Log in as a person does: type the username and the password, press Enter."""
    page.goto(base_url)
    expect(page.get_by_label("Brugernavn")).to_be_editable(timeout=WAIT_MS)
    page.get_by_label("Brugernavn").press_sequentially(username)
    page.get_by_label("Adgangskode").press_sequentially("demo")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible(timeout=WAIT_MS)


def test_the_national_user_compares_the_participating_municipalities_on_the_four_themes(
    server: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium_page(width=1366, height=768) as page:
        type_login(page, server, "national")
        sidebar = page.locator('[data-testid="stSidebar"]')
        # Pick the programme (the only one a national user is offered)
        sidebar.get_by_label("Program").click()
        page.get_by_role("option", name=re.compile("^Løft kvalitet i dagtilbud")).click()
        expect(page.get_by_role("heading", name=re.compile("^Løft kvalitet i dagtilbud"))
               ).to_be_visible(timeout=WAIT_MS)
        sidebar.get_by_role("link", name="Kommuner").click()
        expect(page.get_by_role("heading", name="Kommuner", exact=True)).to_be_visible(
            timeout=WAIT_MS)
        assert "side=kommuner" in page.url
        for theme in THEMES:
            expect(page.get_by_role("heading", name=theme)).to_be_visible(timeout=WAIT_MS)
        settle(page)
        expect(page.locator('[data-testid="stDataFrame"] canvas').first).to_be_visible(
            timeout=WAIT_MS)
        page.wait_for_timeout(1500)  # the grid paints its canvas after it is attached
        page.screenshot(path=str(ARTIFACTS / "national-kommuner.png"))
        # Each theme's first chart has a bar per participant and the national reference line
        first_chart = page.locator(".js-plotly-plot").first
        for name in PARTICIPANTS:
            expect(first_chart.get_by_text(name)).to_be_visible()
        expect(first_chart.get_by_text(re.compile("^Landsplan"))).to_be_visible()
        assert page.locator(".js-plotly-plot").count() == 11  # every indicator of the programme
        page.get_by_role("heading", name=THEMES[3]).scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "national-kommuner-t4.png"))
        # Never an area or a daycare
        assert "Fjordby By" not in page.locator('[data-testid="stMain"]').inner_text()


def test_the_aalborg_leader_sees_the_aalborg_programmes_boxes_with_values(server: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium_page(width=1366, height=768) as page:
        type_login(page, server, "aalborg")
        expect(page.get_by_role("heading", name="Opsporingsmodellen og ressourcepladser")
               ).to_be_visible(timeout=WAIT_MS)
        tiles = page.locator(".cm-tile")
        expect(tiles).to_have_count(7, timeout=WAIT_MS)
        values = [t.strip() for t in page.locator(".cm-tile .cm-value").all_inner_texts()]
        assert len(values) == 7
        assert all(re.fullmatch(r"-?[\d.]+(,\d)?( %| pct\.-point| dage)?|< 5|Ingen data", v)
                   for v in values), values
        assert sum(v not in ("< 5", "Ingen data") for v in values) >= 5, values
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "aalborg-overview.png"))
        page.screenshot(path=str(ARTIFACTS / "aalborg-overview-full.png"), full_page=True)
