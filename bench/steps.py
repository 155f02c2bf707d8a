"""One benchmark step per process, so that each step's peak memory is its own.

``python -m bench.steps STEP URL [--scale S --years Y]`` runs STEP against the store at URL and
prints one JSON line: the step's figures plus ``peak_mb`` (``resource.getrusage`` ru_maxrss of
this process, taken before anything that is not part of the step).

Steps: ``build`` (generate and write the demo store, then its first refresh), ``refresh`` (the
refresh as ``python manage.py refresh`` runs it, on a store that has values), ``plain`` and
``plain-suppressed`` (bench/baseline.py), ``check`` (the plain table equals the refresh's values
cell by cell), ``pages`` (every page's server time through AppTest, cold and warm),
``incremental`` (an import of one daycare's half-year of assessments, command to visible values;
before issue 13 every import ran the full refresh, so compare with ``refresh``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

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
    import pipeline.refresh as refresh_module
    from data_access.db import get_engine

    phases: dict[str, float] = {}

    def timed(name: str, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - started
        return wrapper

    # Read and compute as the refresh module calls them; the rest is the write (and statistics).
    for name, phase in (("load_sources", "read"), ("date_range", "read"),
                        ("compute_programme_values", "compute")):
        if hasattr(refresh_module, name):
            setattr(refresh_module, name, timed(phase, getattr(refresh_module, name)))
    report = refresh_module.refresh(get_engine(url), config)
    return {"seconds": report.seconds, "rows": report.rows,
            "read_seconds": phases.get("read", 0.0),
            "compute_seconds": phases.get("compute", 0.0),
            "write_seconds": report.seconds - phases.get("read", 0.0)
            - phases.get("compute", 0.0)}


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


def _page_paths(config: ChangeModelConfig) -> list[tuple[str, str]]:
    programme = config.programmes[0]
    return [("oversigt", "Forandringsmodellen"),
            *[(f"lag-{layer.id}", layer.title) for layer in programme.layers],
            ("dagtilbud", "Dagtilbud"), ("moede", "Styregruppemøde"),
            ("indlaes", "Indlæs data"), ("log", "Revisionslog"), ("brugere", "Brugere")]


def step_pages(url: str, config: ChangeModelConfig, args: argparse.Namespace) -> dict[str, Any]:
    """Every page as ``admin`` (the widest scope) through AppTest: the whole server side of a
    rerun (app.py, login check, filters, the page's loaders and figures). A session is seeded as
    logged in (a real session row, as tests/app/conftest.py does; typing into the form did not
    log in here, and every page then timed the login page). Cold: the data cache cleared before
    the run; warm: the median of the next reruns of the same page."""
    import os
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    os.environ["DATABASE_URL"] = url
    os.environ["DEMO_MODE"] = "1"
    app = str(Path(__file__).resolve().parent.parent / "app.py")
    from data_access.db import get_engine
    from data_access.sessions import start_session

    at = AppTest.from_file(app, default_timeout=600)
    # A session started as the login form does after a right password (tests/app/conftest.py).
    session_id, _grant = start_session(get_engine(url), username=args.user, client="bench")
    at.session_state["session_id"] = session_id
    at.run()
    assert at.session_state["viewer"].username == args.user, "not logged in"
    pages: dict[str, dict[str, Any]] = {}
    for path, _title in _page_paths(config):
        at._page_hash = calc_hash(path)  # noqa: SLF001 (AppTest has no public way)
        st.cache_data.clear()
        started = time.perf_counter()
        at.run()
        cold = (time.perf_counter() - started) * 1000
        warm = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            at.run()
            warm.append((time.perf_counter() - started) * 1000)
        errors = [e.value for e in at.exception] + [e.value for e in at.error]
        pages[path] = {"cold_ms": cold, "warm_ms": statistics.median(warm),
                       "errors": len(errors), "error_texts": errors[:2]}
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
    path = Path(tempfile.mkdtemp(prefix="bench-import-")) / "vurderinger.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    result = import_file(engine, config, "assessments", path, username="bench")
    seconds = time.perf_counter() - started
    assert result.ok, result.errors
    peak = peak_mb()
    return {"rows": result.rows, "seconds": seconds, "incremental_peak_mb": peak,
            "period": period_of(span[1])}


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "incremental": step_incremental,
    "build": step_build,
    "refresh": step_refresh,
    "plain": functools.partial(step_plain, suppress=False),
    "plain-suppressed": functools.partial(step_plain, suppress=True),
    "check": step_check,
    "pages": step_pages,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.steps")
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("url")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    config = load_programmes(CONFIG_PATH, computations=COMPUTATIONS)
    # The generated country's municipalities (K001, …) are no programme's members: measure
    # every programme as running everywhere, as before programme membership existed.
    config = config.model_copy(update={"programmes": [
        p.model_copy(update={"membership": []}) for p in config.programmes]})
    started = time.perf_counter()
    figures = STEPS[args.step](args.url, config, args)
    figures["step_seconds"] = time.perf_counter() - started
    figures["peak_mb"] = peak_mb()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
