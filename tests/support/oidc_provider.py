"""A real OpenID Connect provider on loopback (node + the npm package ``oidc-provider``, see
``tests/support/oidc/``), for the single sign-on tests.

``npm ci`` runs once when ``tests/support/oidc/node_modules`` is missing (it is ignored by git).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .browser import _tail, _terminate_group
from .npm import npm_ready
from .postgres import free_port

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
READY_TIMEOUT_S = 30


@dataclass(frozen=True)
class ProviderAccount:
    login: str
    password: str
    email: str
    name: str
    groups: list[str] = field(default_factory=list)


def node_available() -> str | None:
    """None if node and npm are here (and the provider's packages can be installed), else why
    not."""
    return npm_ready(OIDC_DIR, "oidc-provider")


def _discovery_ready(issuer: str) -> bool:
    try:
        with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration",
                                    timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def oidc_provider(*, port: int | None = None, client_id: str, client_secret: str,
                  redirect_uris: list[str], accounts: list[ProviderAccount]) -> Iterator[str]:
    """Run the provider on ``127.0.0.1:<port>``; yields its issuer URL."""
    port = port or free_port()
    issuer = f"http://127.0.0.1:{port}"
    config = {"port": port, "client_id": client_id, "client_secret": client_secret,
              "redirect_uris": redirect_uris, "accounts": [asdict(a) for a in accounts]}
    with tempfile.TemporaryDirectory(prefix="oidc-provider-") as tmp:
        out_path, err_path = Path(tmp) / "stdout.log", Path(tmp) / "stderr.log"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = subprocess.Popen(
                ["node", "provider.mjs"], cwd=OIDC_DIR,
                env={**os.environ, "OIDC_TEST_CONFIG": json.dumps(config)},
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        try:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not _discovery_ready(issuer):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the OpenID Connect provider did not start\n"
                                       f"--- stderr ---\n{_tail(err_path)}")
                time.sleep(0.2)
            yield issuer
        finally:
            _terminate_group(proc)
