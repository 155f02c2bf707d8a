"""Print an HTML document to PDF with headless Chromium (Playwright's sync API)."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def html_to_pdf(html: str, *, timeout_ms: int = 60_000) -> bytes:
    """A4 landscape PDF of ``html``; waits until every plotly chart has been drawn."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load", timeout=timeout_ms)
            page.wait_for_function(
                "() => [...document.querySelectorAll('.plotly-graph-div')]"
                ".every(d => d.querySelector('.main-svg'))",
                timeout=timeout_ms,
            )
            page.emulate_media(media="print")
            return page.pdf(format="A4", landscape=True, print_background=True,
                            prefer_css_page_size=True)
        finally:
            browser.close()
