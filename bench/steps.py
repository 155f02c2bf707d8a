"""One benchmark step per process, so that each step's peak memory is its own.

``python -m bench.steps STEP URL [--scale S --years Y]`` runs STEP against the store at URL and
prints one JSON line: the step's figures plus ``peak_mb`` (``resource.getrusage`` ru_maxrss of
this process, taken before anything that is not part of the step).

Steps: ``build`` (generate and write the demo store, then its first refresh), ``refresh`` (the
refresh as ``python manage.py refresh`` runs it, on a store that has values), ``plain`` and
``plain-suppressed`` (bench/baseline.py), ``check`` (the plain table equals the refresh's values
cell by cell), ``pages`` (every page's server time through AppTest, cold and warm, each checked
to show its own headings: bench/pages.py), ``sessions`` (memory per open session on the real
server: bench/sessions.py), ``incremental`` (an import of one daycare's half-year of
assessments, command to visible values; before issue 13 every import ran the full refresh, so
compare with ``refresh``).

Every step reads the bench's model (``--config``, bench/config.py: every programme runs
everywhere); without ``--config`` it is written from ``CONFIG_PATH`` or config.toml first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.config import write_config
from core.model_config import ChangeModelConfig, load_programmes
from core.settings import CONFIG_PATH
from indicators.registry import COMPUTATIONS


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def step_build(url: str, config: ChangeModelConfig, args: argparse.Namespace) -> dict[str, Any]:
    from data_access.db import get_engine
    from demo.generator import DemoSpec
    from pipeline.demo_store import build_demo_store

    report = build_demo_store(get_engine(url), config, DemoSpec(scale=args.scale,
                                                                years=args.years))
    return {"rows": report.rows, "write_seconds": report.write_seconds,
            "first_refresh_seconds": report.refresh.seconds}


def step_refresh(url: str, config: ChangeModelConfig, _args: argparse.Namespace
                 ) -> dict[str, Any]:
    """The refresh as ``python manage.py refresh`` runs it, with the time spent in each phase.

    Compute and analyses run in worker threads beside the audit and the write, so the phases
    overlap: each phase's figure is the time spent in it summed over threads (``busy``), and
    ``seconds`` is the wall clock of the whole refresh."""
    import threading

    import data_access.analytics as analytics_module
    import pipeline.refresh as refresh_module
    from data_access.db import get_engine

    phases: dict[str, float] = {}
    lock = threading.Lock()

    def timed(name: str, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                with lock:
                    phases[name] = phases.get(name, 0.0) + time.perf_counter() - started
        return wrapper

    # Each phase as the refresh module calls it.
    for module, name, phase in (
            (refresh_module, "load_sources", "read"), (refresh_module, "date_range", "read"),
            (refresh_module, "indicator_values", "compute"),
            (refresh_module, "audit_publication", "audit"),
            (refresh_module, "compute_analyses", "analyses"),
            (refresh_module, "write_analyses", "write"),
            (analytics_module.ValueWriter, "write", "write"),
            (analytics_module.ValueWriter, "finish", "write")):
        if not hasattr(module, name):
            raise RuntimeError(f"the refresh no longer has {name}: update bench/steps.py")
        setattr(module, name, timed(phase, getattr(module, name)))
    report = refresh_module.refresh(get_engine(url), config)
    figures = {f"{phase}_seconds": phases.get(phase, 0.0)
               for phase in ("read", "compute", "audit", "analyses", "write")}
    return {"seconds": report.seconds, "rows": report.rows,
            "workers": refresh_module.refresh_workers(), **figures}


def step_plain(url: str, config: ChangeModelConfig, _args: argparse.Namespace,
               *, suppress: bool) -> dict[str, Any]:
    from bench.baseline import run_plain

    return run_plain(url, config, suppress=suppress)


def step_check(url: str, _config: ChangeModelConfig, _args: argparse.Namespace
               ) -> dict[str, Any]:
    from bench.baseline import drop_plain_table, same_as_the_refresh

    same = same_as_the_refresh(url)
    drop_plain_table(url)
    return {"identical": same}


def step_pages(url: str, config: ChangeModelConfig, args: argparse.Namespace) -> dict[str, Any]:
    """Every page as ``args.user`` (``admin``: the widest scope) through AppTest, cold and warm,
    each checked to show its own headings (bench/pages.py)."""
    import os

    import polars as pl
    from streamlit.testing.v1 import AppTest

    from bench.pages import APP, page_plans, script_clock, time_page
    from data_access.db import get_engine
    from data_access.raw import load_org_unit_frame
    from data_access.sessions import start_session

    os.environ["DATABASE_URL"] = url
    os.environ["DEMO_MODE"] = "1"
    os.environ["CONFIG_PATH"] = str(args.config)
    engine = get_engine(url)
    with engine.connect() as conn:
        units = load_org_unit_frame(conn)
    daycare = units.filter(pl.col("level") == "institution").sort("id").row(0, named=True)

    def open_session() -> AppTest:
        # A session started as the login form does after a right password
        session_id, _grant = start_session(engine, username=args.user, client="bench")
        at = AppTest.from_file(APP, default_timeout=600)
        at.session_state["session_id"] = session_id
        return at

    pages: dict[str, dict[str, Any]] = {}
    with script_clock() as spans:
        for plan in page_plans(config, institution=(daycare["code"], daycare["name"])):
            pages[plan.label] = time_page(plan, open_session, spans, args.repeat)
    return {"user": args.user, "pages": pages}


def step_incremental(url: str, config: ChangeModelConfig, _args: argparse.Namespace
                     ) -> dict[str, Any]:
    """``import_file`` end to end (read, check, write, recompute, commit, statistics) for a file
    of assessments: every child of one daycare assessed on random days of the last half-year."""
    import random
    import tempfile
    from pathlib import Path

    import sqlalchemy as sa

    from data_access.db import get_engine
    from data_access.raw import date_range
    from imports.load import import_file
    from indicators.periods import period_bounds, period_of

    engine = get_engine(url)
    with engine.connect() as conn:
        span = date_range(conn)
        assert span is not None, "an empty store"
        institution = conn.execute(sa.text(
            "SELECT o.id, o.code FROM org_unit o WHERE o.level = 'institution' "
            "ORDER BY o.id LIMIT 1")).one()
        children = conn.execute(sa.text("SELECT code FROM child WHERE institution_id = :i "
                                        "ORDER BY code"), {"i": institution.id}).scalars().all()
    first, last = period_bounds(period_of(span[1]))
    rng = random.Random(13)
    lines = ["child_id,institution_code,assessed_on,position"]
    for code in children:
        day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        lines.append(f"{code},{institution.code},{day.isoformat()},"
                     f"{rng.choice(['grøn', 'grøn', 'gul', 'rød'])}")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        path = Path(folder) / "vurderinger.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        started = time.perf_counter()
        result = import_file(engine, config, "assessments", path, username="bench")
        seconds = time.perf_counter() - started
    assert result.ok, result.errors
    peak = peak_mb()
    return {"rows": result.rows, "seconds": seconds, "incremental_peak_mb": peak,
            "period": period_of(span[1])}


def step_sessions(url: str, config: ChangeModelConfig, args: argparse.Namespace
                  ) -> dict[str, Any]:
    """Memory per open session on the real server (bench/sessions.py); ``skipped`` says why
    not when Chromium or Playwright is missing or ``--sessions 0``."""
    from bench.sessions import measure, unavailable

    reason = "slået fra (--sessions 0)" if args.sessions <= 0 else unavailable()
    if reason:
        return {"skipped": reason}
    env = {"DATABASE_URL": url, "DEMO_MODE": "1", "CONFIG_PATH": str(args.config)}
    return measure(env, sessions=args.sessions, username=args.user,
                   layer_title=config.programmes[0].layers[0].title)


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "incremental": step_incremental,
    "build": step_build,
    "refresh": step_refresh,
    "plain": functools.partial(step_plain, suppress=False),
    "plain-suppressed": functools.partial(step_plain, suppress=True),
    "check": step_check,
    "pages": step_pages,
    "sessions": step_sessions,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.steps")
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("url")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--repeat", type=int, default=5, help="warm reruns of each page")
    parser.add_argument("--sessions", type=int, default=5, help="sessions opened at once")
    parser.add_argument("--config", type=Path,
                        help="the bench's model, every programme everywhere (bench/config.py); "
                             "default: written from CONFIG_PATH or config.toml")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-config-") as folder:
        if args.config is None:
            source = Path(os.environ.get("CONFIG_PATH", CONFIG_PATH))
            args.config, config = write_config(source, Path(folder))
        else:
            config = load_programmes(args.config, computations=COMPUTATIONS)
        started = time.perf_counter()
        figures = STEPS[args.step](args.url, config, args)
    figures["step_seconds"] = time.perf_counter() - started
    figures["peak_mb"] = peak_mb()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
