"""An import is one atomic change, and imports are serialised (SQLite and PostgreSQL).

``kill -9`` of ``manage.py import`` at named points (the test hook IMPORT_TEST_PAUSE_AT) and at
random moments leaves the old state or the new state, and the stored indicator values always
equal the indicator functions run on the stored rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from core.model_config import load_programmes
from core.settings import ImportLimits
from data_access.analytics import VALUE_COLUMNS
from data_access.models import IndicatorValue
from data_access.raw import date_range, load_sources, read_frame
from imports.load import BUSY_MESSAGE, import_file
from indicators.periods import period_of, periods_frame
from indicators.registry import COMPUTATIONS
from pipeline.refresh import compute_programme_values
from tests.support.import_store import dump

CONFIG = load_programmes(Path("config.toml"), computations=COMPUTATIONS)
ROOT = Path(__file__).resolve().parents[2]
DERIVED = {"indicator_value", "audit_event", "data_version", "import_lock"}
HEADER = "barnekode;dagtilbudskode;vurderingsdato;position\n"


def assessments_file(path: Path, engine: sa.Engine, *, first: int, n: int,
                     position: str = "rød") -> Path:
    """``n`` assessments of the store's children on days from 01.01.2026, rows ``first``…"""
    with engine.connect() as conn:
        codes = conn.execute(sa.text("SELECT code FROM child ORDER BY id")).scalars().all()
    lines = [HEADER]
    for k in range(first, first + n):
        day = 1 + k // len(codes)
        lines.append(f"{codes[k % len(codes)]};580-001;{day:02d}.01.2026;{position}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def values_match_rows(engine: sa.Engine) -> None:
    """Stored values == the indicator functions on the stored rows (every programme)."""
    with engine.connect() as conn:
        table = IndicatorValue.__table__
        stored = read_frame(conn, sa.select(table.c.programme_id,
                                            *[table.c[c] for c in VALUE_COLUMNS]),
                            {"programme_id": pl.Utf8, **VALUE_COLUMNS})
        span = date_range(conn)
        periods = periods_frame(period_of(span[0]), period_of(span[1]))
        sources = load_sources(conn, periods=periods, arrow=False)
    expected = pl.concat([
        compute_programme_values(p, sources).with_columns(pl.lit(p.id).alias("programme_id"))
        for p in CONFIG.programmes])
    key = ["programme_id", "indicator_id", "unit_id", "period", "age_group", "vulnerable_only"]
    assert stored.height == expected.height > 0
    assert_frame_equal(stored.sort(key), expected.select(stored.columns).sort(key),
                       check_dtypes=False)


def start_import(engine: sa.Engine, path: Path, *, pause_at: str | None = None,
                 marker: Path | None = None, user: str = "killed") -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=engine.url.render_as_string(hide_password=False))
    if pause_at:
        env |= {"IMPORT_TEST_PAUSE_AT": pause_at, "IMPORT_TEST_PAUSE_FILE": str(marker)}
    return subprocess.Popen([sys.executable, "manage.py", "import", "assessments", str(path),
                             "--user", user], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(marker: Path, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import never reached the pause point"
        time.sleep(0.05)


@pytest.mark.parametrize("point", ["read", "locked", "written", "refreshed", "committed"])
def test_kill_at_a_named_point_leaves_old_or_new_state(store: sa.Engine, tmp_path: Path,
                                                        point: str) -> None:
    path = assessments_file(tmp_path / "a.csv", store, first=0, n=3_000)
    before = dump(store)
    marker = tmp_path / "paused"
    process = start_import(store, path, pause_at=point, marker=marker)
    wait_for(marker, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()  # (closes the pipes too)
    store.dispose()  # connections of this process are fine; drop them anyway
    after = dump(store)
    if point == "committed":
        assert after != before
        assert dump(store, skip=DERIVED)["assessment"] != before["assessment"]
        with store.connect() as conn:
            added = conn.execute(sa.text("SELECT count(*) FROM assessment")).scalar_one()
        assert added == len(before["assessment"]) + 3_000
    else:
        assert after == before
    values_match_rows(store)


def test_kill_at_random_moments_never_leaves_a_mix(store: sa.Engine, tmp_path: Path) -> None:
    path = assessments_file(tmp_path / "a.csv", store, first=0, n=20_000)
    before_rows = dump(store, skip=DERIVED)
    for delay in (1.0, 2.0, 3.0, 4.5):
        process = start_import(store, path)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        now = dump(store, skip=DERIVED)
        assert len(now["assessment"]) in {len(before_rows["assessment"]),
                                          len(before_rows["assessment"]) + 20_000}
        values_match_rows(store)


def test_second_import_is_told_in_danish_that_another_is_running(
        store: sa.Engine, tmp_path: Path) -> None:
    first = assessments_file(tmp_path / "a.csv", store, first=0, n=500)
    second = assessments_file(tmp_path / "b.csv", store, first=250, n=500, position="gul")
    marker = tmp_path / "paused"
    process = start_import(store, first, pause_at="written", marker=marker, user="first")
    wait_for(marker, process)
    before = dump(store)
    result = import_file(store, CONFIG, "assessments", second, username="second",
                         limits=ImportLimits(lock_wait_seconds=0.5))
    assert [e.message for e in result.errors] == [BUSY_MESSAGE]
    assert "En anden indlæsning er i gang" in BUSY_MESSAGE
    assert dump(store) == before
    process.kill()
    process.communicate()


def test_two_concurrent_imports_with_overlapping_rows_are_serialised(
        store: sa.Engine, tmp_path: Path) -> None:
    """A holds the lock; B (rows 250-749, 250 of them also in A) waits, then sees A's rows:
    the overlap is updated, not duplicated."""
    first = assessments_file(tmp_path / "a.csv", store, first=0, n=500)
    second = assessments_file(tmp_path / "b.csv", store, first=250, n=500, position="gul")
    with store.connect() as conn:
        existing = conn.execute(sa.text("SELECT count(*) FROM assessment")).scalar_one()
    env_pause = {"IMPORT_TEST_PAUSE_SECONDS": "3"}
    os.environ.update(env_pause)
    try:
        marker = tmp_path / "paused"
        process = start_import(store, first, pause_at="written", marker=marker, user="first")
        wait_for(marker, process)
        result = import_file(store, CONFIG, "assessments", second, username="second",
                             limits=ImportLimits(lock_wait_seconds=60))
        out, err = process.communicate(timeout=120)
    finally:
        os.environ.pop("IMPORT_TEST_PAUSE_SECONDS")
    assert process.returncode == 0, err
    assert result.ok, result.errors
    assert (result.new, result.updated, result.unchanged) == (250, 250, 0)
    with store.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM assessment")).scalar_one()
        duplicates = conn.execute(sa.text(
            "SELECT count(*) FROM (SELECT child_id, assessed_on FROM assessment "
            "GROUP BY child_id, assessed_on HAVING count(*) > 1) d")).scalar_one()
        positions = dict(conn.execute(sa.text(
            "SELECT position, count(*) FROM assessment WHERE assessed_on >= '2026-01-01' "
            "AND assessed_on < '2026-02-01' AND institution_id = "
            "(SELECT id FROM org_unit WHERE code = '580-001') GROUP BY position")).all())
    assert total == existing + 750
    assert duplicates == 0
    assert positions.get("yellow", 0) >= 500 and positions.get("red", 0) >= 250
    values_match_rows(store)
