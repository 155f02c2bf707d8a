"""How fast whole tables come from PostgreSQL into polars.

``python -m bench.read_speed [--scale 4] [--years 3] [--repeat 5]`` starts a throwaway PostgreSQL
(tests/support/postgres.py, needs the Debian server package), writes a demo store of that size and
prints rows/s for the assessment table read three ways:

- ``fetchall``: plain row-by-row ``fetchall`` → ``pl.DataFrame(rows, orient="row")``;
- ``streamed``: ``read_frame`` without Arrow (server-side cursor, 50,000-row batches);
- ``arrow``: ``read_frame(..., bulk=True)``: ADBC, Arrow columns straight into polars
  (includes opening the ADBC session);
- ``arrow-open``: the same on an ADBC session that is already open (as ``load_sources``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import polars as pl

from core.model_config import load_programmes
from core.settings import CONFIG_PATH
from data_access.db import get_engine
from data_access.raw import _statements, arrow_connection, read_arrow_frame, read_frame
from demo.generator import DemoSpec
from indicators.registry import COMPUTATIONS
from indicators.sources import SCHEMAS
from pipeline.demo_store import build_demo_store
from tests.support.postgres import throwaway_postgres

TABLE = "assessments"


def _best_seconds(action: Callable[[], pl.DataFrame], repeat: int) -> tuple[float, int]:
    timings, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = action().height
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), rows


def measure(url: str, *, repeat: int) -> dict[str, tuple[float, int]]:
    engine = get_engine(url)
    stmt, schema = _statements()[TABLE], SCHEMAS[TABLE]

    def fetchall() -> pl.DataFrame:
        with engine.connect() as conn:
            rows = conn.execute(stmt).fetchall()
        return pl.DataFrame(rows, schema=schema, orient="row")

    def streamed() -> pl.DataFrame:
        with engine.connect() as conn:
            return read_frame(conn, stmt, schema)

    def arrow() -> pl.DataFrame:
        with engine.connect() as conn:
            return read_frame(conn, stmt, schema, bulk=True)

    results = {}
    for name, action in (("fetchall", fetchall), ("streamed", streamed), ("arrow", arrow)):
        action()  # warm the server's cache and the connection pool
        results[name] = _best_seconds(action, repeat)
    # As load_sources does it: one ADBC session for all tables, so no connect per read.
    with engine.connect() as conn, arrow_connection(conn) as arrow_conn:
        def arrow_open() -> pl.DataFrame:
            return read_arrow_frame(arrow_conn, stmt, schema)

        arrow_open()
        results["arrow-open"] = _best_seconds(arrow_open, repeat)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.read_speed")
    parser.add_argument("--scale", type=float, default=4)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    config = load_programmes(CONFIG_PATH, computations=COMPUTATIONS)
    with throwaway_postgres() as url:
        started = time.perf_counter()
        report = build_demo_store(get_engine(url), config,
                                  DemoSpec(scale=args.scale, years=args.years))
        print(f"Demo store (scale {args.scale:g}, {args.years} years): "
              f"{sum(report.rows.values()):,} rows in {time.perf_counter() - started:.1f} s")
        results = measure(url, repeat=args.repeat)
        get_engine(url).dispose()
    base = results["fetchall"][0]
    print(f"{'path':<10} {'rows':>10} {'seconds':>9} {'rows/s':>12} {'speed-up':>9}")
    for name, (seconds, rows) in results.items():
        print(f"{name:<10} {rows:>10,} {seconds:>9.3f} {rows / seconds:>12,.0f} "
              f"{base / seconds:>8.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
