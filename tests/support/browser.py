"""Start the Streamlit app on a free port and drive it with Debian's chromium."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .postgres import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Page

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent  # parent of tests/
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
HEALTH_TIMEOUT_S = 60


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _terminate_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


@contextmanager
def streamlit_server(env: dict[str, str], app: str = "serve.py") -> Iterator[str]:
    """Run ``streamlit run <app>`` from the project root; yields ``http://127.0.0.1:<port>``."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "streamlit", "run", app,
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="streamlit-test-") as tmp:
        out_path, err_path = Path(tmp) / "stdout.log", Path(tmp) / "stderr.log"
        # Files, not pipes: a full pipe would block the server.
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = subprocess.Popen(
                cmd,
                cwd=PROJECT_ROOT,
                env={**os.environ, **env},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # own process group, killed as a whole
            )
        try:
            deadline = time.monotonic() + HEALTH_TIMEOUT_S
            while not _healthy(f"{base_url}/_stcore/health"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    state = (
                        f"exited with {proc.returncode}"
                        if proc.poll() is not None
                        else "timed out"
                    )
                    raise RuntimeError(
                        f"streamlit {state} before {base_url}/_stcore/health answered\n"
                        f"--- stderr tail ---\n{_tail(err_path)}\n"
                        f"--- stdout tail ---\n{_tail(out_path)}"
                    )
                time.sleep(0.25)
            yield base_url
        finally:
            _terminate_group(proc)


def chromium_available() -> str | None:
    """None if chromium can be driven by Playwright here, else the reason why not."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} not found or not executable"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


@contextmanager
def chromium_page(width: int = 1600, height: int = 1000) -> Iterator[Page]:
    """A headless chromium page (Danish locale) with the given viewport."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="da-DK"
            )
            try:
                yield context.new_page()
            finally:
                context.close()
        finally:
            browser.close()
