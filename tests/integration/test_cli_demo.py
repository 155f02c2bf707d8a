"""`make run` on a municipality's own store: `manage.py demo --if-missing` steps aside."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("DEMO_MODE", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_demo_if_missing_skips_a_store_that_is_not_the_demo_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kommune.sqlite'}"
    assert _manage("migrate", database_url=url).returncode == 0
    result = _manage("demo", "--if-missing", database_url=url)
    assert result.returncode == 0, result.stderr
    assert "demo-data springes over" in result.stdout
    # nothing was written: the store has no org units
    import sqlite3

    with sqlite3.connect(tmp_path / "kommune.sqlite") as conn:
        assert conn.execute("select count(*) from org_unit").fetchone() == (0,)


def test_demo_without_if_missing_still_refuses_a_store_that_is_not_the_demo_store(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kommune.sqlite'}"
    assert _manage("migrate", database_url=url).returncode == 0
    result = _manage("demo", database_url=url)
    assert result.returncode == 1
    assert "Demo-data må kun skrives til demo-databasen" in result.stderr
