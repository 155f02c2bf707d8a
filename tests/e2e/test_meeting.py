"""The meeting page in real Chromium at 1366×768: the steering group walks through every section.

Screenshots go to ``artifacts/meeting-N.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import log_in
from tests.support.browser import chromium_page, streamlit_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
WAIT_MS = 30_000
SECTIONS = ["Resumé", "Aktiviteter", "Resultater på kort sigt", "Virkninger på mellemlang sigt",
            "Virkninger på lang sigt"]


@pytest.fixture(scope="module")
def server(sqlite_demo: str, browser_ready: None) -> Iterator[str]:
    with streamlit_server({"DATABASE_URL": sqlite_demo, "DEMO_MODE": "1"}) as url:
        yield url


def overflow(page: Page) -> dict:
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]') || document.body;
        return {doc: document.documentElement.scrollWidth, inner: window.innerWidth,
                main: main.scrollWidth, mainClient: main.clientWidth};
    }""")


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_steering_group_walks_through_the_meeting(server: str, size: tuple[int, int]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    width, height = size
    with chromium_page(width=width, height=height) as page:
        log_in(page, server, "styregruppe")
        page.get_by_role("link", name="Styregruppemøde").first.click()
        heading = page.locator(".mt-section")
        expect(page.get_by_role("heading", name="Styregruppemøde")).to_be_visible(timeout=WAIT_MS)
        expect(heading).to_have_text("Resumé", timeout=WAIT_MS)
        expect(page.get_by_text("Styregruppens standardvisning", exact=False).first).to_be_visible()
        for number, title in enumerate(SECTIONS, start=1):
            if number > 1:
                page.get_by_role("button", name="Næste").click()
            expect(heading).to_contain_text(title, timeout=WAIT_MS)
            if number > 1:
                expect(page.locator(".cm-tile").first).to_be_visible(timeout=WAIT_MS)
                expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=WAIT_MS)
            page.wait_for_timeout(800)
            size_px = float(heading.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))
            assert size_px >= 36, size_px
            sizes = overflow(page)
            assert sizes["doc"] <= sizes["inner"], sizes
            assert sizes["main"] <= sizes["mainClient"], sizes
            suffix = "" if width == 1366 else "-1920"
            page.screenshot(path=str(ARTIFACTS / f"meeting-{number}{suffix}.png"), full_page=True)
        expect(page.get_by_role("button", name="Næste")).to_be_disabled()
        page.get_by_role("button", name="Forrige").click()
        expect(heading).to_contain_text(SECTIONS[-2], timeout=WAIT_MS)
