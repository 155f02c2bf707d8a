"""Time and peak memory of hostile and large imports: ``python -m bench.import_limits``.

Builds a small demo store (SQLite in a temporary folder, or ``--database-url``), then runs each
case in a fresh process and reports its wall time and peak resident memory (``ru_maxrss``):

* a valid assessments CSV of ``--rows`` rows (default 1,000,000) – read, checked, written and
  refreshed in one transaction;
* the same file with one bad last row (refused after the full check, nothing written);
* an XLSX zip bomb (≈ 100 KB that unpacks to more than the unpacked-size limit);
* an XLSX "row bomb" (unpacks to less than the limit, but holds more rows than allowed);
* a CSV over the row limit (2.5 M lines).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from indicators.format import format_number


def _child(kind: str, path: str, url: str) -> None:
    from core.model_config import load_programmes
    from core.settings import CONFIG_PATH
    from data_access.db import get_engine
    from imports.load import import_file
    from indicators.registry import COMPUTATIONS

    engine = get_engine(url)
    config = load_programmes(CONFIG_PATH, computations=COMPUTATIONS)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = import_file(engine, config, kind, Path(path), username="bench")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "base_mb": base / 1024,
                      "ok": result.ok, "rows": result.rows,
                      "message": result.errors[0].message if result.errors else ""}))


def assessments_csv(path: Path, codes: list[str], rows: int, *, bad_last: bool = False) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("barnekode;dagtilbudskode;vurderingsdato;position;score social\n")
        day, written = dt.date(2021, 1, 1), 0
        while written < rows:
            for code in codes:
                if written == rows:
                    break
                out.write(f"{code};580-001;{day:%d.%m.%Y};grøn;4\n")
                written += 1
            day += dt.timedelta(days=1)
        if bad_last:
            out.write(f"{codes[0]};580-001;01.01.2019;lilla;4\n")
    return path


def run_case(name: str, path: Path, url: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.import_limits", "--child", str(path),
                          url], capture_output=True, text=True, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    size_mb = path.stat().st_size / 1e6
    print(f"{name:<34} {format_number(size_mb, 1):>8} MB  {format_number(figures['seconds']):>7}"
          f" s  peak {format_number(figures['peak_mb'], 0):>6} MB (libraries "
          f"{format_number(figures['base_mb'], 0)} MB)  "
          f"{'indlæst ' + format_number(figures['rows'], 0) if figures['ok'] else 'afvist: '}"
          f"{'' if figures['ok'] else figures['message'][:70]}", flush=True)
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_limits")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child("assessments", args.child[0], args.child[1])
        return 0
    import sqlalchemy as sa

    from core.model_config import load_programmes
    from core.settings import CONFIG_PATH, ImportLimits
    from data_access.db import get_engine
    from demo.generator import DemoSpec
    from indicators.registry import COMPUTATIONS
    from pipeline.demo_store import build_demo_store
    from tests.integration.test_import_hostile import zip_bomb

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        url = args.database_url or f"sqlite:///{work / 'store.sqlite'}"
        engine = get_engine(url)
        config = load_programmes(CONFIG_PATH, computations=COMPUTATIONS)
        build_demo_store(engine, config, DemoSpec(scale=0.25, years=1))
        with engine.connect() as conn:
            codes = list(conn.execute(sa.text("SELECT code FROM child ORDER BY id")).scalars())
        engine.dispose()
        limits = ImportLimits()
        print(f"Demo-butik: {len(codes)} børn; {url.split('://')[0]}", flush=True)
        run_case("CSV, 1 forkert sidste række", assessments_csv(
            work / "bad.csv", codes, args.rows, bad_last=True), url)
        run_case(f"CSV, {format_number(args.rows, 0)} rækker", assessments_csv(
            work / "good.csv", codes, args.rows), url)
        (work / "bomb.xlsx").write_bytes(zip_bomb(limits.max_unpacked_bytes + 1_000_000,
                                                  rows=False))
        run_case("XLSX zip-bombe (udpakket > grænsen)", work / "bomb.xlsx", url)
        (work / "rows.xlsx").write_bytes(zip_bomb(60_000_000))
        run_case("XLSX, 60 MB udpakket, ~850.000 rækker", work / "rows.xlsx", url)
        too_many = work / "many.csv"
        too_many.write_bytes(b"barnekode;dagtilbudskode;vurderingsdato;position\n"
                             + b"B0000001;580-001;01.01.2024;gul\n" * 2_500_000)
        run_case("CSV over rækkegrænsen (2,5 mio.)", too_many, url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
