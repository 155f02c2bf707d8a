"""The incremental refresh equals the full one, cell by cell, after seeded random imports.

Each step imports a random file of one kind into a small demo store with a few years of
history (new rows, changed rows, rows in earlier periods, rows in a period past the current
span; assessments that end or extend a yellow spell, assessments in an earlier round, a child's
first-ever assessment before its others; children's enrollment), the import recomputing only
the partitions and the parts of the analysis tables it touched. Then, inside a transaction that
is rolled back, a full refresh recomputes everything: every stored value must be the same
(floats to 1e-9 relative: sums added in another row order may differ in the last bit), and every
row of the analysis tables (flows, time in yellow, completeness), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

import pipeline.analyses
import pipeline.refresh as refresh_module
from core.model_config import ChangeModelConfig, load_programmes
from data_access import models as m
from data_access.analyses import TABLES
from data_access.analytics import VALUE_COLUMNS
from data_access.db import get_engine
from data_access.raw import date_range, load_assessments, read_frame
from data_access.tables import table_of
from demo.generator import DemoSpec
from imports.load import import_file
from imports.validate import latest_allowed
from indicators.flows import next_round
from indicators.incremental import AnalysisParts
from indicators.periods import period_bounds, period_of, periods_between, previous_period
from indicators.registry import COMPUTATIONS
from pipeline.analyses import touched_inputs
from pipeline.demo_store import build_demo_store
from pipeline.refresh import refresh_in
from tests.support.import_store import create_database

CONFIG = load_programmes(Path("config.toml"), computations=COMPUTATIONS)
KEYS = ["programme_id", "indicator_id", "unit_id", "period", "age_group", "vulnerable_only"]
SCHEMA = {"programme_id": pl.Utf8, **VALUE_COLUMNS}
DANISH = ["grøn", "gul", "rød"]
HISTORY_DEMO = DemoSpec(scale=0.25, years=3)
LATEST = latest_allowed() - dt.timedelta(days=1)  # the last date an import accepts
_COPIES = count()


def values(conn: sa.Connection) -> pl.DataFrame:
    t = table_of(m.IndicatorValue)
    return read_frame(conn, sa.select(*[t.c[c] for c in SCHEMA]), SCHEMA).sort(KEYS)


def analyses(conn: sa.Connection) -> dict[str, list[tuple]]:
    """The analysis tables' rows (flows, time in yellow, completeness), without their ids."""
    out = {}
    for model in TABLES:
        table = table_of(model)
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
    if beyond:  # past the span: a new reporting period (while the import allows the date)
        return min(last + dt.timedelta(days=rng.randint(1, 200)), LATEST).isoformat()
    return (first + dt.timedelta(days=rng.randint(0, (last - first).days))).isoformat()


def history(engine: sa.Engine) -> list[tuple[str, str, dt.date, str]]:
    """Every green/yellow/red assessment: (child code, daycare code, date, position)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT c.code, o.code, a.assessed_on, a.position FROM assessment a "
            "JOIN child c ON c.id = a.child_id JOIN org_unit o ON o.id = a.institution_id "
            "ORDER BY c.code, a.assessed_on")).all()
    return [(child, inst, as_date(on), position) for child, inst, on, position in rows]


def as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def in_round(rng: random.Random, round_: str) -> str:
    """A random day of the half-year ``round_``."""
    first, last = period_bounds(round_)
    return (first + dt.timedelta(days=rng.randint(0, (last - first).days))).isoformat()


def assessment_lines(rng: random.Random, past: list[tuple[str, str, dt.date, str]],
                     mode: str) -> list[str]:
    """Assessments that move time in yellow in the ways the incremental refresh must follow.

    ``old``: children of an earlier (not the latest) round, assessed again in that round.
    ``spell``: children yellow in a round, assessed in the next round (green or red ends the
    spell, yellow extends it; a later date in a round already assessed changes that round).
    ``first``: a child's first-ever assessment, one to three rounds before its existing ones.
    ``gap``: a new spell entering a round, and children yellow there after a gap of a round.
    """
    by_child: dict[str, list[tuple[str, dt.date, str]]] = {}
    for child, inst, on, position in past:
        by_child.setdefault(child, []).append((inst, on, position))
    rounds = sorted({period_of(on) for _, _, on, _ in past})
    picked: list[tuple[str, str, str, str]] = []  # child, daycare, day, position
    if mode == "old":
        round_ = rng.choice(rounds[:-1])
        there = sorted({(c, i) for c, i, on, _ in past if period_of(on) == round_})
        for child, inst in rng.sample(there, min(6, len(there))):
            picked.append((child, inst, in_round(rng, round_), rng.choice(DANISH)))
    elif mode == "spell":
        yellow = [(c, i, period_of(on)) for c, i, on, p in past if p == "yellow"]
        for child, inst, round_ in rng.sample(yellow, min(6, len(yellow))):
            later = next_round(round_)
            last = max((on for _, on, _ in by_child[child] if period_of(on) == later),
                       default=None)
            if last is not None and last >= period_bounds(later)[1]:
                continue
            first = period_bounds(later)[0] if last is None else last + dt.timedelta(days=1)
            day = first + dt.timedelta(days=rng.randint(0, (period_bounds(later)[1] - first).days))
            picked.append((child, inst, day.isoformat(), rng.choice(["gul", "grøn", "rød"])))
    elif mode == "gap":
        # X: non-yellow in a round and not assessed in the next, e: now yellow there (a new
        # spell entering e). Y: assessed before e − 1 but not in e − 1 or e, now yellow in e: no
        # entry (the gap), though the rows from e − 1 on alone would make it a first one.
        rounds_of = {c: {period_of(on): p for _, on, p in rows} for c, rows in by_child.items()}
        entries = [(c, e) for c, seen in rounds_of.items() for r, p in seen.items()
                   if p != "yellow" and (e := next_round(r)) not in seen and e <= rounds[-1]]
        rng.shuffle(entries)

        def gaps_before(e: str) -> list[str]:
            return [c for c, seen in rounds_of.items() if previous_period(e) not in seen
                    and e not in seen and min(seen) < previous_period(e)]

        x, e, gaps = next((x, e, gaps) for x, e in entries if (gaps := gaps_before(e)))
        for child in [x, *rng.sample(gaps, min(3, len(gaps)))]:
            picked.append((child, by_child[child][-1][0], in_round(rng, e), "gul"))
    else:  # first
        for child in rng.sample(sorted(by_child), 4):
            inst, earliest, _ = by_child[child][0]
            round_ = period_of(earliest)
            for _ in range(rng.randint(1, 3)):
                round_ = previous_period(round_)
            picked.append((child, inst, in_round(rng, round_), rng.choice(["gul", "gul", "grøn"])))
    picked = [row for row in picked if row[2] <= LATEST.isoformat()]
    assert picked, mode
    return [f"{child},{inst},{day},{position},{rng.randint(1, 5)}"
            for child, inst, day, position in picked]


def random_file(rng: random.Random, known: dict[str, list[tuple]], kind: str,
                span: tuple[dt.date, dt.date], engine: sa.Engine) -> str:
    """A CSV of a few valid rows of ``kind`` (code names as headers); ``assessments-old`` and
    the like are assessments made by :func:`assessment_lines`, ``staff_training-beyond`` opens
    a new period past the span."""
    kind, _, mode = kind.partition("-")
    beyond = mode == "beyond" or (not mode and rng.random() < 0.2)
    children = rng.sample(known["children"], 6)
    if kind == "assessments":
        lines = ["child_id,institution_code,assessed_on,position,score_cognitive"]
        if mode:
            lines += assessment_lines(rng, history(engine), mode)
        else:  # several assessments per child on random days
            days = {(child, inst, day(rng, span, beyond=beyond))
                    for child, inst in children for _ in range(rng.randint(1, 3))}
            for child, inst, on in sorted(days):
                lines.append(f"{child},{inst},{on},{rng.choice(DANISH)},{rng.randint(1, 5)}")
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
    else:  # children: the vulnerable flag and the enrollment (completeness everywhere)
        lines = ["child_id,birth_month,vulnerable,institution_code,enrolled_on,left_on"]
        for child, inst in children[:3]:
            enrolled = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randint(0, 3000))
            left = (enrolled + dt.timedelta(days=rng.randint(100, 1500))).isoformat() if (
                rng.random() < 0.5) else ""
            lines.append(f"{child},2015-0{rng.randint(1, 9)}-01,{rng.choice(['ja', 'nej'])},"
                         f"{inst},{enrolled.isoformat()},{left}")
    return "\n".join(lines) + "\n"


# Every step a different kind of change; the seed chooses the rows.
STEPS = ["assessments-spell", "assessments-first", "assessments-gap", "assessments-old",
         "children", "assessments-spell", "staff_training-beyond", "assessments",
         "assessments-first", "cross_sector_meetings", "assessments-gap", "parent_survey"]


@pytest.fixture(scope="module")
def history_seed(tmp_path_factory: pytest.TempPathFactory, config: ChangeModelConfig) -> Path:
    """A small demo with three years of assessments (and some from years before): rounds enough
    for spells that begin before the rounds an import touches."""
    path = tmp_path_factory.mktemp("history") / "seed.sqlite"
    engine = get_engine(f"sqlite:///{path}")
    build_demo_store(engine, config, HISTORY_DEMO)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def history_store(request: pytest.FixtureRequest, history_seed: Path, tmp_path: Path,
                  config: ChangeModelConfig) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        target = tmp_path / "store.sqlite"
        with sqlite3.connect(history_seed) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        engine = get_engine(f"sqlite:///{target}")
    else:
        server = request.getfixturevalue("postgres_url")
        engine = get_engine(create_database(server, f"history_{next(_COPIES)}"))
        build_demo_store(engine, config, HISTORY_DEMO)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("seed", [13])
def test_incremental_imports_equal_a_full_refresh(history_store: sa.Engine, tmp_path: Path,
                                                  seed: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    store = history_store
    parts: list[AnalysisParts] = []
    store_analyses = pipeline.analyses.store_analyses

    def spy(*args: Any, **kwargs: Any) -> int:
        parts.append(kwargs.get("parts", AnalysisParts()))
        return store_analyses(*args, **kwargs)

    monkeypatch.setattr(refresh_module, "store_analyses", spy)
    rng = random.Random(seed)
    known = codes(store)
    for step, kind in enumerate(STEPS):
        span = codes(store)["span"][0]
        path = tmp_path / f"{step}-{kind}.csv"
        path.write_text(random_file(rng, known, kind, span, store), encoding="utf-8")
        parts.clear()
        result = import_file(store, CONFIG, kind.partition("-")[0], path, username="test")
        assert result.ok, (kind, result.errors)
        assert result.new + result.updated > 0, (step, kind)
        if kind.startswith("assessments"):  # time in yellow in parts, not whole
            assert len(parts) == 1 and parts[0].entry_rounds is not None, (step, kind)
            assert parts[0].periods is not None, (step, kind)
        if kind in ("assessments-spell", "assessments-first", "assessments-gap"):
            assert parts[0].entry_rounds, (step, kind)  # these change some spells
        if kind == "staff_training-beyond":  # a new period: only its completeness
            assert [(p.flow_rounds, p.entry_rounds, bool(p.periods)) for p in parts] == [
                ((), (), True)], (step, kind)
        with store.connect() as conn:
            incremental, incremental_analyses = values(conn), analyses(conn)
        with store.connect() as conn, conn.begin() as tx:
            refresh_in(conn, CONFIG, uncommitted=True)
            full, full_analyses = values(conn), analyses(conn)
            tx.rollback()
        for table, rows in full_analyses.items():
            assert incremental_analyses[table] == rows, (step, kind, table)
        assert incremental.height == full.height > 0, (step, kind)
        assert_frame_equal(incremental, full, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)


def test_analysis_inputs_read_from_the_store_equal_those_cut_from_loaded_rows(
        demo_engine: sa.Engine) -> None:
    """:func:`pipeline.analyses.touched_inputs` reads each part's rounds from the store (date
    windows, an indexed ``EXISTS`` for the children assessed before the survival window) or
    cuts them from rows already loaded: the same rows and children either way."""
    with demo_engine.connect() as conn:
        span = date_range(conn)
        assert span is not None
        labels = periods_between(period_of(span[0]), period_of(span[1]))
        everything = load_assessments(conn, [(None, None)])
        recent = [p for p in labels if p in set(everything["assessed_on"].map_elements(
            period_of, return_dtype=pl.Utf8))][-4:]
        parts = AnalysisParts(flow_rounds=(recent[0],), entry_rounds=(recent[3], recent[2]),
                              periods=(recent[0], recent[3]))
        read = touched_inputs(conn, parts, labels, loaded=None, loaded_rounds=None)
        cut = touched_inputs(conn, parts, labels, loaded=everything, loaded_rounds=(None, None))
        tail = everything.filter(pl.col("assessed_on") >= period_bounds(recent[0])[0])
        cut_tail = touched_inputs(conn, parts, labels, loaded=tail,
                                  loaded_rounds=(recent[0], None))  # earlier ones by EXISTS
        uncovered = touched_inputs(conn, parts, labels, loaded=tail,
                                   loaded_rounds=(recent[1], None))  # misses the flow rounds
    order = ["child_id", "assessed_on"]
    for other in (cut, cut_tail, uncovered):
        for name in ("flows", "survival", "completeness"):
            assert_frame_equal(getattr(read, name).sort(order), getattr(other, name).sort(order))
        assert read.assessed_earlier.to_list() == other.assessed_earlier.to_list()
    rounds = read.flows["assessed_on"].map_elements(period_of, return_dtype=pl.Utf8)
    assert set(rounds) == {recent[0], recent[1]}  # the from-round and the next
    start = period_bounds(recent[1])[0]  # the round before the first entry round
    assert read.survival.filter(pl.col("assessed_on") < start).is_empty()
    assert read.survival.height == everything.filter(pl.col("assessed_on") >= start).height
    before = set(everything.filter(pl.col("assessed_on") < start)["child_id"])
    assert read.assessed_earlier.to_list() == sorted(before & set(read.survival["child_id"]))
    assert read.assessed_earlier.len() > 0
    assert set(read.completeness["assessed_on"].map_elements(
        period_of, return_dtype=pl.Utf8)) == {recent[0], recent[3]}
