"""Node packages the tests use (axe-core, the OpenID Connect provider), each pinned by its own
package-lock.json under tests/support/: installed with ``npm ci`` the first time a test needs
them, so ``make test`` works on a fresh machine (node_modules is ignored by git)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def npm_ready(folder: Path, package: str) -> str | None:
    """None when ``folder/node_modules/package`` is installed (after ``npm ci`` if needed), else
    why not (for ``tests.conftest.require``)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} er ikke installeret (skal bruges til {package})"
    if not (folder / "node_modules" / package).is_dir():
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=folder,
                              capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            return f"npm ci i {folder} mislykkedes: {done.stderr[-2000:]}"
    return None
