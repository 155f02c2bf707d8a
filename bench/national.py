"""National-size benchmark: build, refresh, and what a page costs.

``python manage.py bench --scale 112 --years 10`` (≈ 4,500 institutions, 300,000 children, ten
years) writes a throwaway SQLite store (or uses ``--database-url``) and prints:

- rows written and seconds to generate and write them;
- seconds for the analytics refresh (all programmes, all units, all subgroups);
- milliseconds for what a page does on a rerun: the data-version check, the values for one
  institution with its benchmarks, and a ranking of the institutions of one municipality.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import polars as pl

from core.model_config import ChangeModelConfig
from data_access import analytics
from data_access.db import data_version, get_engine
from data_access.raw import load_org_unit_frame
from data_access.scope import Scope
from demo.generator import DemoSpec
from pipeline.demo_store import build_demo_store


def _millis(action, repeat: int = 20) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def run(config: ChangeModelConfig, *, scale: float, years: int,
        database_url: str | None = None) -> dict[str, float]:
    folder = tempfile.mkdtemp(prefix="bench-")
    url = database_url or f"sqlite:///{Path(folder) / 'national.sqlite'}"
    engine = get_engine(url)
    # The generated country's municipalities (K001, …) are no programme's members: measure
    # every programme as running everywhere, as before programme membership existed.
    config = config.model_copy(update={"programmes": [
        p.model_copy(update={"membership": []}) for p in config.programmes]})
    report = build_demo_store(engine, config, DemoSpec(scale=scale, years=years))
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

    figures = {
        "institutions": float(units.filter(pl.col("level") == "institution").height),
        "children": float(report.rows.get("child", 0)),
        "raw_rows": float(sum(report.rows.values())),
        "write_seconds": report.write_seconds,
        "refresh_seconds": report.refresh.seconds,
        "indicator_values": float(report.refresh.rows),
        "data_version_ms": _millis(lambda: data_version(engine)),
        "page_chain_ms": _millis(chain_values),
        "page_ranking_ms": _millis(ranking_values),
    }
    return figures


def print_figures(figures: dict[str, float]) -> None:
    labels = {
        "institutions": "dagtilbud", "children": "børn", "raw_rows": "rå rækker",
        "write_seconds": "generering og skrivning (s)", "refresh_seconds": "genberegning (s)",
        "indicator_values": "indikatorværdier", "data_version_ms": "dataversion pr. rerun (ms)",
        "page_chain_ms": "side: et dagtilbud + benchmarks (ms)",
        "page_ranking_ms": "side: rangering i en kommune (ms)",
    }
    for key, label in labels.items():
        value = figures[key]
        text = f"{value:,.2f}" if key.endswith(("_ms", "_seconds")) else f"{value:,.0f}"
        print(f"{label:<40} {text.replace(',', '_').replace('.', ',').replace('_', '.')}")
