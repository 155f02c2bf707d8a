"""The refresh publishes only what the exact disclosure audit passes; audit-privacy on the store."""

from __future__ import annotations

import sqlite3

import polars as pl
import pytest
import sqlalchemy as sa

from cli.main import main
from data_access import models
from data_access.db import get_engine
from data_access.raw import load_org_unit_frame
from pipeline import refresh as refresh_module


def test_audit_privacy_finds_nothing_on_the_demo_store(sqlite_demo: str, monkeypatch,
                                                        capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_demo)
    assert main(["audit-privacy"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Ingen skjult værdi kan beregnes:")


@pytest.fixture
def store_copy(sqlite_demo: str, tmp_path) -> str:
    target = tmp_path / "copy.sqlite"
    with sqlite3.connect(sqlite_demo.removeprefix("sqlite:///")) as source, \
            sqlite3.connect(target) as copy:
        source.backup(copy)  # the store may be in WAL mode: copy through SQLite, not the file
    return f"sqlite:///{target}"


def test_a_refresh_whose_values_leak_keeps_the_previous_values_and_says_why(
        store_copy: str, config, monkeypatch) -> None:
    engine = get_engine(store_copy)
    table = models.IndicatorValue.__table__
    with engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        org_units = load_org_unit_frame(conn)
    real = refresh_module.indicator_values

    def leaky(spec, sources, tree, runs):  # type: ignore[no-untyped-def]
        # A hand-built leak: one daycare withheld alone under its area (area − the visible
        # daycares gives it back).
        values = real(spec, sources, tree, runs)
        daycare = org_units.filter(pl.col("level") == "institution")["id"].min()
        hit = ((pl.col("unit_id") == daycare) & (pl.col("indicator_id") == "A1_sessions")
               & (pl.col("period") == values["period"].max()))
        return values.with_columns((pl.col("suppressed") | hit).alias("suppressed"))

    monkeypatch.setattr(refresh_module, "indicator_values", leaky)
    report = refresh_module.refresh(engine, config)
    assert set(report.refused) == {p.id for p in config.programmes if p.id == "aabenraa"}
    finding = report.refused["aabenraa"].findings[0]
    assert (finding.indicator_id, finding.kind) == ("A1_sessions", "determined")
    with engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        events = conn.execute(sa.select(models.AuditEvent.__table__.c.detail).where(
            models.AuditEvent.__table__.c.action == "privacy_audit")).scalars().all()
    assert after == before
    assert len(events) == 1
    assert events[0].startswith("Nye tal for aabenraa er ikke offentliggjort")
    assert "kan beregnes præcist" in events[0]
