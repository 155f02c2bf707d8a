"""National-size benchmark: build, refresh against a plain baseline, memory, page times.

``python manage.py bench --scale 112 --years 10`` (≈ 4,500 institutions, 300,000 children, ten
years; ``--scale 5 --years 10`` is a ≈ 5 % store) writes a throwaway SQLite store (or uses
``--database-url``) and prints, in one run:

- rows written and seconds to generate and write them;
- the refresh (read / compute / write) next to a plain polars script that reads the same raw
  tables with ADBC, computes the same values with the same engine and bulk-writes them into a
  fresh table (bench/baseline.py), without and with secondary suppression, and the ratio; the
  plain table is compared with the refresh's cell by cell;
- the peak memory (ru_maxrss) of each step: every step runs in its own process (bench/steps.py);
- server time of every page, cold (data cache cleared) and warm, through AppTest as ``admin``;
- the incremental import of one daycare's half-year (``import_file`` end to end, from command to
  visible values) with its peak memory (before, every import ran the whole refresh);
- milliseconds for what a page does on a rerun: the data-version check, the values for one
  institution with its benchmarks, and a ranking of the institutions of one municipality.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from core.model_config import ChangeModelConfig
from data_access import analytics
from data_access.db import data_version, get_engine
from data_access.raw import load_org_unit_frame
from data_access.scope import Scope


def _millis(action: Callable[[], object], repeat: int = 20) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def step(name: str, url: str, *extra: str) -> dict[str, Any]:
    """Run one step in a process of its own and return its figures (see bench/steps.py)."""
    done = subprocess.run([sys.executable, "-m", "bench.steps", name, url, *extra],
                          check=True, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(config: ChangeModelConfig, *, scale: float, years: int,
        database_url: str | None = None) -> dict[str, Any]:
    folder = tempfile.mkdtemp(prefix="bench-")
    url = database_url or f"sqlite:///{Path(folder) / 'national.sqlite'}"
    steps: dict[str, dict[str, Any]] = {}
    for name, extra in (("build", ("--scale", str(scale), "--years", str(years))),
                        ("refresh", ()), ("plain", ()), ("plain-suppressed", ()), ("check", ()),
                        ("pages", ()), ("incremental", ())):
        print(f"  {name} …", flush=True)
        steps[name] = step(name, url, *extra)
    engine = get_engine(url)
    with engine.connect() as conn:
        units = load_org_unit_frame(conn)
    root = units.filter(pl.col("parent_id").is_null())["id"].item()
    institution = units.filter(pl.col("level") == "institution").row(0, named=True)
    chain = tuple(int(x) for x in institution["path"].strip("/").split("/"))
    municipality = chain[1] if len(chain) > 3 else chain[0]
    siblings = tuple(units.filter(
        (pl.col("level") == "institution")
        & pl.col("path").str.contains(f"/{municipality}/", literal=True))["id"].to_list())
    last = analytics.available_periods(engine, programme_id="aabenraa")[-1]

    def chain_values() -> None:
        analytics.load_indicator_values(
            engine, scope=Scope((root,)), programme_id="aabenraa", period_from="2000H1",
            period_to=last, age_group="alle", vulnerable_only=False, unit_ids=chain)

    def ranking_values() -> None:
        analytics.load_indicator_values(
            engine, scope=Scope((root,)), programme_id="aabenraa", period_from=last,
            period_to=last, age_group="alle", vulnerable_only=False, unit_ids=siblings)

    build = steps["build"]
    figures: dict[str, Any] = {
        "institutions": float(units.filter(pl.col("level") == "institution").height),
        "children": float(build["rows"].get("child", 0)),
        "raw_rows": float(sum(build["rows"].values())),
        "write_seconds": build["write_seconds"],
        "indicator_values": float(steps["refresh"]["rows"]),
        "data_version_ms": _millis(lambda: data_version(engine)),
        "page_chain_ms": _millis(chain_values),
        "page_ranking_ms": _millis(ranking_values),
        "steps": steps,
    }
    engine.dispose()
    return figures


def _number(value: float, decimals: int = 2) -> str:
    """Danish number format: 1.234,56."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def print_figures(figures: dict[str, Any]) -> None:
    labels = {
        "institutions": "dagtilbud", "children": "børn", "raw_rows": "rå rækker",
        "write_seconds": "generering og skrivning (s)",
        "indicator_values": "indikatorværdier", "data_version_ms": "dataversion pr. rerun (ms)",
        "page_chain_ms": "opslag: et dagtilbud + benchmarks (ms)",
        "page_ranking_ms": "opslag: rangering i en kommune (ms)",
    }
    for key, label in labels.items():
        value = figures[key]
        print(f"{label:<40} {_number(value, 2 if key.endswith(('_ms', '_seconds')) else 0)}")
    steps = figures["steps"]
    refresh, plain, plain_s = steps["refresh"], steps["plain"], steps["plain-suppressed"]
    print()
    print(f"{'trin':<36} {'i alt (s)':>10} {'læs':>7} {'beregn':>7} {'skriv':>7} {'top (MB)':>9}")
    rows = [
        ("opbygning (generering + 1. genberegning)", steps["build"], None),
        ("genberegning (python manage.py refresh)", refresh, refresh),
        (f"plan polars, uden sek. diskretion ({plain['reader']})", plain, plain),
        (f"plan polars, med sek. diskretion ({plain_s['reader']})", plain_s, plain_s),
    ]
    for label, figs, parts in rows:
        total = figs.get("seconds", figs["step_seconds"])
        cells = ([_number(parts[k]) for k in ("read_seconds", "compute_seconds",
                                              "write_seconds")]
                 if parts else ["", "", ""])
        print(f"{label[:36]:<36} {_number(total):>10} {cells[0]:>7} {cells[1]:>7} {cells[2]:>7} "
              f"{_number(figs['peak_mb'], 0):>9}")
    inc = steps["incremental"]
    print(f"{'indlæsning, ét dagtilbuds halvår':<36} {_number(inc['seconds']):>10} "
          f"{'':>7} {'':>7} {'':>7} {_number(inc['incremental_peak_mb'], 0):>9}")
    print(f"  (incremental import of one daycare's half-year: {_number(inc['rows'], 0)} "
          f"vurderinger i {inc['period']}, fra kommando til synlige tal; før: hele "
          f"genberegningen ovenfor)")
    io_refresh = refresh["read_seconds"] + refresh["write_seconds"]
    io_plain = plain_s["read_seconds"] + plain_s["write_seconds"]
    ratio = refresh["seconds"] / plain_s["seconds"]
    print(f"genberegning / plan (med sek. diskretion): {_number(ratio)}×; "
          f"læs + skriv: {_number(io_refresh / io_plain)}×")
    print(f"plan tabel = genberegningens værdier, celle for celle: "
          f"{'ja' if steps['check']['identical'] else 'NEJ'}")
    pages = steps["pages"]
    print()
    print(f"side (server, som {pages['user']}){'':<16} {'kold (ms)':>10} {'varm (ms)':>10}")
    for path, page in pages["pages"].items():
        flag = "  FEJL" if page["errors"] else ""
        print(f"{path:<38} {_number(page['cold_ms'], 0):>10} {_number(page['warm_ms'], 0):>10}"
              f"{flag}")
    print(f"top-hukommelse, sider (MB): {_number(pages['peak_mb'], 0)}")
