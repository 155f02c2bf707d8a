"""User text is text: a comment, a follow-up's owner and a view name holding a Markdown image
make no request from the reader's browser (real Chromium, a real HTTP server on loopback)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from data_access.db import get_engine
from data_access.interpretations import add_interpretation
from data_access.meeting_store import save_view
from data_access.scope import scope_for_codes
from tests.e2e.test_browser import log_in
from tests.support.browser import chromium_page, streamlit_server

WAIT_MS = 30_000


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
        pass


@pytest.fixture(scope="module")
def bait() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request; yields (base URL, requests)."""
    _Recorder.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def store_with_bait(sqlite_demo: str, tmp_path_factory: pytest.TempPathFactory,
                    bait: tuple[str, list[str]]) -> str:
    target = tmp_path_factory.mktemp("bait") / "store.sqlite"
    with sqlite3.connect(sqlite_demo.removeprefix("sqlite:///")) as source, \
            sqlite3.connect(target) as copy:
        source.backup(copy)
    url = f"sqlite:///{target}"
    engine = get_engine(url)
    host, _requests = bait
    scope = scope_for_codes(engine, ["580"])
    common = dict(scope=scope, username="leder", roles=("leder",), programme_id="aabenraa",
                  box_id="A1", indicator_id=None, unit_id=scope.root_ids[0], period="2026H2")
    add_interpretation(engine, kind="kommentar",
                       text=f"Se ![x]({host}/comment.png) og <img src='{host}/raw.png'>",
                       **common)
    add_interpretation(engine, kind="opfoelgning", text=f"Opfølgning ![y]({host}/followup.png)",
                       owner=f"![z]({host}/owner.png)", due_on=dt.date(2026, 12, 1), **common)
    save_view(engine, scope=scope, username="leder", name=f"![v]({host}/view.png)",
              programme_id="aabenraa", period_from="2025H1", period_to="2026H2",
              unit_code="580", age_group="alle", vulnerable_only=False)
    return url


@pytest.fixture(scope="module")
def server(store_with_bait: str, browser_ready: None) -> Iterator[str]:
    with streamlit_server({"DATABASE_URL": store_with_bait, "DEMO_MODE": "1"}) as url:
        yield url


def test_markdown_images_in_user_text_make_no_request_from_the_readers_browser(
        server: str, bait: tuple[str, list[str]]) -> None:
    _host, requests = bait
    with chromium_page() as page:
        log_in(page, server, "leder")
        page.get_by_role("link", name="Styregruppemøde").first.click()
        expect(page.locator(".mt-section")).to_have_text("Resumé", timeout=WAIT_MS)
        # The follow-up (text and owner) and the saved view's name show as the typed text.
        expect(page.get_by_text("Opfølgning ![y](", exact=False)).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("![z](", exact=False).first).to_be_visible()
        expect(page.get_by_role("button", name="![v](", exact=False)).to_be_visible()
        page.get_by_role("button", name="Næste").click()
        expect(page.locator(".mt-section")).to_contain_text("Aktiviteter", timeout=WAIT_MS)
        expect(page.get_by_text("Se ![x](", exact=False).first).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("<img src=", exact=False).first).to_be_visible()
        page.wait_for_timeout(2000)  # time for any image fetch to reach the server
        images = page.locator("img[src*='127.0.0.1']").count()
    assert images == 0
    assert requests == []
