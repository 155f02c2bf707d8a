"""The incremental refresh equals the full one, cell by cell, after seeded random imports.

Each step imports a random file of one kind into the small demo store (new rows, changed rows,
rows in earlier periods, rows in a period past the current span), the import recomputing only
the partitions it touched. Then, inside a transaction that is rolled back, a full refresh
recomputes everything: every stored value must be the same (floats to 1e-9 relative: sums
added in another row order may differ in the last bit), and every row of the analysis tables
(flows, time in yellow, completeness), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from core.model_config import load_programmes
from data_access import models as m
from data_access.analyses import TABLES
from data_access.analytics import VALUE_COLUMNS
from data_access.raw import date_range, read_frame
from imports.load import import_file
from indicators.registry import COMPUTATIONS
from pipeline.refresh import refresh_in

CONFIG = load_programmes(Path("config.toml"), computations=COMPUTATIONS)
KEYS = ["programme_id", "indicator_id", "unit_id", "period", "age_group", "vulnerable_only"]
SCHEMA = {"programme_id": pl.Utf8, **VALUE_COLUMNS}
POSITIONS = ["grøn", "gul", "rød"]


def values(conn: sa.Connection) -> pl.DataFrame:
    t = m.IndicatorValue.__table__
    return read_frame(conn, sa.select(*[t.c[c] for c in SCHEMA]), SCHEMA).sort(KEYS)


def analyses(conn: sa.Connection) -> dict[str, list[tuple]]:
    """The analysis tables' rows (flows, time in yellow, completeness), without their ids."""
    out = {}
    for model in TABLES:
        table = model.__table__
        columns = [c for c in table.columns if c.name != "id"]
        out[table.name] = sorted(tuple(r) for r in conn.execute(sa.select(*columns)))
    return out


def codes(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        children = conn.execute(sa.text(
            "SELECT c.code, o.code FROM child c JOIN org_unit o ON o.id = c.institution_id "
            "ORDER BY c.code")).all()
        staff = conn.execute(sa.text("SELECT code FROM staff ORDER BY code")).all()
        span = date_range(conn)
    assert span is not None
    return {"children": [tuple(r) for r in children], "staff": [tuple(r) for r in staff],
            "span": [span]}


def day(rng: random.Random, span: tuple[dt.date, dt.date], *, beyond: bool) -> str:
    first, last = span
    if beyond:  # past the span: a new reporting period
        return (last + dt.timedelta(days=rng.randint(1, 200))).isoformat()
    return (first + dt.timedelta(days=rng.randint(0, (last - first).days))).isoformat()


def random_file(rng: random.Random, known: dict[str, list[tuple]], kind: str,
                span: tuple[dt.date, dt.date]) -> str:
    """A CSV of a few valid rows of ``kind`` (code names as headers)."""
    beyond = rng.random() < 0.2
    children = rng.sample(known["children"], 6)
    if kind == "assessments":
        # Several assessments per child: yellows followed by a next assessment, and plans.
        lines = ["child_id,institution_code,assessed_on,position,score_cognitive"]
        for child, inst in children:
            for _ in range(rng.randint(1, 3)):
                lines.append(f"{child},{inst},{day(rng, span, beyond=beyond)},"
                             f"{rng.choice(POSITIONS)},{rng.randint(1, 5)}")
    elif kind == "cross_sector_meetings":
        lines = ["child_id,institution_code,held_on,n_professions,parents_invited,"
                 "parents_present,plan_agreed"]
        for child, inst in children:
            yes = [rng.choice(["ja", "nej"]) for _ in range(3)]
            lines.append(f"{child},{inst},{day(rng, span, beyond=beyond)},{rng.randint(1, 4)},"
                         + ",".join(yes))
    elif kind == "staff_training":
        lines = ["staff_code,held_on,kind,self_assessment"]
        for (staff,) in rng.sample(known["staff"], 5):
            lines.append(f"{staff},{day(rng, span, beyond=beyond)},"
                         f"{rng.choice(['uddannelsesdag', 'aktionslaering'])},{rng.randint(1, 5)}")
    elif kind == "parent_survey":
        lines = ["child_id,institution_code,answered_on,question,answer"]
        for child, inst in children:
            lines.append(f"{child},{inst},{day(rng, span, beyond=beyond)},"
                         f"styrket_foraelderrolle,{rng.randint(1, 5)}")
    else:  # children: flip the vulnerable flag (every period of every child indicator)
        lines = ["child_id,birth_month,vulnerable,institution_code,enrolled_on"]
        for child, inst in children[:3]:
            lines.append(f"{child},2022-0{rng.randint(1, 9)}-01,{rng.choice(['ja', 'nej'])},"
                         f"{inst},2023-01-01")
    return "\n".join(lines) + "\n"


KINDS = ["assessments", "assessments", "cross_sector_meetings", "staff_training",
         "parent_survey", "children"]


@pytest.mark.parametrize("seed", [13])
def test_incremental_imports_equal_a_full_refresh(store: sa.Engine, tmp_path: Path,
                                                  seed: int) -> None:
    rng = random.Random(seed)
    known = codes(store)
    span = known["span"][0]
    for step in range(6):
        kind = rng.choice(KINDS)
        path = tmp_path / f"{step}-{kind}.csv"
        path.write_text(random_file(rng, known, kind, span), encoding="utf-8")
        result = import_file(store, CONFIG, kind, path, username="test")
        assert result.ok, (kind, result.errors)
        with store.connect() as conn:
            incremental, incremental_analyses = values(conn), analyses(conn)
        with store.connect() as conn, conn.begin() as tx:
            refresh_in(conn, CONFIG, uncommitted=True)
            full, full_analyses = values(conn), analyses(conn)
            tx.rollback()
        assert incremental_analyses == full_analyses, (step, kind)
        assert incremental.height == full.height > 0, (step, kind)
        assert_frame_equal(incremental, full, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)
