"""Two Streamlit replicas on one PostgreSQL behind nginx (deploy/nginx.conf) on loopback.

Checks the health endpoint through the proxy, that both replicas serve and a browser stays on
its replica, and that data changed elsewhere shows up on both without a restart (the cache keys
follow ``data_version``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from email.message import Message
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from data_access.db import get_engine
from pipeline.demo_store import build_demo_store
from pipeline.refresh import refresh
from tests.conftest import SMALL_DEMO, require
from tests.e2e.test_browser import WAIT_MS, log_in
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from tests.support.postgres import free_port, postgres_available, throwaway_postgres_server

pytestmark = [pytest.mark.nginx, pytest.mark.postgres, pytest.mark.browser]

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
COOKIE_KEY = "replica-test-signing-key-0123456789abcdef"
ORIGINAL = "Aabenraa Kommune (demo)"
RENAMED = "Aabenraa Kommune (omdøbt)"


def nginx_available() -> str | None:
    return None if shutil.which("nginx") else "nginx is not installed (apt-get install nginx)"


def render(template: str, *, runtime: Path, listen: str, backends: list[str]) -> str:
    servers = "\n        ".join(f"server {b} max_fails=3 fail_timeout=10s;" for b in backends)
    return (template.replace("{{RUNTIME_DIR}}", str(runtime)).replace("{{LISTEN}}", listen)
            .replace("{{UPSTREAM_SERVERS}}", servers)
            .replace("# add_header X-Upstream", "add_header X-Upstream"))


@contextmanager
def nginx(backends: list[str]) -> Iterator[str]:
    """nginx (foreground, own process group) in front of ``backends``; yields its base URL."""
    port = free_port()
    runtime = Path(tempfile.mkdtemp(prefix="nginx-test-"))
    runtime.chmod(0o755)  # workers run as nobody when we are root
    conf = runtime / "nginx.conf"
    conf.write_text(render(TEMPLATE.read_text(), runtime=runtime, listen=f"127.0.0.1:{port}",
                           backends=[b.removeprefix("http://") for b in backends]))
    cmd = ["nginx", "-p", str(runtime), "-c", str(conf), "-e", str(runtime / "error.log"),
           "-g", "daemon off;"]
    checked = subprocess.run([*cmd, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                get(f"{base}/_stcore/health")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        shutil.rmtree(runtime, ignore_errors=True)


def get(url: str, cookie: str | None = None) -> tuple[int, str, Message]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=5) as resp:
        return resp.status, resp.read().decode(), resp.headers


@pytest.fixture(scope="module")
def cluster(config, browser_ready: None) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    require(nginx_available())
    require(postgres_available())
    with ExitStack() as stack:
        pg = stack.enter_context(throwaway_postgres_server())
        build_demo_store(get_engine(pg.url), config, SMALL_DEMO)
        env = {"DATABASE_URL": pg.url, "DEMO_MODE": "0", "COOKIE_KEY": COOKIE_KEY}
        backends = [stack.enter_context(streamlit_server(env)) for _ in range(2)]
        proxy = stack.enter_context(nginx(backends))
        yield {"db": pg.url, "backends": backends, "proxy": proxy}
        get_engine(pg.url).dispose()


def replica_cookies(proxy: str) -> dict[str, str]:
    """A sticky cookie value per replica (upstream address → cookie)."""
    found: dict[str, str] = {}
    for i in range(100):
        cookie = f"st_replica=probe{i}"
        _status, _body, headers = get(f"{proxy}/_stcore/health", cookie)
        found.setdefault(headers["X-Upstream"], cookie)
        if len(found) == 2:
            break
    return found


def test_health_check_through_the_proxy(cluster: dict) -> None:
    status, body, headers = get(f"{cluster['proxy']}/_stcore/health")
    assert (status, body) == (200, "ok")
    assert any(c.startswith("st_replica=") for c in headers.get_all("Set-Cookie", []))


def test_both_replicas_serve_and_a_browser_stays_on_its_replica(cluster: dict) -> None:
    cookies = replica_cookies(cluster["proxy"])
    assert sorted(cookies) == sorted(b.removeprefix("http://") for b in cluster["backends"])
    for upstream, cookie in cookies.items():
        seen = {get(f"{cluster['proxy']}/", cookie)[2]["X-Upstream"] for _ in range(5)}
        assert seen == {upstream}
        status, body, _headers = get(f"{cluster['proxy']}/", cookie)
        assert status == 200 and "<noscript>" in body


def test_a_change_shows_up_on_both_replicas_without_a_restart(cluster: dict, config) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    cookies = replica_cookies(cluster["proxy"])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            pages = []
            for upstream, cookie in cookies.items():
                context = browser.new_context(viewport={"width": 1600, "height": 1000},
                                              locale="da-DK")
                name, value = cookie.split("=", 1)
                context.add_cookies([{"name": name, "value": value, "domain": "127.0.0.1",
                                      "path": "/"}])
                page = context.new_page()
                answered: set[str] = set()
                page.on("response", lambda r, seen=answered: seen.add(
                    r.headers.get("x-upstream", "")))
                log_in(page, cluster["proxy"], "leder")
                expect(page.locator(".cm-tile").first).to_be_visible(timeout=WAIT_MS)
                assert answered - {""} == {upstream}  # every request went to its replica
                expect(page.get_by_text(ORIGINAL).first).to_be_visible(timeout=WAIT_MS)
                pages.append(page)

            # Elsewhere (a third process): rename the municipality, then the refresh bumps
            # data_version, as every import does.
            engine = get_engine(cluster["db"])
            with engine.begin() as conn:
                conn.execute(sa.text("UPDATE org_unit SET name = :name WHERE code = :code"),
                             {"name": RENAMED, "code": "580"})
            refresh(engine, config)

            for page in pages:  # the next rerun of the same session (here: another page)
                page.get_by_role("link", name="Virkninger på mellemlang sigt").first.click()
                expect(page.get_by_text(RENAMED).first).to_be_visible(timeout=WAIT_MS)
                assert page.get_by_text(ORIGINAL).count() == 0
        finally:
            browser.close()
