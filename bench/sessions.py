"""Memory per open session on the real server (``bench.steps sessions``).

The server is started as in production (``streamlit run serve.py`` on a free port, the bench's
store and model, demo mode) and headless Chromium (Playwright, ``/usr/bin/chromium``) opens
sessions as people do: the login form with a demo account, then the overview and one layer
page. The server's resident memory (``VmRSS`` in /proc) is read:

1. after a warm-up session has come and gone (imports done, data caches filled): the baseline;
2. with ``n`` sessions open at once: (open − baseline) / n is the memory per open session;
3. after they have closed and Streamlit has let them go: (after − baseline) / n is not given
   back to the operating system;
4. after a second round of ``n`` sessions opened and let go: its growth / n is memory the
   sessions keep (a leak); memory freed but kept by the allocator is reused here.

Streamlit keeps a closed session for ``server.disconnectedSessionTTL`` seconds (a reconnect
resumes it; 120 by default, ``ttl`` here) and drops it at the next write to its session store:
the next disconnect. So after each wait a probe (the login page, opened and closed) makes that
write, as the next visitor would on a real server (the probe's own small session stays).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking", "--disable-sync"]
WAIT_MS = 300_000
PASSWORD = "demo"


def unavailable() -> str | None:
    """Why sessions cannot be measured here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} findes ikke"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python-pakken playwright er ikke installeret"
    return None


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` (MB), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmRSS for process {pid}")


def _peak_mb(pid: int) -> float:
    """Peak resident memory of process ``pid`` so far (``VmHWM``, MB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmHWM for process {pid}")


def settled_rss_mb(pid: int, *, tolerance: float = 0.5, limit: float = 20.0) -> float:
    """RSS once two readings a second apart differ by at most ``tolerance`` MB."""
    last = rss_mb(pid)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = rss_mb(pid)
        if abs(now - last) <= tolerance:
            return now
        last = now
    return last


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode())
    except (urllib.error.URLError, OSError):
        return None


def metric(base: str, name: str) -> float:
    """The sum of ``name``'s samples in Streamlit's /_stcore/metrics (OpenMetrics text)."""
    text = _get(f"{base}/_stcore/metrics") or ""
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name) and not line.startswith("#"))


@contextmanager
def server(env: dict[str, str], *, ttl: int) -> Iterator[tuple[str, int]]:
    """``streamlit run serve.py`` on a free port: yields (base URL, server pid)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--server.disconnectedSessionTTL", str(ttl)]
    with tempfile.TemporaryDirectory(prefix="bench-server-") as folder:
        log = Path(folder) / "server.log"
        with log.open("wb") as out:  # a file, not a pipe: a full pipe would block the server
            proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env},
                                    stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while _get(f"{base}/_stcore/health") != "ok":
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"streamlit did not start on {base}:\n{tail}")
                time.sleep(0.25)
            yield base, proc.pid
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=15)


def open_session(browser: Browser, base: str, *, username: str, layer_title: str
                 ) -> BrowserContext:
    """A logged-in session on the overview, then on a layer page (left open)."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="da-DK")
    page = context.new_page()
    page.goto(f"{base}/")
    expect(page.get_by_label("Brugernavn")).to_be_editable(timeout=WAIT_MS)
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".cm-tile").first).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("link", name=layer_title, exact=True).first.click()
    expect(page.get_by_role("heading", name=layer_title)).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=WAIT_MS)
    return context


def _probe(browser: Browser, base: str) -> None:
    """Open and close the login page: a disconnect, so Streamlit drops expired sessions."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    page.goto(f"{base}/")
    expect(page.get_by_label("Brugernavn")).to_be_editable(timeout=WAIT_MS)
    context.close()


def _let_go(browser: Browser, base: str, pid: int, contexts: list[BrowserContext],
            ttl: int) -> float:
    """Close ``contexts``, wait until Streamlit has dropped them; the settled RSS."""
    for context in contexts:
        context.close()
    deadline = time.monotonic() + 60
    while metric(base, "active_sessions") > 0:
        if time.monotonic() > deadline:
            raise RuntimeError("the server still counts open sessions a minute after closing")
        time.sleep(0.5)
    time.sleep(ttl + 1)
    _probe(browser, base)
    return settled_rss_mb(pid)


def measure(env: dict[str, str], *, sessions: int, username: str, layer_title: str,
            ttl: int = 3) -> dict[str, Any]:
    """The figures described in the module docstring, in MB."""
    from playwright.sync_api import sync_playwright

    with server(env, ttl=ttl) as (base, pid), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            started = rss_mb(pid)
            warm = open_session(browser, base, username=username, layer_title=layer_title)
            baseline = _let_go(browser, base, pid, [warm], ttl)
            opened_at = time.perf_counter()
            contexts = [open_session(browser, base, username=username, layer_title=layer_title)
                        for _ in range(sessions)]
            open_seconds = (time.perf_counter() - opened_at) / sessions
            if metric(base, "active_sessions") != sessions:
                raise RuntimeError(f"{sessions} sessions opened, the server counts "
                                   f"{metric(base, 'active_sessions'):.0f}")
            with_open = settled_rss_mb(pid)
            after = _let_go(browser, base, pid, contexts, ttl)
            again = [open_session(browser, base, username=username, layer_title=layer_title)
                     for _ in range(sessions)]
            after_again = _let_go(browser, base, pid, again, ttl)
            peak = _peak_mb(pid)
        finally:
            browser.close()
    return {"sessions": sessions, "ttl_seconds": ttl, "username": username,
            "server_start_mb": started, "baseline_mb": baseline, "open_mb": with_open,
            "after_mb": after, "after_second_round_mb": after_again,
            "per_session_mb": (with_open - baseline) / sessions,
            "not_returned_per_session_mb": (after - baseline) / sessions,
            "kept_per_session_mb": (after_again - after) / sessions,
            "seconds_per_session": open_seconds, "server_peak_mb": peak}
